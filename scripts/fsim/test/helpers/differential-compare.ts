// Compares one scenario's events from the real switch and from fsim, leg by leg, in form: the event
// names in order (aligned, so a missing event is reported once and does not shift the rest), the
// headers the service reads (server/src/freeswitch/event-map.ts), and the values that carry meaning
// (dispositions, causes, states, applications).
import type { CapturedEvent } from './capture.ts';

/** Events about the test's own ESL use or the clock, not the calls. */
const NOT_CALLS = new Set(['HEARTBEAT', 'RE_SCHEDULE', 'API', 'BACKGROUND_JOB', 'RELOADXML', 'MODULE_LOAD', 'SOCKET_DATA']);

/** Headers the service reads (event-map.ts, intake, resync): present on one side means present on the other. */
export const SERVICE_HEADERS = [
  'Unique-ID', 'Event-Sequence', 'Event-Date-Timestamp', 'Call-Direction', 'Caller-Caller-ID-Number', 'Caller-Caller-ID-Name',
  'Caller-Destination-Number', 'Caller-Context', 'Channel-Name', 'Caller-Network-Addr', 'Other-Leg-Unique-ID',
  'Bridge-A-Unique-ID', 'Bridge-B-Unique-ID', 'Hangup-Cause', 'Application', 'Application-Response', 'Application-UUID',
  'Playback-File-Path', 'Record-File-Path', 'DTMF-Digit', 'Event-Subclass', 'Conference-Name', 'Action', 'Member-ID',
] as const;

/** Values compared (digits and UUIDs normalised). */
export const VALUE_HEADERS = [
  'Call-Direction', 'Hangup-Cause', 'Application', 'Application-Response', 'Answer-State', 'Channel-State', 'Channel-Call-State',
  'Caller-Context', 'Caller-Destination-Number', 'Caller-Network-Addr', 'DTMF-Digit', 'Event-Subclass', 'Action',
  'variable_sip_hangup_disposition', 'variable_sip_term_status', 'variable_originate_disposition', 'variable_endpoint_disposition',
  'variable_DIALSTATUS', 'variable_hangup_cause',
] as const;

const UUID = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/gi;
const norm = (v: string | undefined): string | undefined => v?.replace(UUID, '<uuid>').replace(/\d+/g, 'N');

export const eventKey = (e: CapturedEvent): string => {
  const sub = e.get('Event-Subclass');
  const action = sub === 'conference::maintenance' ? `:${e.get('Action') ?? ''}` : '';
  return sub ? `${e.name}/${sub}${action}` : e.name;
};

interface Leg {
  readonly uuid: string;
  readonly label: string;
  readonly events: CapturedEvent[];
}

function legsOf(events: readonly CapturedEvent[]): { legs: Leg[]; other: CapturedEvent[] } {
  const legs = new Map<string, Leg>();
  const other: CapturedEvent[] = [];
  for (const e of events) {
    if (NOT_CALLS.has(e.name)) continue;
    const id = e.get('Unique-ID');
    if (!id) {
      other.push(e);
      continue;
    }
    let leg = legs.get(id);
    if (!leg) {
      leg = { uuid: id, label: '', events: [] };
      legs.set(id, leg);
    }
    leg.events.push(e);
  }
  const labelled = [...legs.values()].map((l) => {
    const f = l.events.find((e) => e.get('Call-Direction')) ?? l.events[0];
    const name = (f?.get('Channel-Name') ?? '').replace(/:\d+$/, '').replace(/@.*$/, '');
    return { ...l, label: `${f?.get('Call-Direction') ?? '?'} ${name} -> ${f?.get('Caller-Destination-Number') ?? ''}` };
  });
  return { legs: labelled, other };
}

