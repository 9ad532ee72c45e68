// Calls whose welcome the dialplan plays (config freeswitch.intake = "dialplan", public.xml
// "hotline_intake_dialplan"): the intake event starts their intake; the mode is leased to each
// switch (freeswitch/intake-mode.ts); and after every (re)connect, callers found in the waiting
// extension that no queue holds are taken in (their intake event fired while the service was away;
// in socket mode, a crash between the move to the wait and the enqueue leaves the same trace).
import type { Logger } from 'pino';
import type { Config } from './config.ts';
import type { CallRegistry } from './calls/registry.ts';
import { switchCommands } from './freeswitch/commands.ts';
import { dialplanIntakeCallOf, dumpWaitingCaller } from './freeswitch/dialplan-intake.ts';
import type { RawEvent } from './freeswitch/event-map.ts';
import type { InboundNode } from './freeswitch/inbound-node.ts';
import { IntakeLease } from './freeswitch/intake-mode.ts';
import type { ChannelRow } from './freeswitch/resync.ts';
import { takeCall, type IntakeDeps } from './intake/call-intake.ts';
import type { QueueStore } from './store/queue-store.ts';

export interface DialplanIntakeDeps {
  readonly config: Config;
  readonly logger: Logger;
  readonly registry: CallRegistry;
  readonly queues: QueueStore;
  readonly intake: IntakeDeps;
  /** Runs the intake in the background (failures logged by the owner). */
  readonly track: (what: string, callId: string, p: Promise<unknown>) => void;
}

export interface DialplanIntake {
  /** The CUSTOM hotline::intake event from a node. */
  onEvent(node: InboundNode, raw: RawEvent): void;
  /** After a node's (re)connect and resync: renew the mode, take in unqueued waiting callers. */
  onConnected(node: InboundNode, rows: readonly ChannelRow[]): Promise<void>;
  stop(): void;
}

/** A caller the dialplan moved to the waiting extension (queue.xml "hotline_wait"). */
const isWaiting = (r: ChannelRow): boolean => r.direction === 'inbound' && r.dest === 'hotline_wait' && r.context === 'hotline_queue';

export function startDialplanIntake(deps: DialplanIntakeDeps): DialplanIntake {
  const log = deps.logger.child({ component: 'dialplan-intake' });
  const keepVariables = new Set(deps.config.handoff.partners.flatMap((p) => (p.caseIdVariable ? [p.caseIdVariable] : [])));
  const leases = new Map<InboundNode, IntakeLease>();
  const optionsFor = (node: InboundNode, t0Us?: number) => ({
    commands: switchCommands((c) => node.api(c)),
    ended: (uuid: string) => deps.registry.get(uuid)?.endedUs !== undefined,
    keepVariables,
    ...(t0Us !== undefined ? { t0Us } : {}),
  });

  const leaseOf = (node: InboundNode): IntakeLease => {
    let lease = leases.get(node);
    if (!lease) {
      lease = new IntakeLease(deps.config.freeswitch.intake, deps.config.freeswitch.intakeLeaseSec, (c) => node.api(c), () => node.connected, (err, failures) => {
        // Renewals failing in a row: logged at the first and every 12th, with the count.
        if (failures === 1 || failures % 12 === 0) log.error({ err, node: node.name, failures }, 'intake mode not renewed on the switch');
      });
      leases.set(node, lease);
    }
    return lease;
  };

  async function takeIn(node: InboundNode, uuid: string): Promise<void> {
    if (deps.registry.get(uuid)?.queuedUs !== undefined || (await deps.queues.get(uuid))) return;
    const { view, answeredUs } = await dumpWaitingCaller((c) => node.api(c), uuid);
    const call = dialplanIntakeCallOf(view, node.name, optionsFor(node, answeredUs));
    if (!call) return;
    log.warn({ callId: uuid, node: node.name }, 'caller found waiting without a queue entry: queued now');
    await takeCall(call, deps.intake);
  }

  return {
    onEvent(node, raw) {
      const call = dialplanIntakeCallOf(raw, node.name, optionsFor(node));
      if (!call) return void log.warn({ node: node.name }, 'intake event without a channel id or time: dropped');
      // Already queued (taken in after a reconnect as its event was on the way): once is enough,
      // a second entry could be offered to a second agent.
      if (deps.registry.get(call.callId)?.queuedUs !== undefined) return;
      deps.track('intake', call.callId, takeCall(call, deps.intake));
    },
    async onConnected(node, rows) {
      await leaseOf(node).apply();
      for (const r of rows.filter(isWaiting)) deps.track('intake', r.uuid, takeIn(node, r.uuid));
    },
    stop() {
      for (const l of leases.values()) l.stop();
    },
  };
}
