// IntakeCall for a call whose welcome the dialplan played itself (vars.xml hotline_intake=dialplan,
// public.xml "hotline_intake_dialplan"): the dialplan answers, plays the line's welcome, fires the
// CUSTOM event hotline::intake with the channel's data, and moves the caller to hotline_wait. No
// outbound socket is opened for the call, so the switch spends no thread, event copies or command
// round trips on it (`npm run bench -- load-freeswitch`: the per-call socket was most of the
// switch's extra work against mod_callcenter). The service learns of the call from the event.
//
// Such a flow can only decide, not talk: the welcome is already played, and `set`, `elder-check`,
// `schedule` and `queue` need no socket. A flow that wants another prompt or a menu is refused at
// start (flowNeedsSocket below), so a site that needs menus keeps hotline_intake=socket.
import type { IntakeCall } from '../intake/call-intake.ts';
import type { FlowFile } from '../ivr/flow-schema.ts';
import type { SwitchCommands } from './commands.ts';
import { callerFacts, microseconds } from './intake-call.ts';
import { keptChannelData } from './channel-data.ts';
import * as val from './esl-values.ts';
import type { RawEvent } from './event-map.ts';

/** The CUSTOM subclass the dialplan fires once the welcome has played (public.xml). */
export const INTAKE_SUBCLASS = 'hotline::intake';

export class DialplanIntakeUnsupported extends Error {}

export interface DialplanIntakeOptions {
  readonly commands: SwitchCommands;
  /** Whether the caller's leg has ended (the registry follows its events). */
  readonly ended: (uuid: string) => boolean;
  /** Channel variables kept besides hotline_* (the partners' case-id variables). */
  readonly keepVariables: ReadonlySet<string>;
  /**
   * t0 when the data is not the intake event (a caller found waiting after a reconnect, read with
   * uuid_dump): the event's time is then only when we asked.
   */
  readonly t0Us?: number;
}

/**
 * A caller found in the waiting extension that no queue holds (the service was away when its
 * intake event fired): its channel data from `uuid_dump <uuid> json` (the uuid checked: it comes
 * from `show channels`), and t0 conservatively at its answer (the welcome's end is not recorded),
 * so its wait is never counted short.
 */
export async function dumpWaitingCaller(api: (command: string) => Promise<string>, uuid: string): Promise<{ view: RawEvent; answeredUs: number | undefined }> {
  return dumpedChannel(await api(`uuid_dump ${val.uuid(uuid)} json`));
}

/** A `uuid_dump <uuid> json` reply as a channel-data view, with the channel's answer time (µs). */
export function dumpedChannel(body: string): { view: RawEvent; answeredUs: number | undefined } {
  const parsed: unknown = JSON.parse(body);
  if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) throw new Error('uuid_dump: not a JSON object');
  const map = new Map<string, string>();
  for (const [k, v] of Object.entries(parsed)) if (typeof v === 'string') map.set(k, v);
  const view: RawEvent = { get: (n) => map.get(n), headers: () => map.entries() };
  // Caller-Channel-Answered-Time: answer_uepoch is only written at hang-up (switch_channel_set_timestamps).
  return { view, answeredUs: microseconds(map.get('Caller-Channel-Answered-Time')) };
}

/** The prompt the dialplan played as the welcome, from the event (hotline_welcome, public.xml). */
const playedWelcome = (raw: RawEvent): string | undefined => raw.get('variable_hotline_welcome');

export function dialplanIntakeCallOf(event: RawEvent, node: string, opts: DialplanIntakeOptions): IntakeCall | undefined {
  const uuid = event.get('Unique-ID');
  const atUs = opts.t0Us ?? microseconds(event.get('Event-Date-Timestamp'));
  if (!uuid || !val.isUuid(uuid) || atUs === undefined) return undefined;
  // The event carries all ~150 channel variables; the call keeps what intake reads.
  const raw = keptChannelData(event, opts.keepVariables);
  const welcome = playedWelcome(raw);
  let welcomed = false;
  return {
    callId: uuid,
    node,
    ...callerFacts(raw, atUs),
    // t0: the caller reached the waiting extension right after this event (the welcome's end).
    lastEventUs: atUs,
    get hungUp() {
      return opts.ended(uuid);
    },
    answer: async () => {},
    async play(prompt) {
      // The flow's first prompt is the welcome the dialplan already played.
      if (!welcomed && (welcome === undefined || welcome.endsWith(prompt))) {
        welcomed = true;
        return;
      }
      throw new DialplanIntakeUnsupported(`prompt "${prompt}" after the dialplan's welcome needs hotline_intake=socket`);
    },
    collectDigit: async () => {
      throw new DialplanIntakeUnsupported('menus need hotline_intake=socket');
    },
    setVar: (name, value) => opts.commands.setVar(uuid, name, value),
    // Already there: the dialplan moved the caller to hotline_wait after the event.
    wait: async () => {},
    transferOut: async () => {
      throw new DialplanIntakeUnsupported('IVR transfers need hotline_intake=socket');
    },
    hangup: (cause) => opts.commands.kill(uuid, cause),
    variable: (name) => raw.get(`variable_${name}`),
  };
}

/** Why a flow file cannot run behind the dialplan's welcome, or undefined when it can. */
export function flowNeedsSocket(file: FlowFile): string | undefined {
  for (const [name, flow] of Object.entries(file.flows)) {
    const plays = Object.entries(flow.nodes).filter(([, n]) => n.type === 'play');
    for (const [id, n] of Object.entries(flow.nodes)) {
      if (n.type === 'menu') return `flow "${name}" node "${id}" is a menu`;
      if (n.type === 'transfer') return `flow "${name}" node "${id}" transfers out`;
      if (n.type === 'hangup' && n.prompt) return `flow "${name}" node "${id}" plays a prompt before hanging up`;
    }
    if (plays.length > 1) return `flow "${name}" plays ${plays.length} prompts (the dialplan plays one welcome)`;
    if (plays.length === 1 && plays[0]?.[0] !== flow.start) return `flow "${name}" plays its prompt after other steps`;
  }
  return undefined;
}
