// The ESL client library, loaded in one place. drachtio-modesl is the maintained fork of modesl
// (see README design notes for the comparison). It is CommonJS without types: the little of its
// surface we use is typed here.
import { createRequire } from 'node:module';
import type { Server as NetServer, Socket } from 'node:net';

/** esl.Event: ordered headers plus a body. */
export interface EslEvent {
  headers: { name: string; value: string | number }[];
  getHeader(name: string): string | number | null;
  getBody(): string;
}

export type EslListener = (...args: unknown[]) => void;

interface Emitter {
  on(event: string, listener: EslListener): this;
  once(event: string, listener: EslListener): this;
  removeAllListeners(event?: string): this;
}

export interface EslConnection extends Emitter {
  socket: Socket | null;
  /** drachtio-modesl reconnects inbound connections by itself unless `closing` is set. */
  closing?: boolean;
  api(command: string, args: string, cb: (res: EslEvent) => void): void;
  bgapi(command: string, args: string, jobId: string, cb: (res: EslEvent) => void): void;
  sendRecv(command: string, args: Record<string, string> | null, cb: (reply: EslEvent) => void): void;
  events(format: 'json', events: string, cb: (reply: EslEvent) => void): void;
  execute(app: string, arg: string, cb: (ev: EslEvent) => void): string;
  getInfo(): EslEvent;
  disconnect(): void;
}

export interface EslServer extends Emitter {
  server: { address(): { port: number } | string | null };
  close(cb?: () => void): void;
}

export interface EslModule {
  Connection: new (host: string, port: number, password: string, readyCb?: () => void) => EslConnection;
  /** With `server`, the library uses that listening net.Server instead of creating its own. */
  Server: new (opts: { port: number; host: string; myevents: boolean; server?: NetServer }, readyCb?: () => void) => EslServer;
}

const require = createRequire(import.meta.url);

export function loadEsl(): EslModule {
  return require('drachtio-modesl') as EslModule;
}

/** Header lookup over an esl.Event, as strings. */
export function headerOf(ev: EslEvent, name: string): string | undefined {
  const v = ev.getHeader(name);
  return v === null || v === undefined ? undefined : String(v);
}
