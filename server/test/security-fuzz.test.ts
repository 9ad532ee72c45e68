// Issue 10, the fuzz suite's REST and Socket.IO part: a fixed seed drives thousands of generated
// inputs at the service running as its own process (server.ts, real Redis, fsim): REST methods,
// paths, query strings, headers and bodies (near-valid and random, with every role's token, bad
// tokens and none), malformed HTTP on a raw socket, Socket.IO handshakes and events on every
// namespace. The process must not exit, no answer may be a 5xx (or an `internal` ack), and the
// agents, queues and users must be the same afterwards. The ESL side has its own fuzz test.
import { createHash } from 'node:crypto';
import { readFile, writeFile, mkdtemp } from 'node:fs/promises';
import { Agent, request } from 'node:http';
import { connect as tcp } from 'node:net';
import { loadavg, tmpdir } from 'node:os';
import path from 'node:path';
import t from 'tap';
import { io, type Socket } from 'socket.io-client';
import { freePort } from '../../scripts/lib/free-port.ts';
import { withRedis } from '../../scripts/lib/test-redis.ts';
import type { Role } from '../src/auth/auth.ts';
import { DEMO_USERS } from '../src/auth/users.ts';
import { ESL_PASSWORD, withFsim } from './helpers/fsim.ts';
import { asText, hostile, NASTY, pick, randomArgs, randomQuery, randomSegment, randomText, randomValue, rng, withOneBad } from './helpers/fuzz.ts';
import { startServer } from './helpers/server-process.ts';
import { eventually } from './helpers/service.ts';
import { bearerAt, ROLE_USERS } from './helpers/tokens.ts';

const SEED = 0x1234_5110;
const REST_INPUTS = 6_000;
const RAW_INPUTS = 400;
const SOCKET_EVENTS = 3_000;
const HANDSHAKES = 300;
const SECRET = 'fuzz-jwt-secret-0123456789-0123456789';
const METRICS_TOKEN = 'fuzz-metrics-token-0123';
const ROLES: Role[] = ['agent', 'supervisor', 'dispatcher', 'ops', 'admin'];
const AGENTS = ['1000', '1001', '1002'];

// Values each field refuses (never a value it would accept: a valid body would legitimately change state).
const BAD = {
  id: ['', 'a b', 'x'.repeat(65), '1000\r\n', '../x', '１０００', '1000;x', null, 5, [], {}],
  name: ['', '   ', 'x'.repeat(65), null, 7, [], {}],
  phone: ['user/1000\nbgapi originate x', 'user/1000 &park', 'user/1,user/2', '', 'x'.repeat(129), null, 1000, '[x=y]user/1'],
  skills: [{}, { general: 11 }, { general: 0 }, { 'Bad Skill': 3 }, { general: '5' }, [], 'general', { general: 1.5 }],
  groups: [['bad group'], 'demo', [1], Array.from({ length: 21 }, (_, i) => `g${i}`), [''], null],
  by: ['admin:admin', 'api'],
  state: ['ready'],
} as const;
const BAD_ACTION = ['dance', 'LOGIN', '', null, 'login\r\n', 5, ['login']];
const BAD_REASON = ['ring-no-answer', 'lunch', '', 5, null];

interface Req {
  method: string;
  path: string;
  headers: Record<string, string>;
  body?: string;
}

