// Three-way calls: the caller, our agent and a third party (a partner hotline's dispatcher, or a
// department by its number) in one conference room, hotline-<call id>. Either console starts one:
// the agent from the softphone, a partner's dispatcher from its console (the call it handed us).
//
//   start        the third party rings while caller and agent go on talking; once it answers it
//                joins the room (extension hotline_conference) and caller and agent are moved in
//                with one uuid_transfer -both. Nobody answering changes nothing.
//   fromConsult  a consultation in progress (the caller on hold, the agent talking to the target)
//                becomes a three-way: caller, agent and target into the room.
//   member       the agent leaves (kicked: its leg hangs up, the others go on), holds or mutes.
//   caseOwner    who takes the case (us or the partner), recorded on the call and the handoff.
//
// The room's members come from conference::maintenance events (the registry folds them); when one
// member is left alone in it, its leg is hung up: a room of one is nobody's call.
import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import type { CallRecord, CaseOwner, ConsultRecord, LegRecord } from '../calls/call-record.ts';
import type { SwitchEvent } from '../calls/switch-events.ts';
import type { SwitchCommands } from '../freeswitch/commands.ts';
import { partnerHeaders } from '../acd/transfer.ts';

export type ThreeWaySwitch = Pick<SwitchCommands, 'originateInBackground' | 'transfer' | 'setVar' | 'kill' | 'conference'>;

export interface ThreeWayCalls {
  get(callId: string): Readonly<CallRecord> | undefined;
  byLeg(uuid: string): Readonly<CallRecord> | undefined;
  recordConsult(callId: string, consult: ConsultRecord | undefined): void;
  recordCaseOwner(callId: string, owner: CaseOwner): void;
}

/** Who asks: an agent on the call, or a partner's dispatcher (for the partner's own handoff). */
export type ThreeWayActor = { kind: 'agent'; agentId: string } | { kind: 'dispatcher'; user: string; partner: string };

/** The third party: a partner hotline (its configured number, or a dispatcher's callback number), or a department. */
export type ThreeWayTarget = { kind: 'partner'; partner: string; number?: string; summary?: string } | { kind: 'external'; number: string };

export type MemberAction = 'leave' | 'hold' | 'unhold' | 'mute' | 'unmute';

export interface ThreeWayDeps {
  readonly sw: ThreeWaySwitch;
  readonly calls: ThreeWayCalls;
  /** Dial string of a partner's gateway, to its own number or the one given; undefined: no such partner. */
  readonly partnerDialstring: (partner: string, number?: string) => string | undefined;
  /** Dial string of a department's number (the departments' gateway). */
  readonly externalDialstring: (number: string) => string;
  readonly ringSec: number;
  /** Wall clock (µs); the room's joins and leaves carry the switch's own times. */
  readonly nowUs: () => number;
  readonly logger: Logger;
  /** Wait (tests pass a fake); default: a timer. */
  readonly delay?: (ms: number) => Promise<void>;
  /** The case owner was set (the handoff record and the partner's console follow). */
  readonly onCaseOwner?: (call: Readonly<CallRecord>, owner: CaseOwner) => void;
}

export class ThreeWayError extends Error {
  constructor(
    readonly code: 'not-found' | 'forbidden' | 'conflict' | 'invalid',
    message: string,
  ) {
    super(message);
    this.name = 'ThreeWayError';
  }
}

export const ROOM_EXTENSION = ['hotline_conference', 'hotline_queue'] as const;
/** The room of a call: the dialplan accepts exactly this shape. */
export const roomOf = (callId: string): string => `hotline-${callId}`;

const defaultDelay = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
const live = (l: LegRecord | undefined): l is LegRecord => l !== undefined && l.endedUs === undefined;

export class ThreeWay {
  /** Calls with a three-way being set up on this instance: a second request waits its turn (refused). */
  private readonly busy = new Set<string>();

  constructor(private readonly deps: ThreeWayDeps) {}

  private liveCall(callId: string): Readonly<CallRecord> {
    const call = this.deps.calls.get(callId);
    if (!call) throw new ThreeWayError('not-found', `call ${callId}: no such live call`);
    if (!live(call.legs.find((l) => l.role === 'caller'))) throw new ThreeWayError('conflict', `call ${callId}: the caller has hung up`);
    return call;
  }

