// Transfers an agent makes from the softphone, done server-side over ESL so every phone (WebRTC
// or simulated) works the same and the caller is never lost in between:
//
//   hold      uuid_hold on the agent's leg: the caller hears music, the bridge stays.
//   blind     the caller moves to hotline_hold (music) and the agent's leg is dropped at once (its
//             call ends, wrap-up starts). The target rings; on answer the caller is bridged to it.
//             If nobody answers, the caller goes back to its queue at the head of its class (t0
//             kept), never to silence. To a queue: straight into that queue, t0 kept.
//   attended  the agent's leg is marked park_after_bridge and the caller moves to hotline_hold;
//             the target rings; on answer the agent's leg is bridged to it (consultation).
//             complete: caller bridged to the target, agent's leg hung up.
//             cancel:   target hung up, caller bridged back to the agent.
//             The target hanging up during the consultation cancels; the agent hanging up
//             completes (as on a desk phone); the caller hanging up leaves agent and target talking.
import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import type { CallRecord, ConsultRecord, LegRecord, TransferTarget } from '../calls/call-record.ts';
import type { SwitchEvent } from '../calls/switch-events.ts';
import type { SwitchCommands } from '../freeswitch/commands.ts';

export type TransferSwitch = Pick<SwitchCommands, 'originateInBackground' | 'bridge' | 'kill' | 'transfer' | 'setVar' | 'hold'>;

export interface TransferAgents {
  /** The agent's dial string (user/1001), or undefined if there is no such agent. */
  phoneOf(agentId: string): Promise<string | undefined>;
  /** ready -> reserved for this call; false if the agent is not ready. */
  reserve(agentId: string, callId: string): Promise<boolean>;
  connect(agentId: string, callId: string): Promise<boolean>;
  /** The target did not answer: as after a missed queue offer. */
  ringNoAnswer(agentId: string, callId: string): Promise<boolean>;
  cancelReservation(agentId: string, callId: string): Promise<boolean>;
}

export interface TransferCalls {
  get(callId: string): Readonly<CallRecord> | undefined;
  byLeg(uuid: string): Readonly<CallRecord> | undefined;
  live(): Readonly<CallRecord>[];
  recordOnHold(callId: string, atUs: number): void;
  recordConsult(callId: string, consult: ConsultRecord | undefined): void;
  recordTransfer(callId: string, t: CallRecord['transfers'][number]): void;
}

export interface TransferDeps {
  readonly sw: TransferSwitch;
  readonly agents: TransferAgents;
  readonly calls: TransferCalls;
  /** Put a caller (back) into a queue, t0 and priority kept: into hotline_wait, then enqueued. */
  readonly requeue: (callId: string, queue: string) => Promise<void>;
  readonly queueExists: (queue: string) => boolean;
  /** Dial string for an outside number (the departments' gateway). */
  readonly externalDialstring: (number: string) => string;
  /** Dial string of a configured partner hotline (its gateway and number), or undefined if there is none. */
  readonly partnerDialstring?: (partner: string) => string | undefined;
  readonly ringSec: number;
  /** Wall clock (µs) for the transfer records; switch events carry their own times. */
  readonly nowUs: () => number;
  readonly logger: Logger;
  /** A transfer left this agent's hands (its figures count it). */
  readonly onTransferred?: (agentId: string, callId: string) => void;
}

/** Refusals the softphone shows as they are; anything else is an internal error. */
export class TransferError extends Error {
  constructor(
    readonly code: 'not-found' | 'forbidden' | 'conflict' | 'invalid',
    message: string,
  ) {
    super(message);
    this.name = 'TransferError';
  }
}

const HOLD_EXT = ['hotline_hold', 'hotline_queue'] as const;
/** How long each step of a completed transfer waits for the switch (agent leg gone, then the bridge). */
const COMPLETE_STEP_WAIT_MS = 5_000;
const pairKey = (a: string, b: string): string => (a < b ? `${a}|${b}` : `${b}|${a}`);

/** The transfer as the call record keeps it: kind and `to` (partners count as partners in the figures). */
export function transferRecordOf(kind: 'blind' | 'attended' | 'queue', target: TransferTarget): { kind: CallRecord['transfers'][number]['kind']; to: string } {
  if (target.kind === 'agent') return { kind, to: `agent:${target.agentId}` };
  if (target.kind === 'queue') return { kind, to: `queue:${target.queue}` };
  if (target.kind === 'external') return { kind, to: `number:${target.number}` };
  return { kind: target.partner === '110' ? 'to110' : 'partner', to: `partner:${target.partner}` };
}

