// `push`'s events: one call slot per agent, each cycling through a call the agent takes (caller leg
// CHANNEL_CREATE, agent leg CHANNEL_CREATE, ANSWER, BRIDGE, --holds HOLD / UNHOLD pairs, agent and
// caller leg HANGUP_COMPLETE). Each event carries the headers the service reads, written per event,
// plus the rest of a captured event of that name (events.ts) to make it realistic in size.
import { randomUUID } from 'node:crypto';
import type { FsEvent, Header } from '../../fsim/src/types.ts';
import { loadTemplates } from '../events.ts';
import type { BenchSwitch } from '../bench-switch.ts';
import type { Options } from './options.ts';
import { hrMs } from './proc-stats.ts';

export type Kind = 'caller-create' | 'agent-create' | 'answer' | 'bridge' | 'hold' | 'unhold' | 'agent-hangup' | 'caller-hangup';
const EVENT_NAME: Record<Kind, string> = {
  'caller-create': 'CHANNEL_CREATE',
  'agent-create': 'CHANNEL_CREATE',
  answer: 'CHANNEL_ANSWER',
  bridge: 'CHANNEL_BRIDGE',
  hold: 'CHANNEL_HOLD',
  unhold: 'CHANNEL_UNHOLD',
  'agent-hangup': 'CHANNEL_HANGUP_COMPLETE',
  'caller-hangup': 'CHANNEL_HANGUP_COMPLETE',
};

/** Headers the service reads (event-map.ts): taken out of the captured filler and written per event. */
const OWN = new Set([
  'Event-Name', 'Unique-ID', 'Event-Sequence', 'Event-Date-Timestamp', 'Call-Direction', 'Caller-Caller-ID-Number', 'Caller-Caller-ID-Name',
  'Caller-Destination-Number', 'Caller-Context', 'Channel-Name', 'Other-Leg-Unique-ID', 'Bridge-A-Unique-ID', 'Bridge-B-Unique-ID',
  'Hangup-Cause', 'variable_hangup_cause', 'variable_bench_seq', 'variable_bench_sent_ns',
]);
const isOwn = (k: string): boolean => OWN.has(k) || k.startsWith('variable_hotline_') || k.startsWith('variable_sip_h_X-110-');

export type Fillers = Record<Kind, Header[]>;

/** Per kind: the rest of a captured event of that name (or of any channel event), to make it realistic in size. */
export function fillers(opts: Options): { filler: Fillers; source: string; headersPerEvent: number } {
  const kinds = Object.keys(EVENT_NAME) as Kind[];
  if (opts.eventBytes === 0) return { filler: Object.fromEntries(kinds.map((k) => [k, []])) as unknown as Fillers, source: 'none (--event-bytes 0)', headersPerEvent: 0 };
  const set = loadTemplates({ ...(opts.fixtures ? { dir: opts.fixtures } : {}), targetBytes: opts.eventBytes });
  const filler = {} as Fillers;
  for (const k of kinds) {
    const tpl = set.templates.find((t) => t.name === EVENT_NAME[k]) ?? set.templates.find((t) => t.name === 'CHANNEL_EXECUTE') ?? set.templates[0]!;
    filler[k] = tpl.headers.filter(([h]) => !isOwn(h));
  }
  return { filler, source: set.source, headersPerEvent: set.headersPerEvent };
}

interface Slot {
  readonly agent: number;
  step: number;
  caller: string;
  leg: string;
}

/** The calls of all slots, event by event: `fireNext()` writes the next one and records its send time. */
export class CallCycle {
  readonly cycle: Kind[];
  /** Events per call. */
  readonly C: number;
  private readonly slots: Slot[];
  /** Per agent, per event that causes a call:update: its send time (hrMs)... */
  readonly sendT: number[][];
  /** ...and its kind. */
  readonly sendKind: Kind[][];
  /** Events before every slot has entered its cycle. */
  readonly staggerEvents: number;
  /** Calls started so far. */
  calls = 0;
  private readonly slotOrder: Generator<number>;
  private seq = 1000;

