// Splits what FreeSWITCH sends on an event socket into frames, and nothing more: a block of
// "Name: value" lines ended by an empty line, then exactly Content-Length bytes of body when that
// header is present. Both sides of the wire (inbound client, outbound-socket listener) use it.
//
// The switch on the other end is not trusted to be well-behaved: every size is capped, a header
// block is scanned once (never from its start again on each read), and a stream that breaks the
// format sets `error` instead of throwing, so the owner ends that one connection.
export interface FrameLimits {
  /** Cap on one header block, in bytes. */
  readonly maxHeaderBytes: number;
  /** Cap on one body, in bytes. */
  readonly maxBodyBytes: number;
}

export interface EslFrame {
  /** Header lines in order, values as sent (still percent-encoded where FreeSWITCH encodes). */
  readonly headers: readonly (readonly [string, string])[];
  /** Content-Length bytes after the header block. */
  readonly body?: Buffer;
}

const LF = 0x0a;
const CR = 0x0d;

export class EslFrameParser {
  private buf: Buffer = Buffer.alloc(0);
  /** Reads that arrived while a body was still incomplete: joined once the body is all there. */
  private waiting: Buffer[] = [];
  private waitingLen = 0;
  /** Where the search for the end of the current header block resumes. */
  private scanFrom = 0;
  private head: EslFrame['headers'] | undefined;
  private bodyLen = 0;
  private failure: string | undefined;

  constructor(private readonly limits: FrameLimits) {}

  /** Set once the stream broke the format or a cap; further input is ignored. */
  get error(): string | undefined {
    return this.failure;
  }

  /** Bytes held for a frame not yet complete (the caps keep this bounded). */
  get buffered(): number {
    return this.buf.length + this.waitingLen;
  }

  /** Feed bytes; returns the frames they completed, in order. Never throws. */
  push(chunk: Buffer): EslFrame[] {
    const out: EslFrame[] = [];
    if (this.failure !== undefined) return out;
    if (this.head && this.buf.length + this.waitingLen + chunk.length < this.bodyLen) {
      // A large body in many reads: copy it once when complete, not once per read.
      this.waiting.push(chunk);
      this.waitingLen += chunk.length;
      return out;
    }
    this.buf = this.buf.length || this.waitingLen ? Buffer.concat([this.buf, ...this.waiting, chunk]) : chunk;
    this.waiting = [];
    this.waitingLen = 0;
    let off = 0;
    for (;;) {
      if (this.head) {
        if (this.buf.length - off < this.bodyLen) break;
        out.push({ headers: this.head, body: this.buf.subarray(off, off + this.bodyLen) });
        off += this.bodyLen;
        this.head = undefined;
        continue;
      }
      // Line ends between frames are skipped, as FreeSWITCH's own reader does.
      while (off < this.buf.length && (this.buf[off] === LF || this.buf[off] === CR)) off++;
      const end = this.buf.indexOf('\n\n', Math.max(off, this.scanFrom));
      if (end < 0) {
        if (this.buf.length - off > this.limits.maxHeaderBytes) return this.fail(`header block over ${this.limits.maxHeaderBytes} bytes`, out);
        // The terminator may straddle this read and the next: resume one byte back.
        this.scanFrom = Math.max(off, this.buf.length - 1);
        break;
      }
      if (end - off > this.limits.maxHeaderBytes) return this.fail(`header block over ${this.limits.maxHeaderBytes} bytes`, out);
      const headers = parseHeaderBlock(this.buf.toString('utf8', off, end));
      off = end + 2;
      this.scanFrom = 0;
      if (typeof headers === 'string') return this.fail(headers, out);
      const clen = headers.find(([n]) => n === 'Content-Length')?.[1];
      if (clen === undefined) {
        out.push({ headers });
        continue;
      }
      if (!/^\d{1,10}$/.test(clen)) return this.fail(`bad Content-Length ${JSON.stringify(clen.slice(0, 20))}`, out);
      const len = Number(clen);
      if (len > this.limits.maxBodyBytes) return this.fail(`body of ${len} bytes over the ${this.limits.maxBodyBytes}-byte cap`, out);
      this.head = headers;
      this.bodyLen = len;
    }
    // Keep only the unconsumed tail (a copy, so the socket's large read buffers are not pinned).
    this.buf = off === 0 ? this.buf : off >= this.buf.length ? Buffer.alloc(0) : Buffer.from(this.buf.subarray(off));
    if (off > 0 && this.scanFrom > 0) this.scanFrom = Math.max(0, this.scanFrom - off);
    return out;
  }

  private fail(reason: string, out: EslFrame[]): EslFrame[] {
    this.failure = reason;
    this.buf = Buffer.alloc(0);
    this.waiting = [];
    this.waitingLen = 0;
    this.head = undefined;
    return out;
  }
}

/**
 * "Name: value" lines; FreeSWITCH writes exactly one space after the colon. Returns the reason
 * when a line has no name. Used for frame headers and for the header part of event-plain bodies.
 */
export function parseHeaderBlock(text: string): [string, string][] | string {
  const headers: [string, string][] = [];
  for (const raw of text.split('\n')) {
    const line = raw.endsWith('\r') ? raw.slice(0, -1) : raw;
    if (line === '') continue;
    const colon = line.indexOf(':');
    if (colon <= 0) return `malformed header line ${JSON.stringify(line.slice(0, 40))}`;
    const value = line.charCodeAt(colon + 1) === 0x20 ? line.slice(colon + 2) : line.slice(colon + 1);
    headers.push([line.slice(0, colon), value]);
  }
  return headers;
}