/** The case data a partner's dispatcher gets with the call (values are percent-encoded by the switch layer). */
export function partnerHeaders(call: Readonly<CallRecord>, agentId: string | undefined, summary: string | undefined): Record<string, string> {
  return {
    'X-12345-Case-Id': call.id,
    'X-12345-Caller-Number': call.callerNumber,
    'X-12345-Summary': summary ?? '',
    'X-12345-Agent-Id': agentId ?? '',
  };
}

const agentOf = (call: Readonly<CallRecord>): string | undefined => call.consult?.agentId ?? call.agentId;
const callerLegOf = (c: Readonly<CallRecord>): LegRecord | undefined => c.legs.find((l) => l.role === 'caller');

export class CallTransfers {
  /** Calls with a transfer under way on this instance: a second one is refused. */
  private readonly busy = new Set<string>();
  /** Consultation legs whose agent hung up while the target rang: complete on answer. */
  private readonly agentGone = new Set<string>();
  /** Caller leg -> the target leg ringing for its blind transfer: the caller leaving cancels it. */
  private readonly blindRinging = new Map<string, string>();
  /** Switch events a step waits for (`park|<uuid>`, `gone|<uuid>`, `bridge|<pair>`) -> its resolver. */
  private readonly waits = new Map<string, () => void>();

  constructor(private readonly deps: TransferDeps) {}

  /** The agent's live, answered leg on the call, or a refusal. */
  private ownLeg(callId: string, agentId: string): { call: Readonly<CallRecord>; leg: LegRecord } {
    const call = this.deps.calls.get(callId);
    if (!call) throw new TransferError('not-found', `call ${callId}: no such live call`);
    const mine = call.legs.filter((l) => l.role === 'agent' && l.agentId === agentId);
    if (!mine.length) throw new TransferError('forbidden', `call ${callId} is not yours`);
    // The target of a consultation in progress is not yet the call's agent.
    const leg = mine.find((l) => l.endedUs === undefined && l.answeredUs !== undefined && l.uuid !== call.consult?.legUuid);
    if (!leg) throw new TransferError('conflict', `call ${callId}: you are not talking on it`);
    if (callerLegOf(call)?.endedUs !== undefined) throw new TransferError('conflict', `call ${callId}: the caller has hung up`);
    return { call, leg };
  }

  async hold(callId: string, agentId: string, on: boolean): Promise<void> {
    const { call, leg } = this.ownLeg(callId, agentId);
    if (call.consult) throw new TransferError('conflict', 'a consultation is in progress: complete or cancel it');
    await this.deps.sw.hold(leg.uuid, on);
  }

  async transfer(callId: string, agentId: string, mode: 'blind' | 'attended', target: TransferTarget): Promise<void> {
    const { call, leg } = this.ownLeg(callId, agentId);
    if (call.consult || this.busy.has(callId)) throw new TransferError('conflict', 'a transfer is already in progress on this call');
    if (target.kind === 'agent' && target.agentId === agentId) throw new TransferError('invalid', 'cannot transfer a call to yourself');
    if (target.kind === 'queue' && !this.deps.queueExists(target.queue)) throw new TransferError('not-found', `no queue ${target.queue}`);
    if (mode === 'attended' && target.kind === 'queue') throw new TransferError('invalid', 'a transfer to a queue is blind');
    this.busy.add(callId);
    try {
      if (target.kind === 'queue') return await this.toQueue(call, agentId, target.queue);
      const dial = await this.dialOf(callId, target);
      if (mode === 'blind') await this.blind(call, agentId, target, dial);
      else await this.attended(call, agentId, leg, target, dial);
    } finally {
      this.busy.delete(callId);
    }
  }

  private async dialOf(callId: string, target: TransferTarget): Promise<string> {
    if (target.kind === 'external') return this.deps.externalDialstring(target.number);
    if (target.kind === 'partner') {
      const dial = this.deps.partnerDialstring?.(target.partner);
      if (!dial) throw new TransferError('not-found', `no partner hotline ${target.partner}`);
      return dial;
    }
    if (target.kind !== 'agent') throw new TransferError('invalid', 'unexpected target');
    const phone = await this.deps.agents.phoneOf(target.agentId);
    if (!phone) throw new TransferError('not-found', `no agent ${target.agentId}`);
    if (!(await this.deps.agents.reserve(target.agentId, callId))) throw new TransferError('conflict', `agent ${target.agentId} is not ready`);
    return phone;
  }

  private record(callId: string, agentId: string, kind: 'blind' | 'attended' | 'queue', target: TransferTarget): void {
    this.deps.calls.recordTransfer(callId, { atUs: this.deps.nowUs(), ...transferRecordOf(kind, target), from: agentId });
    this.deps.onTransferred?.(agentId, callId);
  }

