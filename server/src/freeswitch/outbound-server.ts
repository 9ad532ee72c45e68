// The listener FreeSWITCH's dialplan `socket` application connects to, one TCP connection per call.
import { createServer } from 'node:net';
import type { Logger } from 'pino';
import { loadEsl, type EslConnection, type EslModule, type EslServer } from './esl-lib.ts';
import { OutboundCall } from './outbound-call.ts';

export interface OutboundServerOptions {
  readonly host: string;
  readonly port: number;
  /** Names the node calls come from (one listener can serve several nodes; this labels logs). */
  readonly node: string;
  readonly logger: Logger;
  readonly esl?: EslModule;
  /** Stop accepting calls (graceful shutdown): new connections are told to go away at once. */
  readonly accepting?: () => boolean;
}

export interface OutboundServer {
  readonly port: number;
  close(): Promise<void>;
}

export function startOutboundServer(opts: OutboundServerOptions, onCall: (call: OutboundCall) => void | Promise<void>): Promise<OutboundServer> {
  const esl = opts.esl ?? loadEsl();
  const log = opts.logger.child({ component: 'outbound' });
  return new Promise((resolve, reject) => {
    // We listen ourselves and hand the socket server to the library: its own listen treats port 0
    // as "use 8022", so parallel tests (and port 0 in config) would collide.
    const tcp = createServer();
    tcp.once('error', reject);
    tcp.listen(opts.port, opts.host, () => {
      tcp.off('error', reject);
      tcp.on('error', (err) => log.error({ err }, 'outbound listener error'));
      let server: EslServer;
      try {
        // myevents: the call's own events (hangup, DTMF, execute complete) come on its socket.
        server = new esl.Server({ host: opts.host, port: opts.port, myevents: true, server: tcp }, () => {
          const addr = tcp.address();
          resolve({
            port: typeof addr === 'object' && addr ? addr.port : opts.port,
            close: () => new Promise<void>((r) => tcp.close(() => r())),
          });
        });
      } catch (err) {
        tcp.close();
        reject(err as Error);
        return;
      }
      wire(server);
    });
  });

  function wire(server: EslServer): void {
    server.on('error', (err) => log.error({ err }, 'outbound listener error'));
    server.on('connection::ready', (...args: unknown[]) => {
      const conn = args[0] as EslConnection;
      const call = new OutboundCall(conn, opts.node, log);
      const callLog = log.child({ callId: call.uuid });
      if (opts.accepting && !opts.accepting()) {
        callLog.warn('not accepting calls (shutting down): closing the socket so the dialplan falls back');
        call.close();
        return;
      }
      try {
        const r = onCall(call);
        if (r instanceof Promise) r.catch((err: unknown) => callLog.error({ err }, 'call handler failed'));
      } catch (err) {
        callLog.error({ err }, 'call handler failed');
      }
    });
  }
}
