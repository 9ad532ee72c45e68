// A switch at the byte level, for tests that need FreeSWITCH to misbehave: it speaks enough ESL
// (as captured from FreeSWITCH 1.10, see shared/fixtures/esl) to get a client or listener into
// its normal state, records every command it receives, and lets the test write anything at all.
// fsim is the faithful switch; this one exists to be hostile.
import { once } from 'node:events';
import net from 'node:net';
import { CommandFrameParser, type CommandFrame } from '../../../scripts/fsim/src/esl/frame-parser.ts';
import { frameHeader } from '../../../scripts/fsim/src/esl/frame-parser.ts';

/**
 * A command/reply frame. With extra headers it is a serialized event (the `connect` reply, capture
 * 13), whose values FreeSWITCH percent-encodes; a plain reply's Reply-Text goes as it is.
 */
export function replyFrame(text: string, extra: readonly [string, string][] = []): string {
  const enc = (v: string): string => (extra.length ? encodeURIComponent(v) : v);
  const lines = [...extra.map(([n, v]) => `${n}: ${enc(v)}`), 'Content-Type: command/reply', `Reply-Text: ${enc(text)}`];
  return `${lines.join('\n')}\n\n`;
}

export function apiFrame(body: string): string {
  return `Content-Type: api/response\nContent-Length: ${Buffer.byteLength(body)}\n\n${body}`;
}

export function jsonEventFrame(ev: Record<string, string>): string {
  const body = JSON.stringify(ev);
  return `Content-Length: ${Buffer.byteLength(body)}\nContent-Type: text/event-json\n\n${body}`;
}

/** One side of a connection as the switch sees it: frames received, and a raw writer. */
export class SwitchSide {
  readonly frames: CommandFrame[] = [];
  /** Every byte the peer sent. */
  received = Buffer.alloc(0);
  private readonly parser = new CommandFrameParser();
  private waiters: { match: (f: CommandFrame) => boolean; resolve: (f: CommandFrame) => void }[] = [];
  closed: Promise<void>;

  constructor(
    readonly socket: net.Socket,
    private readonly onFrame: (side: SwitchSide, f: CommandFrame) => void,
  ) {
    socket.on('error', () => {});
    this.closed = new Promise((r) => socket.once('close', () => r()));
    socket.on('data', (chunk: Buffer) => {
      this.received = Buffer.concat([this.received, chunk]);
      for (const f of this.parser.push(chunk)) {
        this.frames.push(f);
        this.waiters = this.waiters.filter((w) => (w.match(f) ? (w.resolve(f), false) : true));
        this.onFrame(this, f);
      }
    });
  }

  write(data: string | Buffer): void {
    if (!this.socket.destroyed) this.socket.write(data);
  }