  private async toQueue(call: Readonly<CallRecord>, agentId: string, queue: string): Promise<void> {
    // Leaving the bridge hangs up the agent's leg (no park_after_bridge): its call ends here.
    await this.deps.requeue(call.id, queue);
    this.record(call.id, agentId, 'queue', { kind: 'queue', queue });
    this.deps.logger.info({ callId: call.id, agentId, queue }, 'call transferred to a queue');
  }

  /** Ring the target for this call; resolves with its leg uuid once answered, rejects with the cause. */
  private ring(call: Readonly<CallRecord>, target: TransferTarget, dial: string, purpose: 'transfer' | 'consult', uuid: string): Promise<string> {
    const vars: Record<string, string> = {
      hotline_call_id: call.id,
      hotline_leg_role: target.kind === 'agent' ? 'agent' : 'external',
      hotline_leg_purpose: purpose,
      origination_caller_id_number: call.callerNumber,
    };
    if (target.kind === 'agent') {
      // Our own phones: the line as the name, and the leg's id for the softphone.
      vars.origination_caller_id_name = call.line;
      vars['sip_h_X-Hotline-Leg'] = uuid;
      vars.hotline_agent_id = target.agentId;
    } else {
      // An outside party (a department) sees the citizen's caller id and none of our headers.
      if (/^\+?[0-9]{3,20}$/.test(call.callerNumber)) vars.origination_caller_id_name = call.callerNumber;
    }
    // A partner hotline gets the case data in X-12345-* headers (its system pops it up).
    const sipHeaders = target.kind === 'partner' ? partnerHeaders(call, agentOf(call), target.summary) : undefined;
    // A consulted target must outlive the consulting agent hanging up (which completes the
    // transfer): the leg a uuid_bridge leaves behind hangs up unless it has park_after_bridge.
    if (purpose === 'consult') vars.park_after_bridge = 'true';
    return this.deps.sw.originateInBackground({ dialstring: dial, uuid, vars, ...(sipHeaders ? { sipHeaders } : {}), timeoutSec: this.deps.ringSec, then: { app: 'park' } }, (this.deps.ringSec + 5) * 1000);
  }

  /** Steps before the target rings: if one fails, the reserved colleague is free again. */
  private async beforeRinging(callId: string, target: TransferTarget, steps: () => Promise<void>): Promise<void> {
    try {
      await steps();
    } catch (err) {
      if (target.kind === 'agent') await this.deps.agents.cancelReservation(target.agentId, callId);
      throw err;
    }
  }

  private async holdCaller(callId: string): Promise<void> {
    await this.deps.sw.transfer(callId, ...HOLD_EXT);
    this.deps.calls.recordOnHold(callId, this.deps.nowUs());
  }

  /**
   * Callers left waiting in hotline_hold by a transfer this process no longer drives (the
   * instance that started it crashed or restarted): back into their queue, t0 kept. A ringing
   * target has long timed out by `graceSec`; a consultation still talking is left alone unless
   * both of its legs have ended.
   */
  async sweep(graceSec: number): Promise<void> {
    const before = this.deps.nowUs() - (this.deps.ringSec + graceSec) * 1e6;
    for (const call of this.deps.calls.live()) {
      if (call.onHoldSinceUs === undefined || call.onHoldSinceUs > before || this.busy.has(call.id)) continue;
      if (callerLegOf(call)?.endedUs !== undefined) continue;
      const c = call.consult;
      if (c?.state === 'talking') {
        const alive = (uuid: string): boolean => call.legs.some((l) => l.uuid === uuid && l.endedUs === undefined);
        if (alive(c.agentLeg) || alive(c.legUuid)) continue;
      }
      this.deps.logger.warn({ callId: call.id }, 'caller left on transfer hold: back into its queue');
      this.deps.calls.recordConsult(call.id, undefined);
      await this.deps.requeue(call.id, call.queue ?? 'general');
    }
  }

  private async targetMissed(callId: string, target: TransferTarget): Promise<void> {
    if (target.kind === 'agent') await this.deps.agents.ringNoAnswer(target.agentId, callId);
  }

