// Child process of the esl-ingest benchmark: one ESL client (the service's own `hotline`,
// modesl, drachtio-modesl, or a raw framing-only baseline) connects to the bench server, subscribes with `event <format> ALL`, and
// measures every event from the send time the server stamped in variable_bench_sent_ns (a
// process.hrtime.bigint() value: CLOCK_MONOTONIC, comparable across processes on one host) to the
// moment the library calls our listener. It talks to the parent over the fork IPC channel:
//   -> { type: 'ready' }                 subscribed; the parent may start pushing
//   -> { type: 'ack', received }         every ackEvery events (credit for the parent's send window)
//   <- { type: 'stop' }                  the parent's time limit expired
//   -> { type: 'result', ...ClientResult }
import net from 'node:net';
import { EslConnection } from '../../server/src/freeswitch/esl-connection.ts';
import { INBOUND_LIMITS } from '../../server/src/freeswitch/inbound-node.ts';
import { SENT_HEADER } from './events.ts';
import { isEslLibName, loadEslLib } from './esl-libs.ts';
import type { EslEvent } from './esl-libs.ts';

export interface ClientArgs {
  lib: string;
  format: 'plain' | 'json';
  host: string;
  port: number;
  password: string;
  events: number;
  ackEvery: number;
}

export interface ClientResult {
  lib: string;
  format: 'plain' | 'json';
  completed: boolean;
  received: number;
  elapsed_s: number;
  events_per_s: number;
  p50_ms: number;
  p99_ms: number;
  max_ms: number;
  rss_mb: number;
  rss_end_mb: number;
  /** RSS after loading node, tsx and the library, before connecting: rss_mb minus this is the ingest cost. */
  rss_idle_mb: number;
  /** Client CPU time (user + system) per event from subscription to the last event: load-independent. */
  cpu_us_per_event: number;
  bytes_per_event: number;
  headers_per_event: number;
  errors: string[];
}

type ToParent = { type: 'ready' } | { type: 'ack'; received: number } | ({ type: 'result' } & ClientResult) | { type: 'fatal'; error: string };

function send(msg: ToParent): void {
  process.send?.(msg);
}

function percentile(sorted: Float64Array, p: number): number {
  if (sorted.length === 0) return Number.NaN;
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[i] ?? Number.NaN;
}

const round = (x: number, d = 2): number => (Number.isFinite(x) ? Math.round(x * 10 ** d) / 10 ** d : x);