/** Longest-common-subsequence alignment of two name lists: pairs of indexes, -1 for a gap. */
function align(a: readonly string[], b: readonly string[]): [number, number][] {
  const n = a.length;
  const m = b.length;
  const L: number[][] = Array.from({ length: n + 1 }, () => new Array<number>(m + 1).fill(0));
  for (let i = n - 1; i >= 0; i--)
    for (let j = m - 1; j >= 0; j--) L[i]![j] = a[i] === b[j] ? L[i + 1]![j + 1]! + 1 : Math.max(L[i + 1]![j]!, L[i]![j + 1]!);
  const out: [number, number][] = [];
  let i = 0;
  let j = 0;
  while (i < n || j < m) {
    if (i < n && j < m && a[i] === b[j]) out.push([i++, j++]);
    else if (j >= m || (i < n && L[i + 1]![j]! >= L[i]![j + 1]!)) out.push([i++, -1]);
    else out.push([-1, j++]);
  }
  return out;
}

export interface ScenarioComparison {
  readonly eventsCompared: number;
  readonly realEvents: number;
  readonly fsimEvents: number;
  readonly differences: string[];
}

export function compareScenario(real: readonly CapturedEvent[], sim: readonly CapturedEvent[]): ScenarioComparison {
  const A = legsOf(real);
  const B = legsOf(sim);
  const out: string[] = [];
  let compared = 0;
  // Legs are matched by label (direction, channel name without the port, destination) in order of
  // first appearance, so a leg that only one side has does not shift the others.
  const usedB = new Set<number>();
  const pairs: [Leg | undefined, Leg | undefined][] = [];
  for (const la of A.legs) {
    const j = B.legs.findIndex((lb, k) => !usedB.has(k) && lb.label === la.label);
    if (j >= 0) usedB.add(j);
    pairs.push([la, j >= 0 ? B.legs[j] : undefined]);
  }
  B.legs.forEach((lb, k) => {
    if (!usedB.has(k)) pairs.push([undefined, lb]);
  });
  for (const [la, lb] of pairs) {
    if (!la || !lb) {
      out.push(`leg [${(la ?? lb)?.label}]: only on ${la ? 'the real switch' : 'fsim'}`);
      continue;
    }
    const na = la.events.map(eventKey);
    const nb = lb.events.map(eventKey);
    for (const [i, j] of align(na, nb)) {
      if (j < 0) out.push(`leg [${la.label}]: ${na[i]} (#${i + 1} on the real switch) missing in fsim, after ${na.slice(Math.max(0, i - 2), i).join(' ')}`);
      else if (i < 0) out.push(`leg [${la.label}]: extra ${nb[j]} in fsim, after ${nb.slice(Math.max(0, j - 2), j).join(' ')}`);
      else {
        compared++;
        const ea = la.events[i]!;
        const eb = lb.events[j]!;
        const where = `leg [${la.label}] ${na[i]} (#${i + 1})`;
        const missing = SERVICE_HEADERS.filter((h) => ea.get(h) !== undefined && eb.get(h) === undefined);
        const extra = SERVICE_HEADERS.filter((h) => ea.get(h) === undefined && eb.get(h) !== undefined);
        if (missing.length || extra.length) out.push(`${where}: service headers missing [${missing.join(', ')}] extra [${extra.join(', ')}]`);
        for (const h of VALUE_HEADERS) {
          const va = norm(ea.get(h));
          const vb = norm(eb.get(h));
          if (va !== undefined && vb !== undefined && va !== vb) out.push(`${where}: ${h} ${JSON.stringify(ea.get(h))} vs ${JSON.stringify(eb.get(h))}`);
          else if (h.startsWith('variable_') && (va === undefined) !== (vb === undefined)) out.push(`${where}: ${h} ${JSON.stringify(ea.get(h))} vs ${JSON.stringify(eb.get(h))}`);
        }
      }
    }
  }
  const names = (xs: readonly CapturedEvent[]): string => xs.map(eventKey).sort().join(' ');
  if (names(A.other) !== names(B.other)) out.push(`events without a channel: real [${names(A.other)}] vs fsim [${names(B.other)}]`);
  compared += Math.min(A.other.length, B.other.length);
  return {
    eventsCompared: compared,
    realEvents: A.legs.reduce((n, l) => n + l.events.length, 0) + A.other.length,
    fsimEvents: B.legs.reduce((n, l) => n + l.events.length, 0) + B.other.length,
    differences: out,
  };
}
