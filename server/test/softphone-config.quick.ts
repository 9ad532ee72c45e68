// GET /api/softphone/config tells an agent's browser which phone to run, and only an agent's; the
// built softphone is served at /.
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import t from 'tap';
import { loadConfig } from '../src/config.ts';
import { createLogger } from '../src/log.ts';
import { createService } from '../src/service.ts';
import { hashPassword } from '../src/auth/passwords.ts';

async function httpService(t: { teardown(fn: () => unknown): void }, env: Record<string, string>) {
  const config = loadConfig({ env: { HOTLINE_HTTP_PORT: '0', HOTLINE_LOG_LEVEL: 'silent', ...env } });
  const service = await createService(config, createLogger(config.log));
  t.teardown(() => service.stop());
  const tokenOf = async (username: string, password = 'demo12345'): Promise<string> =>
    (await service.app.inject({ method: 'POST', url: '/api/login', payload: { username, password } })).json().token as string;
  const get = (token?: string) => service.app.inject({ method: 'GET', url: '/api/softphone/config', headers: token ? { authorization: `Bearer ${token}` } : {} });
  return { service, tokenOf, get };
}

const SIM = JSON.stringify({ kind: 'simulated', controlUrl: 'http://127.0.0.1:8090/' });

t.test('simulated phone: an agent gets it, others are refused', async (t) => {
  const { tokenOf, get } = await httpService(t, { HOTLINE_DESK_PHONE: SIM });
  t.equal((await get()).statusCode, 401, 'no token');
  t.equal((await get('not-a-jwt')).statusCode, 401, 'bad token');
  t.equal((await get(await tokenOf('ops'))).statusCode, 403, 'ops has no softphone');
  const res = await get(await tokenOf('1004'));
  t.equal(res.statusCode, 200);
  t.same(res.json(), { phone: { kind: 'simulated', controlUrl: 'http://127.0.0.1:8090', user: '1004' }, answerTargetSec: 15, wrapUpSec: 30 });
  t.equal(res.headers['cache-control'], 'no-store');
});

t.test('SIP phone: the agent gets its own SIP password from the users file', async (t) => {
  const dir = await mkdtemp(path.join(tmpdir(), 'users-'));
  const file = path.join(dir, 'users.json');
  const hash = await hashPassword('s3cret-pass');
  await writeFile(file, JSON.stringify({ users: [
    { username: 'wangfang', role: 'agent', agentId: '1001', passwordHash: hash, sipPassword: 'sip-1001' },
    { username: 'lina', role: 'agent', agentId: '1002', passwordHash: hash },
  ] }));
  const { tokenOf, get } = await httpService(t, {
    HOTLINE_AUTH_USERS_PATH: file,
    HOTLINE_AUTH_JWT_SECRET: 'a-test-secret-that-is-long-enough-0123456789',
    HOTLINE_DESK_PHONE: JSON.stringify({ kind: 'sip', wssUrl: 'wss://fs.example:7443', domain: 'hotline.local', iceServers: [{ urls: 'stun:stun.example:3478' }] }),
  });
  t.match((await get(await tokenOf('wangfang', 's3cret-pass'))).json(), { phone: { kind: 'sip', wssUrl: 'wss://fs.example:7443', domain: 'hotline.local', user: '1001', password: 'sip-1001', iceServers: [{ urls: 'stun:stun.example:3478' }] } });
  t.match((await get(await tokenOf('lina', 's3cret-pass'))).json(), { phone: { user: '1002', password: '' } }, 'no SIP password configured: empty');
});

t.test('no phone configured: 503 naming the setting', async (t) => {
  const { tokenOf, get } = await httpService(t, {});
  const res = await get(await tokenOf('1001'));
  t.equal(res.statusCode, 503);
  t.match(res.json().message, /desk\.phone/);
});

t.test('a bad phone setting stops start-up with the field named', async (t) => {
  t.throws(() => loadConfig({ env: { HOTLINE_DESK_PHONE: JSON.stringify({ kind: 'sip', wssUrl: 'http://x' }) } }), /desk\.phone/);
});

t.test('the built softphone is served at /', async (t) => {
  const { service } = await httpService(t, { HOTLINE_DESK_PHONE: SIM });
  const res = await service.app.inject({ method: 'GET', url: '/' });
  t.equal(res.statusCode, 200, 'softphone-web/dist is built (npm test builds it first)');
  t.match(res.body, /<div id="app">/);
  t.match(res.body, /\/assets\/main-[\w-]+\.js/, 'the built bundle (entry "main" of vite.config.ts), not the source entry');
});
