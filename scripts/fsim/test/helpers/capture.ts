// Parses a real FreeSWITCH ESL capture (the exact server->client bytes, *.s2c.bin) into messages
// and events, so tests can compare the simulator's output with what FreeSWITCH really sent.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import path from 'node:path';

export const FIXTURES = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../../../shared/fixtures/esl');

export interface EslMessage {
  readonly headers: [string, string][];
  readonly body: string;
}

export interface CapturedEvent {
  readonly name: string;
  readonly headers: [string, string][];
  readonly body?: string;
  get(name: string): string | undefined;
}

/** Splits a byte stream into ESL messages: headers until a blank line, then Content-Length bytes. */
export function parseMessages(buf: Buffer): EslMessage[] {
  return parseMessagesFrom(buf, 0).messages;
}

/**
 * The complete messages from byte `start` on, and where the first incomplete one begins (a stream
 * read while the switch is still writing may end inside a message; parsing half a JSON event made
 * the census test flaky).
 */
export function parseMessagesFrom(buf: Buffer, start: number): { messages: EslMessage[]; end: number } {
  const out: EslMessage[] = [];
  let pos = start;
  while (pos < buf.length) {
    const end = buf.indexOf('\n\n', pos);
    if (end < 0) break;
    const head = buf.subarray(pos, end).toString('utf8');
    const headers: [string, string][] = [];
    for (const line of head.split('\n')) {
      if (line === '') continue;
      const i = line.indexOf(': ');
      headers.push(i < 0 ? [line.replace(/:$/, ''), ''] : [line.slice(0, i), line.slice(i + 2)]);
    }
    const len = Number(headers.find(([k]) => k === 'Content-Length')?.[1] ?? 0);
    if (end + 2 + len > buf.length) break;
    const body = buf.subarray(end + 2, end + 2 + len).toString('utf8');
    pos = end + 2 + len;
    out.push({ headers, body });
  }
  return { messages: out, end: pos };
}

function decodePlain(v: string): string {
  try {
    return decodeURIComponent(v);
  } catch {
    return v;
  }
}

function mkEvent(headers: [string, string][], body?: string): CapturedEvent {
  const name = headers.find(([k]) => k === 'Event-Name')?.[1] ?? '';
  return { name, headers, ...(body !== undefined ? { body } : {}), get: (n) => headers.find(([k]) => k === n)?.[1] };
}

/** Events in a message list (plain and json bodies); other messages are skipped. */
export function eventsOf(msgs: readonly EslMessage[]): CapturedEvent[] {
  const out: CapturedEvent[] = [];
  for (const m of msgs) {
    const ct = m.headers.find(([k]) => k === 'Content-Type')?.[1];
    if (ct === 'text/event-plain') {
      const inner = parseMessages(Buffer.from(m.body.endsWith('\n\n') ? m.body : m.body + '\n\n'))[0];
      if (!inner) continue;
      const hs = inner.headers.map(([k, v]) => [k, decodePlain(v)] as [string, string]);
      out.push(mkEvent(hs, inner.body || undefined));
    } else if (ct === 'text/event-json') {
      const obj = JSON.parse(m.body) as Record<string, string>;
      const hs: [string, string][] = [];
      let body: string | undefined;
      for (const [k, v] of Object.entries(obj)) {
        if (k === '_body') body = v;
        else hs.push([k, String(v)]);
      }
      out.push(mkEvent(hs, body));
    }
  }
  return out;
}

export function loadCapture(name: string): { messages: EslMessage[]; events: CapturedEvent[] } {
  const messages = parseMessages(readFileSync(path.join(FIXTURES, `${name}.s2c.bin`)));
  return { messages, events: eventsOf(messages) };
}