  /** The agent leg that talks on the call: the actor's own, or (for a dispatcher) the call's agent. */
  private agentLeg(call: Readonly<CallRecord>, by: ThreeWayActor): LegRecord {
    const talking = call.legs.filter((l) => l.role === 'agent' && live(l) && l.answeredUs !== undefined && l.uuid !== call.consult?.legUuid);
    if (by.kind === 'agent') {
      if (!call.legs.some((l) => l.role === 'agent' && l.agentId === by.agentId)) throw new ThreeWayError('forbidden', `call ${call.id} is not yours`);
      const mine = talking.find((l) => l.agentId === by.agentId);
      if (!mine) throw new ThreeWayError('conflict', `call ${call.id}: you are not talking on it`);
      return mine;
    }
    const leg = talking.find((l) => l.agentId === call.agentId) ?? talking[0];
    if (!leg) throw new ThreeWayError('conflict', `call ${call.id}: no agent is talking on it`);
    return leg;
  }

  private dialOf(target: ThreeWayTarget): string {
    if (target.kind === 'external') return this.deps.externalDialstring(target.number);
    const dial = this.deps.partnerDialstring(target.partner, target.number);
    if (!dial) throw new ThreeWayError('not-found', `no partner hotline ${target.partner}`);
    return dial;
  }

  /** The caller is in the room already (a second third party joins it). */
  private inRoom(call: Readonly<CallRecord>): boolean {
    return call.conference?.members.includes(call.id) ?? false;
  }

  /** Bring a third party into the call; resolves with its leg once it is in the room. */
  async start(callId: string, by: ThreeWayActor, target: ThreeWayTarget): Promise<string> {
    const call = this.liveCall(callId);
    if (by.kind === 'dispatcher' && target.kind === 'partner' && target.partner !== by.partner) throw new ThreeWayError('forbidden', 'a dispatcher brings in its own hotline (or a department) only');
    if (call.consult) throw new ThreeWayError('conflict', 'a consultation is in progress: complete, cancel or join it');
    const agentLeg = this.agentLeg(call, by);
    const dial = this.dialOf(target);
    if (this.busy.has(callId)) throw new ThreeWayError('conflict', 'a three-way call is being set up on this call');
    this.busy.add(callId);
    const log = this.deps.logger.child({ callId, by: by.kind === 'agent' ? `agent:${by.agentId}` : `dispatcher:${by.user}` });
    try {
      const room = roomOf(callId);
      const uuid = randomUUID();
      const vars: Record<string, string> = {
        hotline_call_id: callId, hotline_leg_role: 'external', hotline_leg_purpose: 'conference', hotline_conference: room,
        origination_caller_id_number: call.callerNumber,
      };
      const sipHeaders = target.kind === 'partner' ? partnerHeaders(call, agentLeg.agentId, target.summary) : undefined;
      try {
        // Answered, the new leg runs the room's extension and waits there for the other two.
        await this.deps.sw.originateInBackground(
          { dialstring: dial, uuid, vars, ...(sipHeaders ? { sipHeaders } : {}), timeoutSec: this.deps.ringSec, then: { extension: ROOM_EXTENSION[0], context: ROOM_EXTENSION[1] } },
          (this.deps.ringSec + 5) * 1000,
        );
      } catch (err) {
        log.warn({ reason: (err as Error).message }, 'three-way party did not answer: the call goes on as it was');
        throw new ThreeWayError('conflict', `the third party did not answer (${(err as Error).message})`);
      }
      const now = this.deps.calls.get(callId);
      if (!now || !live(now.legs.find((l) => l.role === 'caller'))) {
        await this.deps.sw.kill(uuid, 'ORIGINATOR_CANCEL').catch(() => {});
        throw new ThreeWayError('conflict', 'the caller hung up meanwhile');
      }
      if (!this.inRoom(now)) {
        await this.deps.sw.setVar(callId, 'hotline_conference', room);
        await this.deps.sw.setVar(agentLeg.uuid, 'hotline_conference', room);
        // One command moves both bridged legs, so neither is ever left alone with the bridge gone.
        await this.deps.sw.transfer(callId, ROOM_EXTENSION[0], ROOM_EXTENSION[1], '-both');
      }
      log.info({ target: target.kind }, 'three-way call up');
      return uuid;
    } finally {
      this.busy.delete(callId);
    }
  }