t.test('REST and Socket.IO fuzz', async (t) => {
  const r = rng(SEED);
  const started = Date.now();
  const redis = await withRedis(t);
  const outboundPort = await freePort();
  const fsim = await withFsim(t, { serviceSocket: `127.0.0.1:${outboundPort}` });
  const dir = await mkdtemp(path.join(tmpdir(), 'hotline-fuzz-'));
  const usersPath = path.join(dir, 'users.json');
  await writeFile(usersPath, JSON.stringify({ users: DEMO_USERS }));
  const httpPort = await freePort();
  // warn: a log line per request would cost more than the request (errors and 5xx are still logged).
  const srv = startServer({
    HOTLINE_HTTP_PORT: String(httpPort),
    HOTLINE_LOG_LEVEL: 'warn',
    HOTLINE_REDIS_URL: redis.url,
    HOTLINE_FS_NODES: JSON.stringify([{ name: 'fs1', host: '127.0.0.1', port: fsim.eslPort, password: ESL_PASSWORD }]),
    HOTLINE_FS_OUTBOUND_PORT: String(outboundPort),
    HOTLINE_AUTH_USERS_PATH: usersPath,
    HOTLINE_AUTH_JWT_SECRET: SECRET,
    HOTLINE_METRICS_TOKEN: METRICS_TOKEN,
    HOTLINE_DESK_PHONE: JSON.stringify({ kind: 'simulated', controlUrl: `http://127.0.0.1:${fsim.controlPort}` }),
  });
  t.teardown(() => {
    if (srv.child.exitCode === null) srv.child.kill('SIGKILL');
  });
  const url = `http://127.0.0.1:${httpPort}`;
  const port = httpPort;
  await eventually('ready', async () => (await fetch(`${url}/readyz`).catch(() => undefined))?.status === 200, 20_000);
  const tokens = Object.fromEntries(await Promise.all(ROLES.map(async (role) => [role, (await bearerAt(url, ROLE_USERS[role])).authorization] as const))) as Record<Role, string>;
  const json = (method: string, p: string, role: Role, body?: unknown) =>
    fetch(`${url}${p}`, { method, headers: { authorization: tokens[role], ...(body ? { 'content-type': 'application/json' } : {}) }, ...(body ? { body: JSON.stringify(body) } : {}) });
  for (const [i, id] of AGENTS.entries()) {
    t.equal((await json('POST', '/api/agents', 'admin', { id, name: `坐席${id}`, phone: `user/${id}`, skills: { general: 5 + i }, groups: [i === 1 ? 'north' : 'demo'] })).status, 201);
    // Logged in: a delete is refused (409), so the snapshot can only change by a bug.
    if (id !== '1002') t.equal((await json('POST', `/api/agents/${id}/state`, 'admin', { action: 'login' })).status, 200);
  }

  const snapshot = async () => {
    const agents = (await (await json('GET', '/api/agents', 'admin')).json()) as { agents: unknown[] };
    const audits = await Promise.all(AGENTS.map(async (id) => ((await (await json('GET', `/api/agents/${id}`, 'admin')).json()) as { transitions: unknown[] }).transitions));
    const queues = (await (await json('GET', '/api/queues', 'admin')).json()) as { queues: { name: string; waiting: number; classes: { calls: { callId: string }[] }[]; readyAgents: { id: string }[] }[] };
    return {
      agents: agents.agents,
      audits,
      // Waits and idle times grow with the clock: compare who, not how long.
      queues: queues.queues.map((q) => ({ name: q.name, waiting: q.waiting, calls: q.classes.flatMap((c) => c.calls.map((x) => x.callId)), ready: q.readyAgents.map((a) => a.id) })),
      users: createHash('sha256').update(await readFile(usersPath)).digest('hex'),
    };
  };
  const before = await snapshot();

  // ---- REST: structured inputs over keep-alive HTTP ----
  const agent = new Agent({ keepAlive: true, maxSockets: 16 });
  t.teardown(() => agent.destroy());
  const statuses = new Map<number, number>();
  const fivexx: string[] = [];
  const clientErrors = new Map<string, number>();
  const clientError = (code: string) => clientErrors.set(code, (clientErrors.get(code) ?? 0) + 1);
  const send = (req: Req): Promise<void> =>
    new Promise((resolve) => {
      // A response, an error and a timeout may each try to finish the request: the first one does.
      let settled = false;
      const done = () => {
        if (settled) return;
        settled = true;
        resolve();
      };
      let out;
      try {
        out = request({ host: '127.0.0.1', port, method: req.method, path: req.path, headers: req.headers, agent, timeout: 10_000 }, (res) => {
          const code = res.statusCode ?? 0;
          statuses.set(code, (statuses.get(code) ?? 0) + 1);
          if (code >= 500) fivexx.push(`${code} ${req.method} ${req.path.slice(0, 120)} ${JSON.stringify(req.headers).slice(0, 120)} ${(req.body ?? '').slice(0, 120)}`);
          res.resume();
          res.on('end', done);
          res.on('error', done);
        });
      } catch (err) {
        // The client itself refuses some inputs (an invalid header value): nothing was sent.
        clientError(`refused:${(err as { code?: string }).code ?? 'error'}`);
        return done();
      }
      // The server may close a connection after refusing a request (413, 431): the rest is a reset.
      out.on('error', (err: NodeJS.ErrnoException) => {
        clientError(err.code ?? 'error');
        done();
      });
      out.on('timeout', () => out.destroy());
      out.end(req.body);
    });

  const forgedNone = `${Buffer.from('{"alg":"none"}').toString('base64url')}.${Buffer.from('{"sub":"admin","role":"admin","iss":"hotline12345","exp":9999999999}').toString('base64url')}.`;
  const authHeader = (): string | undefined => {
    const x = r();
    if (x < 0.15) return undefined;
    if (x < 0.65) return tokens[pick(r, ROLES)];
    if (x < 0.7) return pick(r, [`Bearer ${METRICS_TOKEN}`, `Bearer ${METRICS_TOKEN}x`]);
    const token = tokens[pick(r, ROLES)].slice('Bearer '.length);
    return pick(r, ['Bearer ', 'Bearer x', `Bearer ${token.slice(0, -3)}`, `Bearer ${token}a`, `bearer ${token}`, 'Basic YWRtaW46ZGVtbzEyMzQ1', `Bearer ${forgedNone}`, `Bearer ${'a'.repeat(5000)}`, `Token ${token}`, `Bearer ${token} ${token}`]);
  };
  const body = (route: string): string | undefined => {
    const x = r();
    if (x < 0.1) return undefined;
    if (x < 0.55) {
      const valid: Record<string, Record<string, unknown>> = {
        create: { id: `2${Math.floor(r() * 999)}`, name: '测试', phone: 'user/2000', skills: { general: 3 }, groups: ['demo'] },
        patch: { name: '改名' },
        login: { username: pick(r, ['admin', 'ops', asText(hostile(r))]), password: asText(hostile(r)) },
      };
      if (route === 'state') return JSON.stringify(r() < 0.5 ? { action: pick(r, BAD_ACTION) } : r() < 0.5 ? { action: 'not-ready', reason: pick(r, BAD_REASON) } : { action: pick(r, ['ready', 'login']), reason: 'break' });
      if (route === 'login') return JSON.stringify(valid.login);
      return JSON.stringify(withOneBad(r, valid[route === 'patch' ? 'patch' : 'create']!, BAD));
    }
    if (x < 0.85) return JSON.stringify(randomValue(r)) ?? '';
    return pick(r, [
      '{',
      '{"a":',
      '\u0000',
      '[]',
      'null',
      `${'['.repeat(3000)}${']'.repeat(3000)}`,
      '{"__proto__":{"role":"admin"}}',
      '{"constructor":{"prototype":{"role":"admin"}}}',
      '\ufeff{"action":"login"}',
      '{"action":"login","action":"logout"}',
      randomText(r, 200),
      r() < 0.02 ? 'x'.repeat(1_100_000) : 'y',
    ]);
  };
  const routes: [string, string][] = [
    ['/api/agents', 'create'],
    ['/api/agents/{id}', 'patch'],
    ['/api/agents/{id}/state', 'state'],
    ['/api/queues', 'none'],
    ['/api/sla', 'none'],
    ['/api/login', 'login'],
    ['/api/softphone/config', 'none'],
    ['/metrics', 'none'],
    ['/healthz', 'none'],
    ['/readyz', 'none'],
    ['/docs/json', 'none'],
    ['/', 'none'],
    ['/{seg}', 'none'],
    ['/api/{seg}', 'create'],
    ['/api/agents/{id}/{seg}', 'state'],
  ];
  const makeReq = (): Req => {
    const [template, kind] = pick(r, routes);
    const p = template.replace('{id}', () => randomSegment(r, AGENTS)).replace('{seg}', () => randomSegment(r, ['agents', 'queues', 'login']));
    const method = pick(r, ['GET', 'GET', 'POST', 'POST', 'PATCH', 'DELETE', 'PUT', 'HEAD', 'OPTIONS']);
    const headers: Record<string, string> = {};
    const auth = authHeader();
    if (auth !== undefined) headers.authorization = auth;
    const b = method === 'HEAD' ? undefined : body(kind);
    if (b !== undefined) headers['content-type'] = pick(r, ['application/json', 'application/json', 'application/json; charset=utf-16', 'text/plain', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x', 'application/xml']);
    for (let i = Math.floor(r() * 3); i > 0; i--) headers[pick(r, ['x-forwarded-for', 'accept', 'accept-encoding', 'x-request-id', 'origin', 'cookie', `x-${Math.floor(r() * 1e6)}`])] = pick(r, ['127.0.0.1', '*/*', 'gzip, br', '../../', 'a'.repeat(2000), '1000', randomText(r, 20).replace(/[^\x20-\x7e]/g, '')]);
    return { method, path: p + (r() < 0.4 ? randomQuery(r) : ''), headers, ...(b !== undefined ? { body: b } : {}) };
  };
  const requests = Array.from({ length: REST_INPUTS }, makeReq);
  for (let i = 0; i < requests.length; i += 32) await Promise.all(requests.slice(i, i + 32).map(send));
  const restMs = Date.now() - started;

  // ---- malformed HTTP on a raw socket ----
  const raw: Buffer[] = [];
  for (let i = 0; i < RAW_INPUTS; i++) {
    const target = pick(r, ['/api/agents', '/api/login', '/api/agents/1000/state', '/metrics', '/']);
    raw.push(
      Buffer.from(
        pick(r, [
          `GET ${target} HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer \u0000${randomText(r, 10)}\r\n\r\n`,
          `POST ${target} HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\nZZ\r\n{}\r\n0\r\n\r\n`,
          `POST ${target} HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\nGET /api/agents HTTP/1.1\r\nHost: x\r\n\r\n`,
          `GET ${target} HTTP/1.1\r\nHost: x\r\nX-A: ${'a'.repeat(20_000)}\r\n\r\n`,
          `GE T ${target} HTTP/1.1\r\nHost: x\r\n\r\n`,
          `GET ${target}\u0000 HTTP/1.1\r\nHost: x\r\n\r\n`,
          `GET ${target} HTTP/9.9\r\nHost: x\r\n\r\n`,
          `POST ${target} HTTP/1.1\r\nHost: x\r\nContent-Length: -1\r\n\r\n`,
          `POST ${target} HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\nContent-Length: 3\r\n\r\n{}`,
          `GET ${target} HTTP/1.1\nHost: x\nAuthorization: ${pick(r, NASTY)}\n\n`,
          `GET ${target} HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${'\u00ff'.repeat(50)}\r\n\r\n`,
          randomText(r, 300),
        ]),
        'latin1',
      ),
    );
  }
  let rawAnswered = 0;
  const rawOne = (bytes: Buffer): Promise<void> =>
    new Promise((resolve) => {
      const sock = tcp(port, '127.0.0.1');
      let got = '';
      const finish = () => {
        sock.destroy();
        const m = /^HTTP\/1\.[01] (\d{3})/.exec(got);
        if (m) {
          rawAnswered++;
          const code = Number(m[1]);
          statuses.set(code, (statuses.get(code) ?? 0) + 1);
          if (code >= 500) fivexx.push(`${code} raw ${JSON.stringify(bytes.toString('latin1').slice(0, 120))}`);
        }
        resolve();
      };
      sock.setTimeout(500, finish);
      sock.on('data', (d) => (got += d.toString('latin1')));
      sock.on('error', finish);
      sock.on('close', finish);
      sock.on('connect', () => sock.write(bytes));
    });
  for (let i = 0; i < raw.length; i += 50) await Promise.all(raw.slice(i, i + 50).map(rawOne));

  // ---- Socket.IO: handshakes, then events on every namespace ----
  const open = (ns: string, auth: unknown): Socket => io(`${url}${ns}`, { transports: ['websocket'], reconnection: false, forceNew: true, ...(auth === undefined ? {} : { auth: auth as Record<string, unknown> }) });
  // Some payloads the client library sends without getting an answer (a handshake `auth` that is
  // not an object): 'silent' after the wait.
  const outcome = (s: Socket, waitMs = 1_000): Promise<'connected' | 'refused' | 'silent'> =>
    new Promise((resolve) => {
      const timer = setTimeout(() => resolve('silent'), waitMs);
      s.once('connect', () => (clearTimeout(timer), resolve('connected')));
      s.once('connect_error', () => (clearTimeout(timer), resolve('refused')));
    });
  const handshakes = { connected: 0, refused: 0, silent: 0 };
  for (let i = 0; i < HANDSHAKES; i += 60) {
    await Promise.all(
      Array.from({ length: Math.min(60, HANDSHAKES - i) }, async () => {
        const token = tokens[pick(r, ROLES)].slice('Bearer '.length);
        const auth = pick(r, [undefined, {}, { token: hostile(r) }, { token }, { token: `${token}x` }, { token: 'x'.repeat(5000) }, { token: forgedNone }, { token, lastSeq: hostile(r) }, 'string', [1]]);
        const s = open(pick(r, ['/agent', '/ops', '/dispatcher', '/', '/nope', '/agent/../ops']), auth);
        handshakes[await outcome(s)]++;
        s.disconnect();
      }),
    );
  }
  const clients: [string, Socket][] = [
    ['/agent', open('/agent', { token: tokens.agent.slice(7) })],
    ['/ops', open('/ops', { token: tokens.ops.slice(7) })],
    ['/ops', open('/ops', { token: tokens.supervisor.slice(7) })],
    ['/dispatcher', open('/dispatcher', { token: tokens.dispatcher.slice(7) })],
  ];
  // Listen on all four before awaiting any: a later one may connect while an earlier one is awaited.
  const connects = clients.map(([, s]) => outcome(s, 10_000));
  for (const [i, [ns]] of clients.entries()) t.equal(await connects[i], 'connected', `${ns} client connected`);
  t.teardown(() => clients.forEach(([, s]) => s.disconnect()));
  const commands = ['agent:set-state', 'call:hangup', 'call:hold', 'call:transfer', 'call:consult', 'call:wrap-up', 'caller:history', 'directory:get', 'stats:get'];
  const nearValid = (event: string): unknown => {
    const callId = String(r() < 0.5 ? pick(r, NASTY) : randomText(r, 30));
    switch (event) {
      case 'agent:set-state':
        return r() < 0.5 ? { action: pick(r, BAD_ACTION) } : r() < 0.5 ? { action: 'not-ready', reason: pick(r, BAD_REASON) } : { action: 'ready', reason: 'break' };
      case 'call:hold':
        return { callId, on: r() < 0.5 ? true : hostile(r) };
      case 'call:transfer':
        return { callId, mode: pick(r, ['blind', 'attended', hostile(r)]), target: pick(r, [{ kind: 'agent', agentId: hostile(r) }, { kind: 'agent', agentId: '1001' }, { kind: 'queue', queue: hostile(r) }, { kind: 'external', number: hostile(r) }, { kind: 'external', number: '13900000000' }, { kind: hostile(r) }]) };
      case 'call:consult':
        return { callId, action: pick(r, ['complete', 'cancel', hostile(r)]) };
      case 'call:wrap-up':
        return { callId, category: pick(r, ['complaint', 'help', hostile(r)]), summary: pick(r, ['投诉', 'x'.repeat(2001), hostile(r)]), ticketRef: hostile(r) };
      case 'directory:get':
      case 'stats:get':
        return r() < 0.5 ? {} : { extra: hostile(r) };
      default:
        return { callId };
    }
  };
  const acks = new Map<string, number>();
  let socketInputs = 0;
  let internal = 0;
  for (let i = 0; i < SOCKET_EVENTS; i += 60) {
    await Promise.all(
      Array.from({ length: Math.min(60, SOCKET_EVENTS - i) }, async () => {
        socketInputs++;
        const [ns, s] = r() < 0.7 ? clients[0]! : pick(r, clients);
        const known = r() < 0.7;
        const event = known ? pick(r, commands) : pick(r, ['__proto__', 'constructor', 'toString', 'hasOwnProperty', 'call:hangup ', 'snapshot', 'agent:state', randomText(r, 12) || 'x']);
        const args = r() < 0.6 ? [nearValid(event)] : r() < 0.9 ? randomArgs(r) : [Buffer.from(randomText(r, 100))];
        // /ops and /dispatcher take no commands: nothing answers there, the events must just do no harm.
        if (!known || ns !== '/agent' || r() < 0.05) return void s.emit(event, ...args);
        try {
          const ack = (await s.timeout(3_000).emitWithAck(event, ...args)) as { ok?: true; error?: { code: string } };
          const code = ack?.error?.code ?? (ack?.ok ? 'ok' : 'odd');
          acks.set(code, (acks.get(code) ?? 0) + 1);
          if (code === 'internal') internal++;
        } catch {
          acks.set('no-ack', (acks.get('no-ack') ?? 0) + 1);
        }
      }),
    );
  }
  for (const [ns, s] of clients) t.ok(s.connected, `${ns} client still connected`);

  const after = await snapshot();
  const elapsed = Date.now() - started;
  const total5xx = [...statuses].filter(([c]) => c >= 500).reduce((n, [, k]) => n + k, 0);
  const restInputs = REST_INPUTS + RAW_INPUTS;
  t.comment(`fuzz: rest ${restInputs} inputs (${RAW_INPUTS} raw HTTP), socket ${socketInputs + HANDSHAKES} inputs (${HANDSHAKES} handshakes), ${total5xx} 5xx, ${internal} internal acks, ${srv.child.exitCode === null ? 0 : 1} exits, ${elapsed} ms (REST part ${restMs} ms, load average ${loadavg()[0]!.toFixed(1)})`);
  t.comment(`statuses ${JSON.stringify(Object.fromEntries(statuses))}; client-side ${JSON.stringify(Object.fromEntries(clientErrors))}; raw answered ${rawAnswered}; handshakes ${JSON.stringify(handshakes)}; acks ${JSON.stringify(Object.fromEntries(acks))}`);
  t.ok(restInputs + socketInputs + HANDSHAKES >= 9_000, 'at least 9,000 inputs');
  t.same(fivexx.slice(0, 10), [], 'no 5xx answer');
  t.equal(internal, 0, 'no internal-error ack');
  t.equal(srv.child.exitCode, null, 'the process is still running');
  t.notOk(srv.logs().some((l) => /uncaught|unhandled/.test(String(l.msg))), 'no uncaught exception or unhandled rejection logged');
  t.same(after, before, 'agents, their audit trails, queues and users are unchanged');
  t.ok((await fetch(`${url}/readyz`)).status === 200, 'still ready');
  // The work is bounded by the counts above (well under a minute on an idle 2-core machine); this
  // catches a run-away before tap's 120 s file timeout would.
  t.ok(elapsed < 110_000, `bounded time (${elapsed} ms)`);
});
