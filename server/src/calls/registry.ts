// The call registry: folds switch events and the service's own decisions into one CallRecord per
// call. Events may arrive twice (a resync after reconnect replays what we had) or late (two
// nodes, a slow consumer): every fact is kept idempotently (first timestamp wins) and the state is
// derived from the facts, so neither duplicates nor reordering can move a call backwards.
import { callerLeg, legOf, type CaseOwner, type CallFlag, type CallRecord, type CallState, type ConsultRecord, type LegPurpose, type LegRecord, type LegRole, type TransferRecord } from './call-record.ts';
import type { ChannelCreate, DialplanFacts, SwitchEvent } from './switch-events.ts';

export interface CallRegistryHooks {
  /** Called once per call when its caller leg and every other leg have ended. */
  onCompleted(call: Readonly<CallRecord>): void;
  /** Called after any change, with the state before it. */
  onChanged?(call: Readonly<CallRecord>, before: CallState): void;
}

/** Channel variables the dialplan and our originates set, read here to attach legs to calls. */
export const VAR = {
  callId: 'hotline_call_id',
  legRole: 'hotline_leg_role',
  /** On a callback's citizen leg: the queued call it calls back. */
  callbackOf: 'hotline_callback_of',
  agentId: 'hotline_agent_id',
  /** On agent legs: offer | transfer | consult. */
  purpose: 'hotline_leg_purpose',
  line: 'hotline_line',
} as const;

/** The line of a call the dialplan never handed to the service (refused, or served by the fallback). */
export const UNKNOWN_LINE = 'unknown';
/** The context the site's other switch's agent legs arrive in (dialplan/dialplan/peer.xml). */
export const PEER_CONTEXT = 'hotline_peer';
const RECENT_LIMIT = 10_000;

const minTs = (a: number | undefined, b: number): number => (a === undefined ? b : Math.min(a, b));

/** A leg's hold ends (unhold, hang-up): its time on hold is added up. */
function endHold(leg: LegRecord, atUs: number): void {
  if (leg.holdSinceUs === undefined) return;
  leg.holdUs = (leg.holdUs ?? 0) + Math.max(0, atUs - leg.holdSinceUs);
  delete leg.holdSinceUs;
}

export function deriveState(call: CallRecord): CallState {
  const caller = callerLeg(call);
  // In the survey the caller only answers the switch's question: the call is over for the center
  // (not waiting, not talking); it completes when the caller leg hangs up.
  if (caller?.endedUs !== undefined || call.survey) return 'ended';
  // The caller waits on hold in the switch while its agent consults the transfer target.
  if (call.consult) return 'held';
  if (call.connectedUs !== undefined) {
    const partyUp = call.legs.some((l) => l.role !== 'caller' && l.bridgedUs !== undefined && l.endedUs === undefined);
    if (partyUp || call.conference) return call.held ? 'held' : 'talking';
  }
  const ringing = call.legs.some((l) => l.role === 'agent' && l.endedUs === undefined && l.answeredUs === undefined);
  if (ringing) return 'offering';
  if (call.queuedUs !== undefined) return 'queued';
  if (call.answeredUs !== undefined || call.ivrPath.length) return 'ivr';
  return 'new';
}

/**
 * What the service learns when the dialplan hands a call over (the outbound socket's channel data).
 * It comes after routing, so the line and the 110 case data are the ones the dialplan vetted.
 */
export interface AdmittedCall {
  readonly id: string;
  readonly node: string;
  readonly line: string;
  readonly callerNumber: string;
  readonly callerName: string;
  readonly destination: string;
  /** Channel creation time (µs, switch clock). */
  readonly createdUs: number;
  /** Case data of a call the dialplan accepted from the 110 gateway. */
  readonly case110?: Readonly<Record<string, string>>;
}

export class CallRegistry {
  private readonly calls = new Map<string, CallRecord>();
  private readonly legToCall = new Map<string, string>();
  /** Legs of completed calls: late events for them are dropped instead of opening a new call. */
  private readonly recent = new Set<string>();
  /**
   * Caller legs past CHANNEL_HANGUP whose CHANNEL_HANGUP_COMPLETE has not come yet: only the latter
   * carries the dialplan's fallback facts (hotline_fallback, bridge_uepoch), so the call is not
   * completed (its CDR written) before it.
   */
  private readonly awaitingComplete = new Set<string>();

