// What a call keeps of its outbound socket's channel data (the `connect` reply: ~140 headers,
// ~5.5 KB). A call holds it through its welcome (11 s in `npm run bench -- load`, ~1,100 calls at
// 100 calls/s), and the whole of it was about half the service's heap per live call. The service
// reads a few Caller-* headers, its own hotline_* variables (set by the dialplan: line, node, the
// vetted 110 case data) and the partners' configured case-id variables; the rest is dropped.
import type { HeaderView } from './esl-message.ts';

/** The headers intake reads (intake-call.ts, call-control.ts), besides channel variables. */
const KEPT_HEADERS: ReadonlySet<string> = new Set([
  'Unique-ID',
  'Event-Date-Timestamp',
  'Caller-Caller-ID-Number',
  'Caller-Caller-ID-Name',
  'Caller-Destination-Number',
  'Caller-Channel-Created-Time',
]);

/**
 * A copy that owns its characters. The view's names and values are slices of its one ~5.5 KB
 * string, and V8 keeps the whole parent alive for any slice of 13 characters or more: kept as they
 * are, they held all of it (7.4 KB per call measured, more than the full view).
 */
const own = (s: string): string => Buffer.from(s, 'utf8').toString('utf8');

/**
 * The channel data cut to what the service reads: the headers above, every `hotline_*` channel
 * variable, and the variables named in `keepVariables` (without the `variable_` prefix). Values
 * decoded as the view's; the first of a repeated header wins, as in the view.
 */
export function keptChannelData(view: HeaderView, keepVariables: ReadonlySet<string>): HeaderView {
  // Name, value, name, value...: a dozen pairs, read a few times per call; a flat array is the
  // smallest holder (a Map of 12 entries took about twice the heap).
  const kept: string[] = [];
  const find = (name: string): number => {
    for (let i = 0; i < kept.length; i += 2) if (kept[i] === name) return i;
    return -1;
  };
  for (const [name, value] of view.headers()) {
    const variable = name.startsWith('variable_') ? name.slice('variable_'.length) : undefined;
    const wanted = KEPT_HEADERS.has(name) || (variable !== undefined && (variable.startsWith('hotline_') || keepVariables.has(variable)));
    if (wanted && find(name) < 0) kept.push(own(name), own(value));
  }
  return {
    get: (name) => {
      const i = find(name);
      return i < 0 ? undefined : kept[i + 1];
    },
    *headers() {
      for (let i = 0; i < kept.length; i += 2) yield [kept[i]!, kept[i + 1]!];
    },
  };
}