  private async blind(call: Readonly<CallRecord>, agentId: string, target: TransferTarget, dial: string): Promise<void> {
    const log = this.deps.logger.child({ callId: call.id, agentId });
    const uuid = randomUUID();
    // The caller hears music while the target rings; the agent's leg, left behind, hangs up.
    await this.beforeRinging(call.id, target, () => this.holdCaller(call.id));
    this.record(call.id, agentId, 'blind', target);
    this.blindRinging.set(call.id, uuid);
    try {
      await this.ring(call, target, dial, 'transfer', uuid);
    } catch (err) {
      this.blindRinging.delete(call.id);
      await this.targetMissed(call.id, target);
      log.warn({ reason: (err as Error).message }, 'blind transfer not answered: caller back in its queue');
      if (callerLegOf(this.deps.calls.get(call.id) ?? call)?.endedUs === undefined) await this.deps.requeue(call.id, call.queue ?? 'general');
      throw new TransferError('conflict', `the target did not answer (${(err as Error).message}); the caller is back in the queue`);
    }
    this.blindRinging.delete(call.id);
    if (callerLegOf(this.deps.calls.get(call.id) ?? call)?.endedUs !== undefined) {
      await this.deps.sw.kill(uuid, 'ORIGINATOR_CANCEL').catch(() => {});
      if (target.kind === 'agent') await this.deps.agents.cancelReservation(target.agentId, call.id);
      throw new TransferError('conflict', 'the caller hung up during the transfer');
    }
    await this.deps.sw.bridge(call.id, uuid);
    if (target.kind === 'agent') await this.deps.agents.connect(target.agentId, call.id);
    log.info({ target: target.kind }, 'blind transfer connected');
  }

  private async attended(call: Readonly<CallRecord>, agentId: string, leg: LegRecord, target: TransferTarget, dial: string): Promise<void> {
    const log = this.deps.logger.child({ callId: call.id, agentId });
    const uuid = randomUUID();
    // The agent's leg must survive the caller leaving their bridge: it parks instead of hanging up.
    await this.beforeRinging(call.id, target, async () => {
      await this.deps.sw.setVar(leg.uuid, 'park_after_bridge', 'true');
      await this.holdCaller(call.id);
    });
    const consult: ConsultRecord = { agentId, target, legUuid: uuid, agentLeg: leg.uuid, state: 'ringing' };
    this.deps.calls.recordConsult(call.id, consult);
    try {
      await this.ring(call, target, dial, 'consult', uuid);
    } catch (err) {
      await this.targetMissed(call.id, target);
      log.warn({ reason: (err as Error).message }, 'consultation not answered: caller back with the agent');
      await this.rejoin(call.id, consult);
      throw new TransferError('conflict', `the target did not answer (${(err as Error).message})`);
    }
    if (target.kind === 'agent') await this.deps.agents.connect(target.agentId, call.id);
    if (this.agentGone.delete(uuid)) {
      // The agent hung up while the target rang: as on a desk phone, that completes the transfer.
      await this.finish(call.id, consult, 'complete', { targetParked: true });
      return;
    }
    await this.deps.sw.bridge(leg.uuid, uuid);
    this.deps.calls.recordConsult(call.id, { ...consult, state: 'talking' });
    log.info('consultation connected');
  }

  /** complete or cancel the consultation in progress. */
  async consult(callId: string, agentId: string, action: 'complete' | 'cancel'): Promise<void> {
    const call = this.deps.calls.get(callId);
    if (!call) throw new TransferError('not-found', `call ${callId}: no such live call`);
    const consult = call.consult;
    if (!consult) throw new TransferError('conflict', `call ${callId}: no consultation in progress`);
    if (consult.agentId !== agentId) throw new TransferError('forbidden', `call ${callId}: the consultation is not yours`);
    if (consult.state !== 'talking') throw new TransferError('conflict', 'the target has not answered yet');
    await this.finish(callId, consult, action);
  }