  constructor(private readonly hooks: CallRegistryHooks) {}

  get(id: string): Readonly<CallRecord> | undefined {
    return this.calls.get(id);
  }

  byLeg(uuid: string): Readonly<CallRecord> | undefined {
    const id = this.legToCall.get(uuid);
    return id === undefined ? undefined : this.calls.get(id);
  }

  live(): Readonly<CallRecord>[] {
    return [...this.calls.values()];
  }

  /** A leg that hung up but whose CHANNEL_HANGUP_COMPLETE is still due (resync closes it if it never comes). */
  awaitingEnd(uuid: string): boolean {
    return this.awaitingComplete.has(uuid);
  }

  /** Put back a call loaded from the store (after a restart). */
  restore(call: CallRecord): void {
    // Snapshots written before a field existed lack it.
    call.flags ??= [];
    this.calls.set(call.id, call);
    for (const l of call.legs) this.legToCall.set(l.uuid, call.id);
  }

  apply(ev: SwitchEvent): Readonly<CallRecord> | undefined {
    if (this.recent.has(ev.uuid)) return undefined;
    if (ev.type === 'channel-create') return this.create(ev);
    const call = this.calls.get(this.legToCall.get(ev.uuid) ?? '');
    const leg = call && legOf(call, ev.uuid);
    if (!call || !leg) return undefined;
    return this.change(call, () => {
      const fresh = ev.seq > leg.lastSeq;
      leg.lastSeq = Math.max(leg.lastSeq, ev.seq);
      switch (ev.type) {
        case 'channel-answer':
          leg.answeredUs = minTs(leg.answeredUs, ev.tsUs);
          if (leg.role === 'caller') call.answeredUs = minTs(call.answeredUs, ev.tsUs);
          break;
        case 'channel-bridge': {
          leg.bridgedUs = minTs(leg.bridgedUs, ev.tsUs);
          const other = legOf(call, ev.otherLeg);
          if (other) other.bridgedUs = minTs(other.bridgedUs, ev.tsUs);
          if (leg.role !== 'caller' || other) call.connectedUs = minTs(call.connectedUs, ev.tsUs);
          const agent = [leg, other].find((l) => l?.role === 'agent');
          if (agent?.agentId) call.agentId = agent.agentId;
          // Bridged to someone again: no longer waiting in a transfer's hold.
          if (fresh && (leg.role === 'caller' || other?.role === 'caller')) delete call.onHoldSinceUs;
          break;
        }
        case 'channel-hold':
        case 'channel-unhold':
          if (ev.seq > call.holdSeq) {
            call.held = ev.type === 'channel-hold';
            call.holdSeq = ev.seq;
          }
          // Per leg, the time on hold (the agent report's hold time).
          if (fresh && ev.type === 'channel-hold') leg.holdSinceUs ??= ev.tsUs;
          if (fresh && ev.type === 'channel-unhold') endHold(leg, ev.tsUs);
          break;
        case 'channel-hangup':
        case 'channel-hangup-complete':
          endHold(leg, ev.tsUs);
          if (leg.role === 'caller' && ev.type === 'channel-hangup' && leg.endedUs === undefined) this.awaitingComplete.add(leg.uuid);
          if (ev.type === 'channel-hangup-complete') this.awaitingComplete.delete(leg.uuid);
          leg.endedUs = minTs(leg.endedUs, ev.tsUs);
          leg.cause ??= ev.cause;
          if (leg.role === 'caller') {
            call.endedUs = minTs(call.endedUs, ev.tsUs);
            call.hangupCause ??= ev.cause;
            if (ev.type === 'channel-hangup-complete' && ev.facts) this.applyDialplanFacts(call, leg, ev.facts, ev.tsUs);
          }
          break;
        case 'record-start':
          if (!call.recording || call.recording.path !== ev.path) call.recording = { path: ev.path, startedUs: ev.tsUs };
          break;
        case 'record-stop':
          if (call.recording && call.recording.path === ev.path) call.recording.stoppedUs = minTs(call.recording.stoppedUs, ev.tsUs);
          break;
        case 'conference':
          this.applyConference(call, leg, ev, fresh);
          break;
        case 'execute-complete':
          // The dialplan's hotline_survey extension begins with this `set`.
          if (leg.role === 'caller' && ev.app === 'set' && ev.data === 'hotline_survey=offered') call.survey ??= {};
          break;
        default:
          break;
      }
    });
  }

