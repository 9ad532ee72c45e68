// The simulator's control API: HTTP JSON to drive simulated endpoints (place a caller, register an
// agent phone, answer a ringing simulated phone, hang up, send DTMF) and a WebSocket (/events)
// streaming endpoint events as JSON lines. Tests, the load generator and the softphone's simulated
// phone use it. Every input is validated; a bad one gets 400 with the field named.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { WebSocketServer, type WebSocket } from 'ws';
import type { z } from 'zod';
import type { Switch } from '../core/index.ts';
import type { EndpointEvent } from '../core/index.ts';
import { dtmfSchema, endpointBehaviourSchema, hangupSchema, placeCallSchema, userIdSchema, uuidSchema } from './schemas.ts';

export interface ControlServer {
  readonly port: number;
  close(): Promise<void>;
}

class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

const MAX_BODY = 64 * 1024;

async function readJson(req: IncomingMessage): Promise<unknown> {
  let size = 0;
  const chunks: Buffer[] = [];
  for await (const c of req) {
    size += (c as Buffer).length;
    if (size > MAX_BODY) throw new HttpError(413, 'body too large');
    chunks.push(c as Buffer);
  }
  if (!size) return {};
  try {
    return JSON.parse(Buffer.concat(chunks).toString('utf8'));
  } catch {
    throw new HttpError(400, 'body is not valid JSON');
  }
}

function parse<T>(schema: z.ZodType<T>, input: unknown): T {
  const r = schema.safeParse(input);
  if (!r.success) throw new HttpError(400, r.error.issues.map((i) => `${i.path.join('.') || '(body)'}: ${i.message}`).join('; '));
  return r.data;
}

/**
 * CORS: the softphone's simulated phone is a page served from another origin that calls this API
 * with fetch (JSON bodies, so the browser sends an OPTIONS preflight first). The API holds no
 * credentials and no user data, so any origin may call it.
 */
const CORS = { 'access-control-allow-origin': '*' } as const;
const PREFLIGHT = {
  ...CORS,
  'access-control-allow-methods': 'GET,POST,PUT,DELETE,OPTIONS',
  'access-control-allow-headers': 'content-type',
  'access-control-max-age': '600',
} as const;

function send(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json', ...CORS });
  res.end(JSON.stringify(body));
}

/**
 * A WebSocket client gets every event, or (with ?user=ID) only those about calls ringing that
 * user's phone: the ringing event names the user, later ones only the leg's uuid.
 */
interface EventClient {
  readonly user: string | null;
  readonly legs: Set<string>;
}

function wants(client: EventClient, ev: EndpointEvent): boolean {
  if (!client.user) return true;
  if (ev.type === 'ringing' && ev.to === client.user) client.legs.add(ev.uuid);
  const mine = client.legs.has(ev.uuid);
  if (ev.type === 'hangup') client.legs.delete(ev.uuid);
  return mine;
}

export async function startControlServer(sw: Switch, opts: { host: string; port: number }): Promise<ControlServer> {
  type Handler = (m: RegExpExecArray, body: () => Promise<unknown>) => Promise<[number, unknown]> | [number, unknown];
  const routes: [string, RegExp, Handler][] = [
    ['GET', /^\/health$/, () => [200, { ok: true }]],
    ['GET', /^\/channels$/, () => [200, sw.listChannels()]],
    ['POST', /^\/calls$/, async (_m, body) => {
      const o = parse(placeCallSchema, await body());
      return [201, { uuid: sw.placeCall(o) }];
    }],
    ['POST', /^\/calls\/([^/]+)\/answer$/, (m) => {
      if (!sw.answerCall(parse(uuidSchema, m[1]))) throw new HttpError(404, 'no ringing simulated endpoint with that uuid');
      return [200, { ok: true }];
    }],
    ['POST', /^\/calls\/([^/]+)\/hangup$/, async (m, body) => {
      const { cause } = parse(hangupSchema, await body());
      if (!sw.hangupCall(parse(uuidSchema, m[1]), cause)) throw new HttpError(404, 'no such channel');
      return [200, { ok: true }];
    }],
    ['POST', /^\/calls\/([^/]+)\/dtmf$/, async (m, body) => {
      const { digits } = parse(dtmfSchema, await body());
      if (!sw.sendDtmf(parse(uuidSchema, m[1]), digits)) throw new HttpError(404, 'no such channel');
      return [200, { ok: true }];
    }],
    ['PUT', /^\/users\/([^/]+)$/, async (m, body) => {
      sw.registerUser(parse(userIdSchema, m[1]), parse(endpointBehaviourSchema, await body()));
      return [200, { ok: true }];
    }],
    ['DELETE', /^\/users\/([^/]+)$/, (m) => {
      sw.unregisterUser(parse(userIdSchema, m[1]));
      return [200, { ok: true }];
    }],
  ];

  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://fsim');
    if (req.method === 'OPTIONS') {
      res.writeHead(204, PREFLIGHT);
      return void res.end();
    }
    const route = routes.find(([method, re]) => method === req.method && re.test(url.pathname));
    if (!route) return send(res, 404, { error: `no route ${req.method} ${url.pathname}` });
    const m = route[1].exec(url.pathname) as RegExpExecArray;
    Promise.resolve()
      .then(() => route[2](m, () => readJson(req)))
      .then(([status, body]) => send(res, status, body))
      .catch((err: unknown) => {
        if (err instanceof HttpError) send(res, err.status, { error: err.message });
        else send(res, 500, { error: 'internal error' });
      });
  });

  const wss = new WebSocketServer({ noServer: true });
  const clients = new Map<WebSocket, EventClient>();
  server.on('upgrade', (req, socket, head) => {
    const url = new URL(req.url ?? '/', 'http://fsim');
    if (url.pathname !== '/events') return socket.destroy();
    wss.handleUpgrade(req, socket, head, (ws) => {
      clients.set(ws, { user: url.searchParams.get('user'), legs: new Set() });
      ws.on('close', () => clients.delete(ws));
      ws.on('error', () => clients.delete(ws));
    });
  });
  const unsubscribe = sw.onEndpointEvent((ev) => {
    const line = JSON.stringify(ev);
    for (const [ws, client] of clients) if (wants(client, ev) && ws.readyState === ws.OPEN) ws.send(line);
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port, opts.host, () => resolve());
  });
  return {
    port: (server.address() as AddressInfo).port,
    close: () =>
      new Promise<void>((resolve) => {
        unsubscribe();
        for (const ws of clients.keys()) ws.terminate();
        wss.close();
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
