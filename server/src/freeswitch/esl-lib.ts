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

/** The library's event class, as far as the header index below needs it. */
interface EslEventClass {
  prototype: {
    headers: { name: string; value: unknown }[];
    _findHeader(name: string): { name: string; value: unknown } | null;
    delHeader(name: string): unknown;
  };
}

export interface EslModule {
  Event: EslEventClass;
  Connection: new (host: string, port: number, password: string, readyCb?: () => void) => EslConnection;
  /** With `server`, the library uses that listening net.Server instead of creating its own. */
  Server: new (opts: { port: number; host: string; myevents: boolean; server?: NetServer }, readyCb?: () => void) => EslServer;
}

const require = createRequire(import.meta.url);

export function loadEsl(): EslModule {
  const esl = require('drachtio-modesl') as EslModule;
  indexHeaders(esl.Event);
  return esl;
}

type Indexed = EslEventClass['prototype'] & { _hIdx?: Map<string, { name: string; value: unknown }>; _hIdxLen?: number };
const INDEXED = Symbol.for('hotline12345.esl-header-index');

/**
 * The library's Event keeps headers in an array and finds a header by scanning it; building an
 * event from a parsed JSON frame adds every header through that scan, so a 180-header channel
 * event costs ~16,000 string compares before we read a single field (the largest share of ESL
 * ingest in `npm run bench -- push`). This keeps a name -> header index beside the array, grown
 * as headers are appended and dropped when one is deleted; lookups keep the library's semantics
 * (first header of a name wins).
 */
function indexHeaders(Event: EslEventClass): void {
  const proto = Event.prototype as Indexed & { [INDEXED]?: true };
  if (proto[INDEXED]) return;
  proto[INDEXED] = true;
  proto._findHeader = function (this: Indexed, name: string) {
    const hs = this.headers;
    let idx = this._hIdx;
    if (!idx || (this._hIdxLen ?? 0) > hs.length) {
      idx = this._hIdx = new Map();
      this._hIdxLen = 0;
    }
    for (let i = this._hIdxLen ?? 0; i < hs.length; i++) {
      const h = hs[i]!;
      if (!idx.has(h.name)) idx.set(h.name, h);
    }
    this._hIdxLen = hs.length;
    return idx.get(name) ?? null;
  };
  const del = proto.delHeader;
  proto.delHeader = function (this: Indexed, name: string) {
    this._hIdx = undefined;
    return del.call(this, name);
  };
}

/** Header lookup over an esl.Event, as strings. */
export function headerOf(ev: EslEvent, name: string): string | undefined {
  const v = ev.getHeader(name);
  return v === null || v === undefined ? undefined : String(v);
}
