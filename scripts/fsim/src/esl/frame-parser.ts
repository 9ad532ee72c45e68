// Parser for what ESL clients send: a command line, optional "Name: value" header lines, a blank
// line, and (when a Content-Length header is present) exactly that many body bytes.
//
// Mirrors mod_event_socket's read_packet():
// - a frame ends at two LFs with only CRs between them, so "\n\n" and "\r\n\r\n" both work;
// - CR/LF bytes before a frame starts are skipped ("bah" in the C source);
// - header lines without ':' are ignored; spaces after ':' are skipped;
// - Content-Length is read with atoi() semantics (garbage -> 0, negative -> no body) and the body
//   starts right after the blank line, whatever the header's position;
// - when the header block reaches the cap without a blank line, FreeSWITCH treats what it has as a
//   complete frame (its cap is 10 MiB; ours is smaller) - the rest of the garbage is read as the
//   next frames, so memory stays bounded and the stream resyncs at the next blank line.
// A body larger than maxBody cannot be held: the parser reports an error and stops (the session
// then answers "-ERR command parse error." and closes, the path FreeSWITCH takes for a bad packet).

import type { Header } from '../types.ts';

export interface CommandFrame {
  /** The first line, without its line ending (e.g. "api status", "sendmsg <uuid>"). */
  readonly command: string;
  /** The header lines that followed, in order, names as sent. */
  readonly headers: readonly Header[];
  /** Content-Length bytes after the blank line, decoded as UTF-8. */
  readonly body?: string;
  /** The header block hit the size cap and was cut there. */
  readonly truncated?: boolean;
}

export interface FrameParserOptions {
  /** Cap on one header block in bytes (default 1 MiB). */
  readonly maxHead?: number;
  /** Cap on one body in bytes (default 1 MiB). */
  readonly maxBody?: number;
}

export const DEFAULT_MAX_FRAME = 1024 * 1024;

/** Case-insensitive header lookup, first match wins (switch_event_get_header). */
export function frameHeader(frame: CommandFrame, name: string): string | undefined {
  const lower = name.toLowerCase();
  for (const [k, v] of frame.headers) if (k.toLowerCase() === lower) return v;
  return undefined;
}

/** C atoi(): optional spaces, optional sign, digits; anything else stops it. */
export function atoi(s: string): number {
  const m = /^[ \t\n\v\f\r]*([+-]?\d+)/.exec(s);
  if (!m || m[1] === undefined) return 0;
  const n = Number.parseInt(m[1], 10);
  return Number.isSafeInteger(n) ? n : n > 0 ? Number.MAX_SAFE_INTEGER : Number.MIN_SAFE_INTEGER;
}

export class CommandFrameParser {
  private readonly maxHead: number;
  private readonly maxBody: number;
  private head: Buffer[] = [];
  private headLen = 0;
  private lfCount = 0;
  private pending: { command: string; headers: Header[]; truncated: boolean } | undefined;
  private bodyParts: Buffer[] = [];
  private bodyNeeded = 0;
  private failure: string | undefined;

  constructor(opts: FrameParserOptions = {}) {
    this.maxHead = opts.maxHead ?? DEFAULT_MAX_FRAME;
    this.maxBody = opts.maxBody ?? DEFAULT_MAX_FRAME;
  }

  /** Set once the stream cannot be parsed any more (body over the cap); further input is ignored. */
  get error(): string | undefined {
    return this.failure;
  }

  /** True while part of a frame has been received. */
  get midFrame(): boolean {
    return this.headLen > 0 || this.pending !== undefined;
  }

  /** Feed bytes; returns the frames completed by them, in order. Never throws. */
  push(chunk: Buffer): CommandFrame[] {
    const out: CommandFrame[] = [];
    let i = 0;
    while (i < chunk.length && this.failure === undefined) {
      if (this.pending) {
        const take = Math.min(this.bodyNeeded, chunk.length - i);
        this.bodyParts.push(chunk.subarray(i, i + take));
        this.bodyNeeded -= take;
        i += take;
        if (this.bodyNeeded === 0) {
          const body = Buffer.concat(this.bodyParts).toString('utf8');
          out.push({ ...this.pendingFrame(), body });
          this.pending = undefined;
          this.bodyParts = [];
        }
        continue;
      }
      // Header block. Line endings before a frame starts are skipped ("bah" in read_packet).
      if (this.headLen === 0) {
        while (i < chunk.length && (chunk[i] === 0x0a || chunk[i] === 0x0d)) i++;
        if (i === chunk.length) break;
      }
      const start = i;
      let done = false;
      for (; i < chunk.length; i++) {
        const b = chunk[i] as number;
        if (b === 0x0a) this.lfCount++;
        else if (b !== 0x0d) this.lfCount = 0;
        if (this.lfCount === 2 || this.headLen + (i - start) + 1 >= this.maxHead) {
          i++;
          done = true;
          break;
        }
      }
      this.head.push(chunk.subarray(start, i));
      this.headLen += i - start;
      if (done) this.finishHead(out);
    }
    return out;
  }

  private pendingFrame(): CommandFrame {
    const p = this.pending as { command: string; headers: Header[]; truncated: boolean };
    return p.truncated ? { command: p.command, headers: p.headers, truncated: true } : { command: p.command, headers: p.headers };
  }

  private finishHead(out: CommandFrame[]): void {
    const truncated = this.lfCount !== 2;
    const text = Buffer.concat(this.head, this.headLen).toString('utf8');
    this.head = [];
    this.headLen = 0;
    this.lfCount = 0;
    const lines = text.split('\n');
    const command = (lines[0] ?? '').replace(/\r+$/, '');
    const headers: Header[] = [];
    let clen = 0;
    for (let n = 1; n < lines.length; n++) {
      const line = (lines[n] as string).replace(/\r+$/, '');
      if (line === '') continue;
      const colon = line.indexOf(':');
      if (colon < 0) continue;
      const name = line.slice(0, colon);
      const value = line.slice(colon + 1).replace(/^ +/, '');
      headers.push([name, value]);
      if (name.toLowerCase() === 'content-length') clen = atoi(value);
    }
    this.pending = { command, headers, truncated };
    if (clen > this.maxBody) {
      this.failure = `body of ${clen} bytes exceeds the ${this.maxBody}-byte cap`;
      this.pending = undefined;
      return;
    }
    if (clen > 0) {
      this.bodyNeeded = clen;
      return;
    }
    out.push(this.pendingFrame());
    this.pending = undefined;
  }
}
