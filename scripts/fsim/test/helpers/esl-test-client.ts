// A raw-TCP ESL client for tests: sends commands as written and parses what the switch sends into
// messages (header block, then Content-Length bytes of body), keeping the exact bytes too so tests
// can compare against the FreeSWITCH captures. Also serves as the listener end of an outbound
// socket (listenOnce). Never reuse it as a production client: it trusts its peer.

import { connect, createServer } from 'node:net';
import type { Server, Socket } from 'node:net';

export interface EslMessage {
  /** Header lines in order, values as sent (URL-encoded where the switch encodes them). */
  readonly headers: ReadonlyArray<readonly [string, string]>;
  readonly body?: string;
  /** The exact text of this message (UTF-8 decoded). */
  readonly raw: string;
  /** First header with this name (case-insensitive). */
  header(name: string): string | undefined;
  /** Content-Type, the usual discriminator. */
  readonly type: string | undefined;
}

type Waiter = { pred: (m: EslMessage) => boolean; resolve: (m: EslMessage) => void; reject: (e: Error) => void; timer: NodeJS.Timeout };

function makeMessage(headBlock: string, body: string | undefined): EslMessage {
  const headers: Array<[string, string]> = [];
  for (const line of headBlock.split('\n')) {
    if (!line) continue;
    const i = line.indexOf(':');
    headers.push(i < 0 ? [line, ''] : [line.slice(0, i), line.slice(i + 1).replace(/^ /, '')]);
  }
  const header = (name: string): string | undefined => headers.find(([k]) => k.toLowerCase() === name.toLowerCase())?.[1];
  const raw = headBlock + '\n\n' + (body ?? '');
  return { headers, body, raw, header, type: header('Content-Type') };
}

export class EslTestClient {
  private chunks: Buffer[] = [];
  private receivedLen = 0;
  /** Messages parsed and not yet taken by next()/waitFor(). */
  readonly inbox: EslMessage[] = [];
  closed = false;
  private buf: Buffer = Buffer.alloc(0);
  private waiters: Waiter[] = [];
  private readonly closedPromise: Promise<void>;

  constructor(readonly socket: Socket) {
    socket.on('error', () => {});
    socket.on('data', (chunk: Buffer) => {
      this.chunks.push(chunk);
      this.receivedLen += chunk.length;
      this.buf = Buffer.concat([this.buf, chunk]);
      this.parse();
    });
    this.closedPromise = new Promise((resolve) => socket.on('close', () => {
      this.closed = true;
      for (const w of this.waiters) {
        clearTimeout(w.timer);
        w.reject(new Error('connection closed while waiting for a message'));
      }
      this.waiters = [];
      resolve();
    }));
  }

  /** Every byte received so far, in order. */
  get received(): Buffer {
    if (this.chunks.length > 1) this.chunks = [Buffer.concat(this.chunks, this.receivedLen)];
    return this.chunks[0] ?? Buffer.alloc(0);
  }

  static connect(port: number, host = '127.0.0.1'): Promise<EslTestClient> {
    return new Promise((resolve, reject) => {
      const s = connect({ port, host }, () => resolve(new EslTestClient(s)));
      s.once('error', reject);
    });
  }

  /** Send a command; "\n\n" is appended unless the text already ends with a blank line. */
  send(cmd: string): void {
    this.socket.write(cmd.endsWith('\n\n') ? cmd : cmd + '\n\n');
  }

  /** Send bytes exactly as given. */
  sendRaw(data: string | Buffer): void {
    this.socket.write(data);
  }

  /** The next message, waiting up to timeoutMs. */
  next(timeoutMs = 2000): Promise<EslMessage> {
    return this.waitFor(() => true, timeoutMs);
  }

  /** The first message (oldest first) matching pred; earlier non-matching ones are discarded. */
  waitFor(pred: (m: EslMessage) => boolean, timeoutMs = 2000): Promise<EslMessage> {
    while (this.inbox.length) {
      const m = this.inbox.shift() as EslMessage;
      if (pred(m)) return Promise.resolve(m);
    }
    if (this.closed) return Promise.reject(new Error('connection closed'));
    return new Promise((resolve, reject) => {
      const w: Waiter = {
        pred,
        resolve,
        reject,
        timer: setTimeout(() => {
          this.waiters = this.waiters.filter((x) => x !== w);
          reject(new Error(`no matching ESL message within ${timeoutMs} ms`));
        }, timeoutMs),
      };
      this.waiters.push(w);
    });
  }

  /** Send a command and return the next message (its reply, if no event is in between). */
  async command(cmd: string, timeoutMs = 2000): Promise<EslMessage> {
    this.send(cmd);
    return this.waitFor((m) => m.type === 'command/reply' || m.type === 'api/response', timeoutMs);
  }

  /** Resolves when the switch has closed the connection. */
  waitClosed(timeoutMs = 2000): Promise<void> {
    return Promise.race([
      this.closedPromise,
      new Promise<void>((_, reject) => setTimeout(() => reject(new Error('connection still open')), timeoutMs).unref()),
    ]);
  }

  close(): void {
    this.socket.destroy();
  }

  private parse(): void {
    for (;;) {
      const end = this.buf.indexOf('\n\n');
      if (end < 0) return;
      const head = this.buf.subarray(0, end).toString('utf8');
      const m = /^Content-Length: *(\d+)$/im.exec(head);
      const len = m ? Number(m[1]) : 0;
      if (this.buf.length < end + 2 + len) return;
      const body = len ? this.buf.subarray(end + 2, end + 2 + len).toString('utf8') : undefined;
      this.buf = this.buf.subarray(end + 2 + len);
      this.dispatch(makeMessage(head, body));
    }
  }

  // While someone waits, messages go to the first waiter they match and the rest are dropped
  // (waitFor's contract); with nobody waiting they queue in the inbox.
  private dispatch(m: EslMessage): void {
    if (!this.waiters.length) {
      this.inbox.push(m);
      return;
    }
    const i = this.waiters.findIndex((w) => w.pred(m));
    if (i < 0) return;
    const [w] = this.waiters.splice(i, 1);
    if (w) {
      clearTimeout(w.timer);
      w.resolve(m);
    }
  }
}

/** A one-connection TCP listener standing in for the service's outbound-socket listener. */
export async function listenOnce(): Promise<{ port: number; accept(timeoutMs?: number): Promise<EslTestClient>; close(): void }> {
  const server: Server = createServer();
  const accepted = new Promise<EslTestClient>((resolve) => server.once('connection', (s) => resolve(new EslTestClient(s))));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const addr = server.address();
  const port = typeof addr === 'object' && addr ? addr.port : 0;
  return {
    port,
    accept: (timeoutMs = 2000) =>
      Promise.race([accepted, new Promise<never>((_, rej) => setTimeout(() => rej(new Error('no connection')), timeoutMs).unref())]),
    close: () => server.close(),
  };
}