/** Runs one client until it has `events` events or is told to stop; resolves with the measurements. */
export function runClient(args: ClientArgs, onStop: (stop: () => void) => void): Promise<ClientResult> {
  return new Promise((resolve) => {
    const lat = new Float64Array(args.events);
    let received = 0;
    let headerSum = 0;
    let firstSentNs = 0n;
    let lastRecvNs = 0n;
    let bytesAtReady = 0;
    let cpuAtReady: NodeJS.CpuUsage | undefined;
    const markReady = (bytes: number): void => {
      bytesAtReady = bytes;
      cpuAtReady = process.cpuUsage();
      send({ type: 'ready' });
    };
    if (isEslLibName(args.lib)) loadEslLib(args.lib);
    const rssIdle = process.memoryUsage().rss;
    let rssPeak = rssIdle;
    const errors: string[] = [];
    const rssTimer = setInterval(() => {
      rssPeak = Math.max(rssPeak, process.memoryUsage().rss);
    }, 100);
    let done = false;
    let bytesRead: () => number = () => 0;
    let close: () => void = () => undefined;

    const finish = (completed: boolean): void => {
      if (done) return;
      done = true;
      clearInterval(rssTimer);
      const rssEnd = process.memoryUsage().rss;
      rssPeak = Math.max(rssPeak, rssEnd);
      const sorted = lat.slice(0, received).sort();
      const elapsedNs = received > 0 ? Number(lastRecvNs - firstSentNs) : 0;
      const bytes = bytesRead() - bytesAtReady;
      const cpu = cpuAtReady ? process.cpuUsage(cpuAtReady) : { user: 0, system: 0 };
      close();
      resolve({
        lib: args.lib,
        format: args.format,
        completed,
        received,
        elapsed_s: round(elapsedNs / 1e9, 3),
        events_per_s: received > 0 ? Math.round(received / (elapsedNs / 1e9)) : 0,
        p50_ms: round(percentile(sorted, 50)),
        p99_ms: round(percentile(sorted, 99)),
        max_ms: round(percentile(sorted, 100)),
        rss_mb: round(rssPeak / 2 ** 20, 1),
        rss_end_mb: round(rssEnd / 2 ** 20, 1),
        rss_idle_mb: round(rssIdle / 2 ** 20, 1),
        cpu_us_per_event: received > 0 ? round((cpu.user + cpu.system) / received, 1) : 0,
        bytes_per_event: received > 0 ? Math.round(bytes / received) : 0,
        headers_per_event: received > 0 ? round(headerSum / received, 1) : 0,
        errors,
      });
    };
    onStop(() => finish(false));

    const onBenchEvent = (recvNs: bigint, sentNs: bigint, headerCount: number): void => {
      if (received === 0) firstSentNs = sentNs;
      lastRecvNs = recvNs;
      lat[received] = Number(recvNs - sentNs) / 1e6;
      headerSum += headerCount;
      received++;
      if (received % args.ackEvery === 0 || received === args.events) send({ type: 'ack', received });
      if (received === args.events) finish(true);
    };

    if (args.lib === 'raw') {
      // Baseline: framing only (Content-Length), header count by counting lines, no decoding.
      const sock = net.connect(args.port, args.host);
      bytesRead = () => sock.bytesRead;
      close = () => sock.destroy();
      sock.on('error', (e) => errors.push(String(e)));
      let pending: Buffer[] = [];
      let pendingLen = 0;
      let stage = 0; // 0 auth/request, 1 auth reply, 2 event reply, 3 events
      const marker = Buffer.from(`${SENT_HEADER}: `);
      const jsonMarker = Buffer.from(`"${SENT_HEADER}":"`);
      sock.on('data', (chunk: Buffer) => {
        const recvNs = process.hrtime.bigint();
        pending.push(chunk);
        pendingLen += chunk.length;
        const buf = pending.length === 1 ? chunk : Buffer.concat(pending, pendingLen);
        let off = 0;
        for (;;) {
          const he = buf.indexOf('\n\n', off);
          if (he < 0) break;
          const head = buf.toString('latin1', off, he);
          const m = /Content-Length: (\d+)/.exec(head);
          const len = m ? Number(m[1]) : 0;
          if (he + 2 + len > buf.length) break;
          const body = buf.subarray(he + 2, he + 2 + len);
          off = he + 2 + len;
          if (stage === 0) {
            sock.write(`auth ${args.password}\n\n`);
            stage = 1;
          } else if (stage === 1) {
            sock.write(`event ${args.format} ALL\n\n`);
            stage = 2;
          } else if (stage === 2) {
            stage = 3;
            markReady(sock.bytesRead - (buf.length - off));
          } else {
            const mk = args.format === 'json' ? jsonMarker : marker;
            const at = body.indexOf(mk);
            if (at < 0) continue;
            const sent = BigInt(body.toString('latin1', at + mk.length, at + mk.length + 20));
            let lines = 0;
            for (let i = body.indexOf(args.format === 'json' ? '","' : '\n'); i >= 0; i = body.indexOf(args.format === 'json' ? '","' : '\n', i + 1)) lines++;
            onBenchEvent(recvNs, sent, args.format === 'json' ? lines + 1 : lines);
            if (done) return;
          }
        }
        pending = off < buf.length ? [buf.subarray(off)] : [];
        pendingLen = buf.length - off;
      });
      return;
    }

    if (args.lib === 'hotline') {
      // The service's client: the same frame parser and message layer InboundNode runs on.
      const sock = net.connect(args.port, args.host);
      bytesRead = () => sock.bytesRead;
      close = () => sock.destroy();
      let headerSample = 0;
      const conn: EslConnection = new EslConnection(
        sock,
        INBOUND_LIMITS,
        {
          onAuthRequest: () => {
            void (async () => {
              await conn.send(`auth ${args.password}`);
              await conn.send(`event ${args.format} ALL`);
              markReady(sock.bytesRead);
            })().catch((e: unknown) => errors.push(String(e)));
          },
          onEvent: (ev) => {
            const recvNs = process.hrtime.bigint();
            const sent = ev.get(SENT_HEADER);
            if (sent === undefined) return;
            // The client reads headers on demand (as the service does): counting them all is extra
            // work the libraries do anyway, so it is sampled, not done for every event.
            if (received % 16 === 0) {
              headerSample = 0;
              for (const _ of ev.headers()) headerSample++;
            }
            onBenchEvent(recvNs, BigInt(sent), headerSample);
          },
          onClose: (reason, protocolError) => void (protocolError && errors.push(reason)),
        },
        'bench',
      );
      return;
    }

    if (!isEslLibName(args.lib)) throw new Error(`unknown ESL library ${args.lib}`);
    const esl = loadEslLib(args.lib);
    const conn = new esl.Connection(args.host, args.port, args.password, () => {
      conn.events(args.format, 'ALL', () => {
        markReady(conn.socket?.bytesRead ?? 0);
      });
    });
    bytesRead = () => conn.socket?.bytesRead ?? bytesAtReady;
    close = () => {
      conn.removeAllListeners('esl::event::**');
      if (conn.reconnectOpts) conn.closing = true; // drachtio-modesl: no automatic reconnection
      conn.socket?.destroy();
    };
    conn.on('error', (e) => errors.push(String(e)));
    conn.on('esl::event::**', (...a: unknown[]) => {
      const recvNs = process.hrtime.bigint();
      const ev = a[0] as EslEvent;
      const sent = ev.getHeader(SENT_HEADER);
      if (sent === null) return;
      onBenchEvent(recvNs, BigInt(sent), ev.headers.length);
    });
  });
}

function parseArgs(argv: string[]): ClientArgs {
  const get = (k: string, d?: string): string => {
    const i = argv.indexOf(`--${k}`);
    const v = i >= 0 ? argv[i + 1] : d;
    if (v === undefined) throw new Error(`missing --${k}`);
    return v;
  };
  const format = get('format');
  if (format !== 'plain' && format !== 'json') throw new Error(`--format plain|json, not ${format}`);
  return {
    lib: get('lib'),
    format,
    host: get('host', '127.0.0.1'),
    port: Number(get('port')),
    password: get('password', 'ClueCon'),
    events: Number(get('events')),
    ackEvery: Number(get('ack-every', '16')),
  };
}

// Entry point when forked by esl-ingest.ts.
if (process.send) {
  let stopper: (() => void) | undefined;
  process.on('message', (m: unknown) => {
    if ((m as { type?: string } | null)?.type === 'stop') stopper?.();
  });
  try {
    const result = await runClient(parseArgs(process.argv.slice(2)), (stop) => {
      stopper = stop;
    });
    send({ type: 'result', ...result });
  } catch (e) {
    send({ type: 'fatal', error: String(e) });
  }
  process.disconnect?.();
}
