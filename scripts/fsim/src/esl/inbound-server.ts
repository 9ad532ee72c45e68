// The inbound event socket (mod_event_socket's listener on 8021): accepts clients, asks them to
// authenticate and serves the ESL command set through EslSession.

import { createServer } from 'node:net';
import type { Socket } from 'node:net';
import type { Logger } from 'pino';
import type { FsEvent, SwitchFacade } from '../types.ts';
import { EslSession } from './session.ts';

export interface InboundServerOptions {
  readonly sw: SwitchFacade;
  readonly host?: string;
  /** 0 picks a free port. */
  readonly port: number;
  readonly password: string;
  readonly logger?: Logger;
}

export interface InboundServer {
  readonly port: number;
  /** Stop accepting, end every client with the shutdown notice, resolve when the server is closed. */
  close(): Promise<void>;
  /** Destroy every client socket abruptly (no notice): for fault tests. */
  dropAll(): void;
}

export async function startInboundServer(opts: InboundServerOptions): Promise<InboundServer> {
  const { sw, logger } = opts;
  const sessions = new Set<EslSession>();
  const sockets = new Set<Socket>();

  // A BACKGROUND_JOB is an ordinary switch event. A switch that can fire events delivers it to
  // everyone (other servers, outbound sockets, its own listeners); otherwise every client of this
  // server gets it here, each through its own subscription and filters.
  const fire = (ev: FsEvent): void => {
    if (sw.fireEvent) sw.fireEvent(ev);
    else for (const s of sessions) s.deliver(ev);
  };

  const server = createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', (err) => logger?.debug({ err }, 'esl client socket error'));
    try {
      const session = new EslSession({
        sw,
        socket,
        logger,
        password: opts.password,
        fire,
        onEnd: (s) => sessions.delete(s),
      });
      if (!session.isEnded) sessions.add(session);
    } catch (err) {
      logger?.error({ err }, 'esl session setup failed');
      socket.destroy();
    }
  });
  server.on('error', (err) => logger?.error({ err }, 'esl server error'));

  await new Promise<void>((resolve, reject) => {
    const onError = (err: Error): void => reject(err);
    server.once('error', onError);
    server.listen(opts.port, opts.host ?? '127.0.0.1', () => {
      server.off('error', onError);
      resolve();
    });
  });
  const addr = server.address();
  const port = typeof addr === 'object' && addr ? addr.port : opts.port;
  logger?.info({ port }, 'esl inbound server listening');

  return {
    port,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        for (const s of [...sessions]) s.end('The system is being shut down.\n');
        for (const sock of sockets) sock.destroySoon();
      }),
    dropAll: () => {
      for (const s of [...sessions]) s.destroy();
      for (const sock of sockets) sock.destroy();
    },
  };
}