  /** The next frame whose command starts with `prefix` (already received ones count). */
  next(prefix: string, ms = 5000): Promise<CommandFrame> {
    const match = (f: CommandFrame): boolean => f.command.startsWith(prefix);
    const seen = this.frames.find(match);
    if (seen) return Promise.resolve(seen);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no "${prefix}" from the peer in ${ms} ms`)), ms);
      this.waiters.push({ match, resolve: (f) => (clearTimeout(timer), resolve(f)) });
    });
  }
}

/** Answers an inbound client as FreeSWITCH does: auth, event subscription and filters, api and bgapi. */
export function answerInbound(side: SwitchSide, f: CommandFrame, apiAnswer: (cmd: string) => string = defaultApi): void {
  const cmd = f.command;
  if (cmd.startsWith('auth ')) side.write(replyFrame('+OK accepted'));
  else if (cmd.startsWith('event ')) side.write(replyFrame(`+OK event listener enabled ${cmd.split(' ')[1]}`));
  else if (cmd.startsWith('filter ')) {
    const [, header = '', ...value] = cmd.split(' ');
    side.write(replyFrame(`+OK filter added. [${header}]=[${value.join(' ')}]`));
  } else if (cmd.startsWith('api ')) side.write(apiFrame(apiAnswer(cmd.slice(4))));
  else if (cmd.startsWith('bgapi ')) {
    const job = frameHeader(f, 'Job-UUID') ?? '00000000-0000-4000-8000-000000000000';
    side.write(replyFrame(`+OK Job-UUID: ${job}`, [['Job-UUID', job]]));
    side.write(jsonEventFrame({ 'Event-Name': 'BACKGROUND_JOB', 'Job-UUID': job, 'Job-Command': cmd.slice(6).split(' ')[0] ?? '', _body: apiAnswer(cmd.slice(6)) }));
  } else side.write(replyFrame('-ERR command not found'));
}

const defaultApi = (cmd: string): string => (cmd === 'show channels as json' ? '{"row_count":0}' : cmd === 'status' ? 'UP 0 years, 0 days\n' : '+OK\n');

export interface RawInboundSwitch {
  readonly port: number;
  readonly sides: SwitchSide[];
  /** Resolves with the next connection the client makes. */
  nextConnection(ms?: number): Promise<SwitchSide>;
  close(): Promise<void>;
}

/**
 * An ESL server on a free port (the kernel's choice) that greets each connection with
 * auth/request and answers it with `handle` (answerInbound by default).
 */
export async function rawInboundSwitch(handle: (side: SwitchSide, f: CommandFrame) => void = answerInbound): Promise<RawInboundSwitch> {
  const sides: SwitchSide[] = [];
  let waiting: ((s: SwitchSide) => void)[] = [];
  const server = net.createServer((socket) => {
    const side = new SwitchSide(socket, handle);
    sides.push(side);
    socket.write('Content-Type: auth/request\n\n');
    for (const w of waiting) w(side);
    waiting = [];
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return {
    port: (server.address() as net.AddressInfo).port,
    sides,
    nextConnection(ms = 10_000) {
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`no connection in ${ms} ms`)), ms);
        waiting.push((s) => (clearTimeout(timer), resolve(s)));
      });
    },
    async close() {
      for (const s of sides) s.socket.destroy();
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
}

/** Channel data headers as FreeSWITCH sends them in reply to `connect` (capture 13, trimmed). */
export function channelData(uuid: string, extra: readonly [string, string][] = []): [string, string][] {
  return [
    ['Event-Name', 'CHANNEL_DATA'],
    ['Unique-ID', uuid],
    ['Channel-Name', 'sofia/external/13800138000@127.0.0.1'],
    ['Caller-Caller-ID-Number', '13800138000'],
    ['Caller-Destination-Number', '12345'],
    ['Call-Direction', 'inbound'],
    ['variable_hotline_line', 'main'],
    ['Socket-Mode', 'async'],
    ['Control', 'full'],
    ...extra,
  ];
}

/**
 * Connect to an outbound-socket listener as the dialplan's `socket` application would and answer
 * its `connect` with `connectReply` (default: well-formed channel data), `myevents` and `nixevent` with +OK, and
 * each sendmsg with +OK then its CHANNEL_EXECUTE_COMPLETE.
 */
export async function dialAsSwitch(port: number, opts: { uuid: string; connectReply?: string | Buffer; localAddress?: string }): Promise<SwitchSide> {
  const socket = net.connect({ port, host: '127.0.0.1', ...(opts.localAddress ? { localAddress: opts.localAddress } : {}) });
  const side = new SwitchSide(socket, (s, f) => {
    if (f.command === 'connect') s.write(opts.connectReply ?? replyFrame('+OK\n', channelData(opts.uuid)));
    else if (f.command.startsWith('myevents')) s.write(replyFrame('+OK Events Enabled'));
    else if (f.command.startsWith('nixevent')) s.write(replyFrame('+OK events nixed'));
    else if (f.command.startsWith('linger')) s.write(replyFrame('+OK will linger'));
    else if (f.command.startsWith('sendmsg')) {
      s.write(replyFrame('+OK'));
      const app = frameHeader(f, 'execute-app-name');
      const id = frameHeader(f, 'Event-UUID');
      if (app && id) {
        s.write(
          jsonEventFrame({
            'Event-Name': 'CHANNEL_EXECUTE_COMPLETE',
            'Unique-ID': opts.uuid,
            'Event-Sequence': '1',
            'Event-Date-Timestamp': '1795316343008483',
            Application: app,
            'Application-UUID': id,
            'Application-Response': '_none_',
          }),
        );
      }
    }
  });
  await once(socket, 'connect');
  return side;
}

/** A frame with a body, its Content-Length counted. */
const withBody = (type: string, body: string): string => `Content-Length: ${Buffer.byteLength(body)}\nContent-Type: ${type}\n\n${body}`;

/** Frames a hostile switch sends after a good `connect` reply (or instead of it). */
export const CRASHING_FRAMES: Record<string, string | Buffer> = {
  'event-plain without a body': 'Content-Type: text/event-plain\n\n',
  'event-json without a body': 'Content-Type: text/event-json\n\n',
  'event-json that is not JSON': withBody('text/event-json', '{"Event-N'),
  'event-json without Event-Name': withBody('text/event-json', '[]'),
  'event-plain with a malformed header line': withBody('text/event-plain', 'no colon here\n\n'),
  'a frame without Content-Type': 'Reply-Text: +OK\n\n',
  'a reply to no command': 'Content-Type: command/reply\nReply-Text: +OK\n\n',
  'a negative Content-Length': 'Content-Length: -1\nContent-Type: text/event-json\n\n',
  'a Content-Length over the cap': `Content-Length: ${64 * 1024 * 1024}\nContent-Type: text/event-json\n\n`,
};