  constructor(
    private readonly agentIds: readonly string[],
    holds: number,
    private readonly filler: Fillers,
    private readonly sw: BenchSwitch,
  ) {
    const cycle: Kind[] = ['caller-create', 'agent-create', 'answer', 'bridge'];
    for (let h = 0; h < holds; h++) cycle.push('hold', 'unhold');
    cycle.push('agent-hangup', 'caller-hangup');
    this.cycle = cycle;
    const C = (this.C = cycle.length);
    const slots: Slot[] = (this.slots = agentIds.map((_, agent) => ({ agent, step: 0, caller: '', leg: '' })));
    this.sendT = agentIds.map(() => []);
    this.sendKind = agentIds.map(() => []);
    this.staggerEvents = slots.reduce((s, x) => s + (x.agent % C), 0);
    function* order(): Generator<number> {
      for (let r = 0; r < C; r++) for (let s = 0; s < slots.length; s++) if (s % C > r) yield s;
      for (;;) for (let s = 0; s < slots.length; s++) yield s;
    }
    this.slotOrder = order();
  }

  fireNext(): void {
    const { cycle, C, agentIds, sendT, sendKind } = this;
    const slot = this.slots[this.slotOrder.next().value as number]!;
    const kind = cycle[slot.step]!;
    slot.step = (slot.step + 1) % C;
    const agentId = agentIds[slot.agent]!;
    if (kind === 'caller-create') {
      slot.caller = randomUUID();
      slot.leg = randomUUID();
      this.calls++;
    }
    const uuid = kind === 'caller-create' || kind === 'caller-hangup' ? slot.caller : slot.leg;
    const own: Header[] = [
      ['Event-Name', EVENT_NAME[kind]],
      ['Unique-ID', uuid],
      ['Event-Sequence', String(this.seq++)],
      ['Event-Date-Timestamp', String(Math.round((performance.timeOrigin + performance.now()) * 1000))],
    ];
    switch (kind) {
      case 'caller-create':
        own.push(
          ['Call-Direction', 'inbound'],
          ['Caller-Caller-ID-Number', `1380000${String(slot.agent).padStart(4, '0')}`],
          ['Caller-Caller-ID-Name', 'Citizen'],
          ['Caller-Destination-Number', '12345'],
          ['Caller-Context', 'public'],
          ['Channel-Name', 'sofia/external/citizen@127.0.0.1'],
        );
        break;
      case 'agent-create':
        own.push(
          ['Call-Direction', 'outbound'],
          ['Caller-Caller-ID-Number', '12345'],
          ['Caller-Caller-ID-Name', 'Hotline'],
          // The client checks its pairing with this: the k-th call:update of the agent.
          ['Caller-Destination-Number', `bench-${sendT[slot.agent]!.length}`],
          ['Caller-Context', 'default'],
          ['Channel-Name', `sofia/internal/${agentId}@127.0.0.1`],
          ['Other-Leg-Unique-ID', slot.caller],
          ['variable_hotline_call_id', slot.caller],
          ['variable_hotline_leg_role', 'agent'],
          ['variable_hotline_agent_id', agentId],
          ['variable_hotline_line', 'main'],
        );
        break;
      case 'bridge':
        own.push(['Bridge-A-Unique-ID', slot.caller], ['Bridge-B-Unique-ID', slot.leg], ['Other-Leg-Unique-ID', slot.caller]);
        break;
      case 'agent-hangup':
      case 'caller-hangup':
        own.push(['Hangup-Cause', 'NORMAL_CLEARING']);
        break;
      default:
        break;
    }
    const ev: FsEvent = { name: EVENT_NAME[kind], uuid, headers: [...own, ...this.filler[kind]] };
    const t = hrMs();
    this.sw.fire(ev);
    if (kind !== 'caller-create') {
      sendT[slot.agent]!.push(t);
      sendKind[slot.agent]!.push(kind);
    }
  }
}
