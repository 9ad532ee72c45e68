// The listener FreeSWITCH's dialplan `socket` application connects to, one TCP connection per call.
// Whoever can reach this port could otherwise pose as the switch, so:
// - only the switch's addresses are served (anyone else is closed at once);
// - the peer must answer our `connect` with its channel data within connectTimeoutMs, and at most
//   MAX_HANDSHAKES connections (or the option maxHandshakes) may be waiting for that at a time;
// - header blocks and bodies are capped (OUTBOUND_LIMITS);
// - anything malformed ends that one connection, logged with a count and counted in metrics.
import { lookup } from 'node:dns/promises';
import { createServer, type Socket } from 'node:net';
import type { Logger } from 'pino';
import { EslConnection } from './esl-connection.ts';
import type { EslEvent } from './esl-message.ts';
import type { FrameLimits } from './esl-frame.ts';
import { isUuid } from './esl-values.ts';
import { keptChannelData } from './channel-data.ts';
import { OutboundCall } from './outbound-call.ts';
import { LogThrottle } from '../log-throttle.ts';

/** The channel data (the `connect` reply) is ~5 KB of headers; events are ~5 KB of JSON. */
export const OUTBOUND_LIMITS: FrameLimits = { maxHeaderBytes: 256 * 1024, maxBodyBytes: 1024 * 1024 };
/**
 * Connections accepted but not yet identified as a call; more are closed at once. Sized for a
 * switch that stalls for a few seconds at 100 calls/s: 256 (2.6 s of arrivals) refused 77-138
 * calls per 5-minute load run on fsim in such bursts. Each waiting socket holds little (the peer
 * is one of the switch's addresses and has connectTimeoutMs to send ~5 KB of channel data).
 */
export const MAX_HANDSHAKES = 1024;
/** Events kept while the channel data is awaited (they come in the same read as the handshake's replies). */
const MAX_EARLY_EVENTS = 16;

/** What `myevents` subscribes to (mod_event_socket 1.10) but an outbound call never reads: only CHANNEL_EXECUTE_COMPLETE and CHANNEL_HANGUP are kept. */
export const OUTBOUND_UNREAD_EVENTS = [
  'CHANNEL_ANSWER', 'CHANNEL_APPLICATION', 'CHANNEL_BRIDGE', 'CHANNEL_CREATE', 'CHANNEL_DATA', 'CHANNEL_DESTROY', 'CHANNEL_EXECUTE',
  'CHANNEL_HANGUP_COMPLETE', 'CHANNEL_ORIGINATE', 'CHANNEL_UUID', 'CHANNEL_OUTGOING', 'CHANNEL_PARK', 'CHANNEL_PROGRESS',
  'CHANNEL_PROGRESS_MEDIA', 'CHANNEL_STATE', 'CHANNEL_UNBRIDGE', 'CHANNEL_UNPARK', 'DETECTED_SPEECH', 'DTMF', 'NOTALK', 'TALK',
] as const;

/** Why a connection was ended without becoming a call (metrics label). */
export type OutboundRefusal = 'address' | 'busy' | 'timeout' | 'protocol' | 'channel-data';

export interface OutboundServerOptions {
  readonly host: string;
  readonly port: number;
  /** Names the node calls come from (one listener can serve several nodes; this labels logs). */
  readonly node: string;
  readonly logger: Logger;
  /** Peer addresses allowed to connect (IPv4 or IPv6 text, as the socket reports them). */
  readonly allowFrom: readonly string[];
  /** How long a new connection may take to send its channel data. */
  readonly connectTimeoutMs: number;
  readonly limits?: FrameLimits;
  /** At most this many connections waiting for their channel data (default MAX_HANDSHAKES). */
  readonly maxHandshakes?: number;
  /** Stop accepting calls (graceful shutdown): new connections are told to go away at once. */
  readonly accepting?: () => boolean;
  /** A connection was ended without becoming a call, or a call's connection broke the protocol. */
  readonly onRefused?: (why: OutboundRefusal) => void;
  /** Channel variables a call keeps from its channel data besides hotline_* (the partners' case-id variables). */
  readonly keepVariables?: readonly string[];
  readonly now?: () => number;
}

export interface OutboundServer {
  readonly port: number;
  /** Connections from the switch now open (a call in its welcome, or one still being set up). */
  readonly openSockets: number;
  close(): Promise<void>;
}

/** `::ffff:10.0.0.1` (an IPv4 peer on a dual-stack socket) is 10.0.0.1. */
export function normalizeAddress(a: string | undefined): string {
  const s = (a ?? '').toLowerCase();
  return s.startsWith('::ffff:') && s.includes('.') ? s.slice(7) : s;
}

