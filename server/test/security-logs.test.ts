// Issue 10, deliverable 3: secrets and caller numbers never reach the logs. The whole service runs
// at debug level with known secret values (JWT secret, ESL password, webhook secrets, credentials
// inside webhook URLs, the metrics token, users' passwords) through a scripted run on fsim: three
// citizens call, wait in the queue, are answered by agents and hang up; an agent files a wrap-up
// that goes to the ticket webhook; an offer fails at the switch; someone fails to log in. Every log
// line is searched for each secret and each caller number in clear: zero hits.
import { mkdtemp, writeFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import t from 'tap';
import type { Socket } from 'socket.io-client';
import { hashPassword } from '../src/auth/passwords.ts';
import type { Ack } from '../src/realtime/events.ts';
import { FsimLog } from './helpers/fsim-log.ts';
import { baseUrl, connected, socketTo, waitFor } from './helpers/realtime.ts';
import { eventually, startHarness } from './helpers/service.ts';
import { tokenOf } from './helpers/tokens.ts';

const SECRETS = {
  jwt: 'Jwt-Known-Secret-0123456789-abcdefghij',
  esl: 'Esl-Known-Secret-4411',
  ticketHmac: 'Ticket-Hmac-Secret-55',
  ticketUrlPass: 'Hook-Url-Pass-77',
  ticketUrlPath: 'HookPathToken88',
  ticketUrlQuery: 'Hook-Query-Key-99',
  slaHmac: 'Sla-Hmac-Secret-33',
  slaUrlPass: 'Sla-Url-Pass-66',
  slaUrlQuery: 'Sla-Query-Token-44',
  metrics: 'Metrics-Known-Token-22',
  adminPassword: 'Adm1n-Known-Pass!',
  agentPassword: 'Ag3nt-Known-Pass!',
  wrongPassword: 'Wrong-Known-Pass-11',
};
// Citizens' numbers as the switch presents them; each must appear masked, never in clear.
const CALLERS = ['13812345678', '13987654321', '+8613500001111'];

t.test('a scripted run logs no secret and no caller number', async (t) => {
  const dir = await mkdtemp(path.join(tmpdir(), 'hotline-logs-'));
  const usersPath = path.join(dir, 'users.json');
  const agentHash = await hashPassword(SECRETS.agentPassword);
  await writeFile(
    usersPath,
    JSON.stringify({
      users: [
        { username: 'admin', role: 'admin', passwordHash: await hashPassword(SECRETS.adminPassword) },
        ...['1001', '1002'].map((id) => ({ username: `agent${id}`, role: 'agent', agentId: id, passwordHash: agentHash })),
      ],
    }),
  );
  const posts: { body: string; authorization: string | undefined }[] = [];
  const tickets = createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString('utf8')));
    req.on('end', () => {
      posts.push({ body, authorization: req.headers.authorization });
      res.writeHead(201).end('{}');
    });
  });
  await new Promise<void>((r) => tickets.listen(0, '127.0.0.1', r));
  // closeAllConnections: a webhook client's kept-alive socket would hold close() (and this file's
  // process) open until the client gives it up; once a CI run waited 56 s here.
  t.teardown(() => new Promise<void>((r) => {
    tickets.close(() => r());
    tickets.closeAllConnections();
  }));
  const port = (tickets.address() as AddressInfo).port;

  const lines: string[] = [];
  const h = await startHarness(t, {
    logLines: lines,
    eslPassword: SECRETS.esl,
    timeScale: 0.1,
    env: {
      HOTLINE_LOG_LEVEL: 'debug',
      HOTLINE_AUTH_USERS_PATH: usersPath,
      HOTLINE_AUTH_JWT_SECRET: SECRETS.jwt,
      HOTLINE_DESK_TICKET_WEBHOOK_URL: `http://hook:${SECRETS.ticketUrlPass}@127.0.0.1:${port}/hooks/${SECRETS.ticketUrlPath}?key=${SECRETS.ticketUrlQuery}`,
      HOTLINE_DESK_TICKET_WEBHOOK_SECRET: SECRETS.ticketHmac,
      HOTLINE_SLA_ALERT_WEBHOOK_URL: `http://sla:${SECRETS.slaUrlPass}@127.0.0.1:${port}/sla?token=${SECRETS.slaUrlQuery}`,
      HOTLINE_SLA_ALERT_WEBHOOK_SECRET: SECRETS.slaHmac,
      HOTLINE_METRICS_TOKEN: SECRETS.metrics,
      // Short: two agents serve three callers; the wrap-up form may be filed after it ran out.
      HOTLINE_ACD_WRAP_UP_SEC: '1',
    },
  });
  const calls = h.service.calls!;
  const log = new FsimLog(h.fsim);
  t.teardown(() => log.close());
  await eventually('switch connected', () => calls.nodeStatus()[0]?.connected);
  const url = baseUrl(h.service);

  // Someone guesses the admin's password; the admin logs in and creates the agents.
  const failed = await fetch(`${url}/api/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: 'admin', password: SECRETS.wrongPassword }) });
  t.equal(failed.status, 401, 'a failed login');
  const admin = { authorization: `Bearer ${await tokenOf(h.service.auth, 'admin', SECRETS.adminPassword)}`, 'content-type': 'application/json' };
  // 1003's phone is not registered: the first offer to it fails at the switch (an error path that logs).
  for (const id of ['1003', '1001', '1002']) {
    if (id !== '1003') h.fsim.sw.registerUser(id, { answerAfterMs: 300, hangupAfterMs: 1_500 });
    const res = await fetch(`${url}/api/agents`, { method: 'POST', headers: admin, body: JSON.stringify({ id, name: `坐席${id}`, phone: `user/${id}`, skills: { general: 5 } }) });
    t.equal(res.status, 201);
  }
  t.equal((await fetch(`${url}/metrics`, { headers: { authorization: `Bearer ${SECRETS.metrics}` } })).status, 200, 'a scrape with the token');

  // Agent 1001 works from its softphone (Socket.IO); 1002 is logged in by the admin.
  const socket: Socket = socketTo(t, h.service, '/agent', await tokenOf(h.service.auth, 'agent1001', SECRETS.agentPassword));
  const snap = waitFor(socket, 'snapshot');
  await connected(socket);
  await snap;
  const send = <T extends object = object>(event: string, payload: unknown) => socket.timeout(15_000).emitWithAck(event, payload) as Promise<Ack<T>>;
  t.ok('ok' in (await send('agent:set-state', { action: 'login' })));
  for (const id of ['1003', '1002']) t.equal((await fetch(`${url}/api/agents/${id}/state`, { method: 'POST', headers: admin, body: JSON.stringify({ action: 'login' }) })).status, 200);

  const placed: string[] = [];
  for (const from of CALLERS) placed.push(((await h.control('/calls', { from, to: '12345', profile: 'external' })).json as { uuid: string }).uuid);
  await eventually('every caller answered and gone', () => placed.every((id) => log.callers.get(id)?.answeredUs !== undefined && log.callers.get(id)?.hangupUs !== undefined), 30_000);
  const handled = await eventually('1001 handled a call', () => [...log.agentLegs.values()].find((l) => l.user === '1001' && l.answeredUs !== undefined)?.callId, 10_000);
  t.ok('ok' in (await send('call:wrap-up', { callId: handled, category: 'complaint', summary: '噪音扰民' })), 'wrap-up filed');
  await eventually('the wrap-up reached the ticket system', () => posts.length === 1);
  t.ok(CALLERS.some((n) => posts[0]!.body.includes(n)), 'the ticket system itself gets the number (it is about the citizen)');
  t.equal(posts[0]!.authorization, `Basic ${Buffer.from(`hook:${SECRETS.ticketUrlPass}`).toString('base64')}`, "the URL's credentials travel as Basic auth");
  await h.service.stop();

  t.ok(lines.length > 30, `${lines.length} log lines to search`);
  t.ok(lines.some((l) => l.includes('"msg":"starting"')), 'the start-up config is among them');
  const leaks: string[] = [];
  for (const [name, value] of Object.entries(SECRETS)) for (const l of lines) if (l.includes(value)) leaks.push(`secret ${name}: ${l.slice(0, 300)}`);
  for (const n of CALLERS) {
    const digits = n.replace(/\D/g, '');
    for (const l of lines) if (l.includes(digits)) leaks.push(`number ${n}: ${l.slice(0, 300)}`);
  }
  t.same(leaks, [], 'no secret and no caller number in clear in any log line');
  t.ok(lines.some((l) => l.includes('USER_NOT_REGISTERED')), 'the failed offer to 1003 was logged (an error path was searched too)');
});
