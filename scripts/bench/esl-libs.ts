// Minimal typings for the two untyped ESL client libraries we compare (modesl 1.2.x and its
// maintained fork drachtio-modesl 1.3.x), plus a loader. Both export the same surface
// ({ Connection, Server, Event, ... }); only what the benchmark and the client-choice test use is
// typed here. Both are CommonJS, so they are loaded with createRequire: the library name is a
// runtime choice anyway.
import { createRequire } from 'node:module';
import type { Socket } from 'node:net';

export type EslLibName = 'modesl' | 'drachtio-modesl';
export const ESL_LIBS: readonly EslLibName[] = ['modesl', 'drachtio-modesl'];

export function isEslLibName(s: string): s is EslLibName {
  return (ESL_LIBS as readonly string[]).includes(s);
}

/** esl.Event: headers kept as an ordered array of {name, value}. */
export interface EslEvent {
  headers: { name: string; value: string | number }[];
  body: string;
  type: string;
  getHeader(name: string): string | number | null;
  getBody(): string;
  getType(): string;
}

export type EslListener = (...args: unknown[]) => void;

/** esl.Connection (inbound mode). EventEmitter2 with wildcard '::' delimiters. */
export interface EslConnection {
  /** The net.Socket, or null once the library saw it close. */
  socket: Socket | null;
  /** Pending api() callbacks, answered strictly in order by api/response frames. */
  apiCallbackQueue: unknown[];
  /** Pending sendRecv() callbacks (bgapi's command/reply, event, filter, ...). */
  cmdCallbackQueue: unknown[];
  connected(): boolean;
  api(command: string, args: string, cb?: (res: EslEvent) => void): void;
  api(command: string, cb?: (res: EslEvent) => void): void;
  bgapi(command: string, args: string, cb?: (res: EslEvent) => void): void;
  events(format: 'plain' | 'json' | 'xml', events: string, cb?: (reply: EslEvent) => void): void;
  disconnect(): void;
  on(event: string, listener: EslListener): this;
  once(event: string, listener: EslListener): this;
  removeAllListeners(event?: string): this;
  // drachtio-modesl only (undefined on modesl):
  /** Set by disconnect(); stops the automatic reconnection. */
  closing?: boolean;
  reconnectOpts?: { maxAttempts?: number; retryMaxDelay?: number | null; connectTimeout?: number };
  reconnectVars?: { retryTimer: ReturnType<typeof setTimeout> | null; attempts: number; retryDelay: number };
}

export interface EslConnectionCtor {
  /** Inbound: connect to host:port, authenticate with password, call readyCb on auth success. */
  new (host: string, port: number, password: string, readyCb?: () => void): EslConnection;
}

export interface EslModule {
  Connection: EslConnectionCtor;
}

const require = createRequire(import.meta.url);

export function loadEslLib(name: EslLibName): EslModule {
  return require(name) as EslModule;
}

/** Installed version of a library, from its package.json. */
export function eslLibVersion(name: EslLibName): string {
  const pkg = require(`${name}/package.json`) as { version?: string };
  return pkg.version ?? 'unknown';
}