export function startOutboundServer(opts: OutboundServerOptions, onCall: (call: OutboundCall) => void | Promise<void>): Promise<OutboundServer> {
  const log = opts.logger.child({ component: 'outbound' });
  const throttle = new LogThrottle(log, opts.now ? { now: opts.now } : {});
  const allowed = new Set(opts.allowFrom.map(normalizeAddress));
  const keepVariables = new Set(opts.keepVariables ?? []);
  let handshakes = 0;
  let open = 0;

  const refuse = (why: OutboundRefusal, detail: Record<string, unknown>, msg: string): void => {
    opts.onRefused?.(why);
    throttle.warn(`refused:${why}`, detail, msg);
  };

  const tcp = createServer((socket) => {
    const peer = normalizeAddress(socket.remoteAddress);
    socket.on('error', () => {});
    if (!allowed.has(peer)) {
      refuse('address', { peer }, 'outbound socket: connection from an address that is not a configured switch, closed');
      socket.destroy();
      return;
    }
    if (handshakes >= (opts.maxHandshakes ?? MAX_HANDSHAKES)) {
      refuse('busy', { peer, waiting: handshakes }, 'outbound socket: too many connections waiting for channel data, closed');
      socket.destroy();
      return;
    }
    handshakes++;
    open++;
    serve(socket, peer);
  });

  function serve(socket: Socket, peer: string): void {
    let call: OutboundCall | undefined;
    const early: EslEvent[] = [];
    let handshaking = true;
    const settle = (): void => {
      if (!handshaking) return;
      handshaking = false;
      handshakes--;
      clearTimeout(timer);
    };
    const timer = setTimeout(() => {
      if (!handshaking) return;
      refuse('timeout', { peer }, 'outbound socket: no channel data in time, closed');
      conn.close('no channel data in time');
    }, opts.connectTimeoutMs);
    const conn = new EslConnection(
      socket,
      opts.limits ?? OUTBOUND_LIMITS,
      {
        // Events that arrive in the same read as the replies, before the call object exists. A
        // switch sends none before answering `connect`; a peer that floods them is cut off.
        onEvent: (ev) => {
          if (call) call.onEvent(ev);
          else if (early.length < MAX_EARLY_EVENTS) early.push(ev);
          else if (!conn.closed) {
            refuse('protocol', { peer, events: early.length }, 'outbound socket: events before its channel data, closed');
            conn.close('events before the channel data');
          }
        },
        onClose: (_reason, protocolError) => {
          open--;
          settle();
          if (protocolError !== undefined) refuse('protocol', { peer, reason: protocolError, callId: call?.uuid }, 'outbound socket: protocol error, connection closed');
          call?.onClosed();
        },
        onHandlerError: (what, err) => log.error({ err, callId: call?.uuid }, `outbound ${what} failed`),
      },
      `${opts.node} (outbound ${peer})`,
    );
    void (async () => {
      // `connect` is answered with the channel data; `myevents json` then sends this channel's
      // own events (hangup, DTMF, execute complete) on this socket, in JSON like the inbound side.
      // myevents turns on 23 event types; this socket reads two (OutboundCall.onEvent), and the
      // switch serialises each one it sends: under load that was switch CPU spent on every call
      // twice (the inbound connection has the events the service keeps), hence the nixevent.
      // The three go out at once: the switch reads and answers a socket's commands one after the
      // other, and one round trip instead of three keeps fewer sockets waiting here when it is slow
      // (at 100 calls/s on fsim, MAX_HANDSHAKES was reached in bursts and calls fell back).
      const connecting = conn.send('connect');
      const subscribing = conn.send('myevents json');
      const nixing = conn.send(`nixevent ${OUTBOUND_UNREAD_EVENTS.join(' ')}`);
      // Rejected together when the socket closes; awaited below only if the channel data is good.
      subscribing.catch(() => {});
      nixing.catch(() => {});
      const data = await connecting;
      const uuid = data.data.get('Unique-ID');
      if (!isUuid(uuid)) {
        refuse('channel-data', { peer }, 'outbound socket: channel data without a valid Unique-ID, closed');
        conn.close('bad channel data');
        return;
      }
      const c = new OutboundCall(conn, keptChannelData(data.data, keepVariables), opts.node, log.child({ callId: uuid }));
      call = c;
      for (const ev of early.splice(0)) c.onEvent(ev);
      const events = await subscribing;
      if (!events.text.startsWith('+OK')) throw new Error(`myevents refused: ${events.text.slice(0, 100)}`);
      const nixed = await nixing;
      if (!nixed.text.startsWith('+OK')) throw new Error(`nixevent refused: ${nixed.text.slice(0, 100)}`);
      settle();
      if (opts.accepting && !opts.accepting()) {
        log.warn({ callId: uuid }, 'not accepting calls (shutting down): closing the socket so the dialplan falls back');
        c.close();
        return;
      }
      await onCall(c);
    })().catch((err: unknown) => {
      // A closed socket rejects the pending command: nothing more to do for that connection.
      if (!conn.closed) log.error({ err, callId: call?.uuid }, 'outbound call setup or handler failed');
    });
  }

  return new Promise((resolve, reject) => {
    tcp.once('error', reject);
    tcp.listen(opts.port, opts.host, () => {
      tcp.off('error', reject);
      tcp.on('error', (err) => log.error({ err }, 'outbound listener error'));
      const addr = tcp.address();
      resolve({
        port: typeof addr === 'object' && addr ? addr.port : opts.port,
        get openSockets() {
          return open;
        },
        close: () => new Promise<void>((r) => tcp.close(() => r())),
      });
    });
  });
}

/**
 * The addresses of the given hosts (names resolved, every address of each). A name that does not
 * resolve is reported through `onUnresolved` and left out: the listener then refuses it.
 */
export async function resolveAddresses(hosts: readonly string[], onUnresolved: (host: string, err: unknown) => void): Promise<string[]> {
  const all = await Promise.all(
    hosts.map((h) =>
      lookup(h, { all: true }).then(
        (r) => r.map((a) => normalizeAddress(a.address)),
        (err: unknown) => {
          onUnresolved(h, err);
          return [];
        },
      ),
    ),
  );
  return [...new Set(all.flat())];
}