  /** The consultation in progress becomes a three-way: caller, agent and target in one room. */
  async fromConsult(callId: string, agentId: string): Promise<void> {
    const call = this.liveCall(callId);
    const c = call.consult;
    if (!c) throw new ThreeWayError('conflict', `call ${callId}: no consultation in progress`);
    if (c.agentId !== agentId) throw new ThreeWayError('forbidden', `call ${callId}: the consultation is not yours`);
    if (c.state !== 'talking') throw new ThreeWayError('conflict', 'the target has not answered yet');
    const room = roomOf(callId);
    this.deps.calls.recordConsult(callId, undefined);
    for (const leg of [callId, c.agentLeg, c.legUuid]) await this.deps.sw.setVar(leg, 'hotline_conference', room);
    // One leg at a time: on the real switch `uuid_transfer -both` on a uuid_bridge'd consultation
    // moved the agent's leg only. Both consultation legs park when the other leaves their bridge
    // (park_after_bridge, set for the consultation), so the second one waits parked meanwhile.
    for (const leg of [callId, c.legUuid, c.agentLeg]) await this.deps.sw.transfer(leg, ROOM_EXTENSION[0], ROOM_EXTENSION[1]);
    // The leg left behind may still be parking (park_after_bridge) when its transfer arrives, and
    // the park wins (seen on the real switch about one run in two): a leg not in the room after a
    // moment is transferred again.
    for (let attempt = 0; attempt < 3; attempt++) {
      await (this.deps.delay ?? defaultDelay)(700);
      const now = this.deps.calls.get(callId);
      const missing = [c.legUuid, c.agentLeg].filter((u) => now?.legs.some((l) => l.uuid === u && l.endedUs === undefined) && !now.conference?.members.includes(u));
      if (!missing.length) break;
      for (const leg of missing) await this.deps.sw.transfer(leg, ROOM_EXTENSION[0], ROOM_EXTENSION[1]).catch(() => {});
    }
    this.deps.logger.info({ callId, agentId }, 'consultation joined into a three-way call');
  }

  /** The agent's own place in the room. */
  async member(callId: string, agentId: string, action: MemberAction): Promise<void> {
    const call = this.deps.calls.get(callId);
    if (!call) throw new ThreeWayError('not-found', `call ${callId}: no such live call`);
    const conf = call.conference;
    const legs = new Set(call.legs.filter((l) => l.role === 'agent' && l.agentId === agentId && live(l)).map((l) => l.uuid));
    const party = conf?.parties?.find((p) => legs.has(p.uuid) && p.leftUs === undefined);
    if (!conf || !party) throw new ThreeWayError('conflict', `call ${callId}: you are not in its three-way call`);
    if (!party.memberId) throw new ThreeWayError('conflict', 'the switch has not named your member yet');
    await this.deps.sw.conference(conf.name, action === 'leave' ? 'kick' : action, party.memberId);
    this.deps.logger.info({ callId, agentId, action }, 'three-way member action');
  }

  /** Who takes the case: 12345 or the partner. An agent in the call or the partner's dispatcher decides. */
  caseOwner(callId: string, by: ThreeWayActor, owner: string, allowed: readonly string[]): CaseOwner {
    const call = this.deps.calls.get(callId);
    if (!call) throw new ThreeWayError('not-found', `call ${callId}: no such live call`);
    if (!call.conference) throw new ThreeWayError('conflict', `call ${callId} has no three-way call`);
    if (!allowed.includes(owner)) throw new ThreeWayError('invalid', `owner must be one of ${allowed.join(', ')}`);
    if (by.kind === 'agent' && !call.legs.some((l) => l.role === 'agent' && l.agentId === by.agentId)) throw new ThreeWayError('forbidden', `call ${callId} is not yours`);
    const rec: CaseOwner = { owner, by: by.kind === 'agent' ? `agent:${by.agentId}` : `dispatcher:${by.user}`, atUs: this.deps.nowUs() };
    this.deps.calls.recordCaseOwner(callId, rec);
    this.deps.onCaseOwner?.(call, rec);
    return rec;
  }

  /** After the registry applied the event: a member left alone in a room is hung up. */
  onSwitchEvent(ev: SwitchEvent): void {
    if (ev.type !== 'conference' || ev.action !== 'del-member' || !ev.conference.startsWith('hotline-')) return;
    const call = this.deps.calls.byLeg(ev.uuid);
    const conf = call?.conference;
    if (!call || !conf || conf.name !== ev.conference || conf.members.length !== 1) return;
    const last = conf.members[0]!;
    this.deps.logger.info({ callId: call.id }, 'three-way room down to one member: ended');
    void this.deps.sw.kill(last, 'NORMAL_CLEARING').catch((err: unknown) => this.deps.logger.warn({ err, callId: call.id }, 'last member not hung up'));
  }
}