  /** opts.targetParked: the target never joined the agent (it answered after the agent hung up). */
  private async finish(callId: string, consult: ConsultRecord, action: 'complete' | 'cancel', opts: { targetParked?: boolean } = {}): Promise<void> {
    const log = this.deps.logger.child({ callId, agentId: consult.agentId });
    this.deps.calls.recordConsult(callId, undefined);
    if (action === 'complete') {
      // The consultation is uuid_bridge(agent leg, target). Taking the target from it with a new
      // uuid_bridge(caller, target) sometimes never bridged on the real switch under load (no
      // CHANNEL_BRIDGE, the caller left on hold music; about 1 run in 4). So the agent's leg, which
      // ends anyway, goes first and the target, left parked (park_after_bridge, set at its
      // originate), is bridged once that leg is gone, as a parked queue offer is. The real switch
      // raises no CHANNEL_PARK for such a park; the agent leg's HANGUP_COMPLETE is the signal.
      // Waits are registered before their command; a bridge not seen is asked for once more.
      const settled = opts.targetParked
        ? Promise.resolve(true)
        : Promise.race([this.seen(`park|${consult.legUuid}`, COMPLETE_STEP_WAIT_MS), this.seen(`gone|${consult.agentLeg}`, COMPLETE_STEP_WAIT_MS)]);
      await this.deps.sw.kill(consult.agentLeg, 'NORMAL_CLEARING').catch(() => {});
      if (!(await settled)) log.warn({ waitedMs: COMPLETE_STEP_WAIT_MS }, 'completed transfer: the agent leg did not end, bridging the target anyway');
      for (let attempt = 1; ; attempt++) {
        const joined = this.seen(`bridge|${pairKey(callId, consult.legUuid)}`, COMPLETE_STEP_WAIT_MS);
        await this.deps.sw.bridge(callId, consult.legUuid);
        if (await joined) break;
        log.warn({ waitedMs: COMPLETE_STEP_WAIT_MS, attempt }, 'completed transfer: no bridge event for caller and target');
        if (attempt === 2) break;
      }
      // From now on the target is the caller's agent: it hangs up with the caller again.
      await this.deps.sw.setVar(consult.legUuid, 'park_after_bridge', 'false').catch(() => {});
      this.record(callId, consult.agentId, 'attended', consult.target);
      log.info('attended transfer completed');
    } else {
      await this.deps.sw.kill(consult.legUuid, 'NORMAL_CLEARING').catch(() => {});
      await this.rejoin(callId, consult);
      log.info('consultation cancelled: caller back with the agent');
    }
  }

  /** Caller and agent together again after a consultation; the agent's leg hangs up with the caller again. */
  private async rejoin(callId: string, consult: ConsultRecord): Promise<void> {
    this.deps.calls.recordConsult(callId, undefined);
    const call = this.deps.calls.get(callId);
    const agentLeg = call?.legs.find((l) => l.uuid === consult.agentLeg);
    if (!call || callerLegOf(call)?.endedUs !== undefined || !agentLeg || agentLeg.endedUs !== undefined) return;
    await this.deps.sw.bridge(callId, consult.agentLeg);
    await this.deps.sw.setVar(consult.agentLeg, 'park_after_bridge', 'false');
  }

  /**
   * Hang-ups during a consultation (before the registry applies the event): the target leaving
   * cancels it, the agent leaving completes it, the caller leaving ends it.
   */
  onSwitchEvent(ev: SwitchEvent): void {
    if (ev.type === 'channel-bridge') this.waits.get(`bridge|${pairKey(ev.uuid, ev.otherLeg)}`)?.();
    if (ev.type === 'channel-park') this.waits.get(`park|${ev.uuid}`)?.();
    if (ev.type === 'channel-hangup-complete') this.waits.get(`gone|${ev.uuid}`)?.();
    if (ev.type !== 'channel-hangup') return;
    const blindLeg = this.blindRinging.get(ev.uuid);
    if (blindLeg) void this.deps.sw.kill(blindLeg, 'ORIGINATOR_CANCEL').catch(() => {});
    for (const call of this.consulting(ev.uuid)) {
      const c = call.consult!;
      const log = this.deps.logger.child({ callId: call.id, agentId: c.agentId });
      const run = (p: Promise<void>): void => void p.catch((err: unknown) => log.error({ err }, 'consultation follow-up failed'));
      if (ev.uuid === c.legUuid && c.state === 'talking') {
        log.info('consultation target hung up');
        run(this.rejoin(call.id, c));
      } else if (ev.uuid === c.agentLeg) {
        if (c.state === 'talking') run(this.finish(call.id, c, 'complete'));
        else this.agentGone.add(c.legUuid);
      } else if (ev.uuid === call.id) {
        this.deps.calls.recordConsult(call.id, undefined);
        if (c.state === 'ringing') run(this.deps.sw.kill(c.legUuid, 'ORIGINATOR_CANCEL'));
      }
    }
  }

  /** True once the switch event `key` names arrives (see onSwitchEvent), false after ms. Call before the command. */
  private seen(key: string, ms: number): Promise<boolean> {
    return new Promise((resolve) => {
      const timer = setTimeout(() => done(false), ms);
      timer.unref?.();
      const done = (arrived: boolean): void => {
        clearTimeout(timer);
        if (this.waits.get(key) === arrive) this.waits.delete(key);
        resolve(arrived);
      };
      const arrive = (): void => done(true);
      this.waits.set(key, arrive);
    });
  }

  private consulting(uuid: string): Readonly<CallRecord>[] {
    const call = this.deps.calls.byLeg(uuid);
    return call?.consult ? [call] : [];
  }
}