  /** A leg that vanished while we were not listening (found missing at resync). */
  closeLeg(uuid: string, tsUs: number, cause: string): Readonly<CallRecord> | undefined {
    const call = this.calls.get(this.legToCall.get(uuid) ?? '');
    const leg = call && legOf(call, uuid);
    if (!call || !leg) return call;
    // Hung up, but its HANGUP_COMPLETE was lost in the gap: complete the call without its facts.
    if (leg.endedUs !== undefined) return this.awaitingComplete.delete(uuid) ? this.change(call, () => undefined) : call;
    return this.change(call, () => {
      leg.endedUs = tsUs;
      leg.cause = cause;
      if (leg.role === 'caller') {
        call.endedUs = minTs(call.endedUs, tsUs);
        call.hangupCause ??= cause;
      }
    });
  }

  /**
   * The dialplan handed the call to the service: the one place its line and 110 case data come
   * from. CHANNEL_CREATE comes before routing (it carries neither), and it may reach us after this
   * (a call placed while the inbound connection was still subscribing is found by the resync): the
   * record is opened here if need be, and a later CHANNEL_CREATE finds it.
   */
  admit(a: AdmittedCall): Readonly<CallRecord> | undefined {
    // Already completed (the caller hung up before the intake began): nothing to reopen.
    if (this.recent.has(a.id)) return undefined;
    const known = this.calls.get(this.legToCall.get(a.id) ?? '');
    const facts = (c: CallRecord): void => {
      c.line = a.line;
      if (a.case110 && Object.keys(a.case110).length) c.case110 = { ...a.case110 };
    };
    if (known) return this.change(known, () => facts(known));
    const call = this.open({ id: a.id, node: a.node, line: a.line, callerNumber: a.callerNumber, callerName: a.callerName, destination: a.destination, createdUs: a.createdUs, seq: 0 });
    facts(call);
    this.hooks.onChanged?.(call, 'new');
    return call;
  }

  /** The IVR moved the call to a step (welcome, menu:1, ...). */
  recordIvrStep(id: string, step: string): void {
    this.update(id, (c) => void c.ivrPath.push(step));
  }

  /** Offered to a human queue. t0 stays at the first entry, across requeues and queue transfers. */
  recordQueued(id: string, q: { queue: string; priority: number; atUs: number; flags?: readonly CallFlag[] }): void {
    this.update(id, (c) => {
      c.queuedUs = minTs(c.queuedUs, q.atUs);
      c.queue = q.queue;
      c.priority = q.priority;
      delete c.onHoldSinceUs;
      for (const f of q.flags ?? []) if (!c.flags.includes(f)) c.flags.push(f);
    });
  }

  /** An agent's transfer moved the caller to the hold extension. */
  recordOnHold(id: string, atUs: number): void {
    this.update(id, (c) => void (c.onHoldSinceUs = atUs));
  }

  /** An attended transfer started, changed state, or ended (undefined). */
  recordConsult(id: string, consult: ConsultRecord | undefined): void {
    this.update(id, (c) => {
      if (consult) c.consult = consult;
      else delete c.consult;
    });
  }

  recordTransfer(id: string, t: TransferRecord): void {
    this.update(id, (c) => void c.transfers.push(t));
  }

  /** The transfer recorded at atUs did not connect (cause): the caller stayed with us. */
  recordTransferFailed(id: string, atUs: number, cause: string): void {
    this.update(id, (c) => {
      const i = c.transfers.findIndex((t) => t.atUs === atUs && t.failed === undefined);
      if (i >= 0) c.transfers[i] = { ...c.transfers[i]!, failed: cause };
    });
  }

  recordHandoff(id: string, h: NonNullable<CallRecord['handoff']>): void {
    this.update(id, (c) => void (c.handoff = h));
  }

  private update(id: string, fn: (c: CallRecord) => void): void {
    const call = this.calls.get(id);
    if (call) this.change(call, () => fn(call));
  }

  private create(ev: ChannelCreate): Readonly<CallRecord> | undefined {
    if (this.legToCall.has(ev.uuid)) return this.byLeg(ev.uuid);
    const parentId = ev.vars[VAR.callId] ?? (ev.otherLeg ? this.legToCall.get(ev.otherLeg) : undefined);
    const parent = parentId === undefined ? undefined : this.calls.get(parentId);
    if (parent) {
      const role = (ev.vars[VAR.legRole] as LegRole | undefined) ?? 'external';
      const leg: LegRecord = { uuid: ev.uuid, role: role === 'caller' ? 'external' : role, target: ev.destination, createdUs: ev.tsUs, lastSeq: ev.seq };
      const agentId = ev.vars[VAR.agentId];
      if (agentId) leg.agentId = agentId;
      const purpose = ev.vars[VAR.purpose];
      if (purpose === 'offer' || purpose === 'transfer' || purpose === 'consult' || purpose === 'conference') leg.purpose = purpose satisfies LegPurpose;
      this.legToCall.set(ev.uuid, parent.id);
      return this.change(parent, () => void parent.legs.push(leg));
    }
    // More than one switch: the other switch's trunk leg ringing an agent here is only the path of
    // an agent leg; the call (and that agent leg) lives on the caller's switch.
    if (ev.direction === 'inbound' && ev.context === PEER_CONTEXT) return undefined;
    // Calls entering from outside start a call record, and so do the citizen legs of callbacks;
    // our other originates carry hotline_call_id.
    const callbackOf = ev.vars[VAR.callbackOf];
    if (ev.direction !== 'inbound' && !callbackOf) return undefined;
    const call = this.open({
      id: ev.uuid,
      node: ev.node,
      // A callback leg carries its line from our originate. An inbound call's comes with admit(),
      // once the dialplan has tagged it: CHANNEL_CREATE is raised before routing.
      line: (callbackOf && ev.vars[VAR.line]) || UNKNOWN_LINE,
      // A callback leg dials the citizen: the citizen's number is the destination.
      callerNumber: callbackOf ? ev.destination : ev.callerNumber,
      callerName: ev.callerName,
      destination: ev.destination,
      createdUs: ev.tsUs,
      seq: ev.seq,
      ...(callbackOf ? { callbackOf } : {}),
    });
    this.hooks.onChanged?.(call, 'new');
    return call;
  }

  private open(o: { id: string; node: string; line: string; callerNumber: string; callerName: string; destination: string; createdUs: number; seq: number; callbackOf?: string }): CallRecord {
    const call: CallRecord = {
      id: o.id,
      node: o.node,
      line: o.line,
      callerNumber: o.callerNumber,
      callerName: o.callerName,
      destination: o.destination,
      state: 'new',
      legs: [{ uuid: o.id, role: 'caller', createdUs: o.createdUs, lastSeq: o.seq }],
      createdUs: o.createdUs,
      ivrPath: [],
      flags: [],
      transfers: [],
      held: false,
      holdSeq: 0,
      ...(o.callbackOf ? { callbackOf: o.callbackOf } : {}),
    };
    this.calls.set(call.id, call);
    this.legToCall.set(call.id, call.id);
    return call;
  }

  /**
   * What the dialplan did without the service, told by the caller leg's variables at hang-up: the
   * line it tagged (a call the service never saw), and its fallback (notice, overflow bridge) when
   * the service's socket was unreachable or closed mid-call. The overflow leg may have come and
   * gone while we were not listening: it is added from the bridge variables if we never saw it.
   */
  private applyDialplanFacts(call: CallRecord, caller: LegRecord, f: DialplanFacts, endUs: number): void {
    if (call.line === UNKNOWN_LINE && f.line) call.line = f.line;
    if (f.survey) call.survey = { ...call.survey, ...f.survey };
    if (f.answeredUs !== undefined) {
      caller.answeredUs = minTs(caller.answeredUs, f.answeredUs);
      call.answeredUs = minTs(call.answeredUs, f.answeredUs);
    }
    if (!f.fallback || call.fallback) return;
    const atUs = call.answeredUs ?? endUs;
    call.fallback = {
      reason: f.fallback,
      atUs,
      ...(f.fallbackNumber ? { number: f.fallbackNumber } : {}),
      ...(f.bridgedUs !== undefined ? { bridgedUs: f.bridgedUs } : {}),
      ...(f.disposition ? { disposition: f.disposition } : {}),
    };
    const to = f.fallbackNumber ?? 'overflow';
    if (f.bridgedUs === undefined) {
      call.transfers.push({ atUs: endUs, kind: 'blind', from: 'fallback', to, failed: f.disposition ?? call.hangupCause ?? 'NOT_BRIDGED' });
      return;
    }
    call.transfers.push({ atUs: f.bridgedUs, kind: 'blind', from: 'fallback', to });
    caller.bridgedUs = minTs(caller.bridgedUs, f.bridgedUs);
    call.connectedUs = minTs(call.connectedUs, f.bridgedUs);
    if (f.bridgedTo && !legOf(call, f.bridgedTo) && !this.recent.has(f.bridgedTo)) {
      call.legs.push({ uuid: f.bridgedTo, role: 'external', target: to, createdUs: f.bridgedUs, answeredUs: f.bridgedUs, bridgedUs: f.bridgedUs, endedUs: endUs, lastSeq: 0 });
      this.legToCall.set(f.bridgedTo, call.id);
    }
  }

  private applyConference(call: CallRecord, leg: LegRecord, ev: Extract<SwitchEvent, { type: 'conference' }>, fresh: boolean): void {
    if (!fresh) return;
    const conf = (call.conference ??= { name: ev.conference, members: [] });
    const parties = (conf.parties ??= []);
    const open = parties.find((p) => p.uuid === leg.uuid && p.leftUs === undefined);
    switch (ev.action) {
      case 'add-member':
        if (!conf.members.includes(leg.uuid)) conf.members.push(leg.uuid);
        if (!open) parties.push({ uuid: leg.uuid, joinedUs: ev.tsUs, ...(ev.memberId ? { memberId: ev.memberId } : {}) });
        break;
      case 'del-member':
        conf.members = conf.members.filter((m) => m !== leg.uuid);
        if (open) open.leftUs = ev.tsUs;
        break;
      case 'mute-member':
      case 'unmute-member':
        if (open) open.muted = ev.action === 'mute-member';
        break;
      case 'hold-member':
      case 'unhold-member':
        if (open) open.held = ev.action === 'hold-member';
        break;
      default:
        break;
    }
  }

  /** Who takes the case after a three-way (the last word counts). */
  recordCaseOwner(id: string, owner: CaseOwner): void {
    this.update(id, (c) => {
      if (c.conference) c.conference.caseOwner = owner;
    });
  }

  private change(call: CallRecord, fn: () => void): Readonly<CallRecord> {
    const before = call.state;
    fn();
    call.state = deriveState(call);
    this.hooks.onChanged?.(call, before);
    if (call.state === 'ended' && call.legs.every((l) => l.endedUs !== undefined && !this.awaitingComplete.has(l.uuid))) this.complete(call);
    return call;
  }

  private complete(call: CallRecord): void {
    this.calls.delete(call.id);
    for (const l of call.legs) {
      this.legToCall.delete(l.uuid);
      this.awaitingComplete.delete(l.uuid);
      this.recent.add(l.uuid);
    }
    // Bounded memory: forget the oldest completed legs first (a Set iterates in insertion order).
    for (const old of this.recent) {
      if (this.recent.size <= RECENT_LIMIT) break;
      this.recent.delete(old);
    }
    this.hooks.onCompleted(call);
  }
}
