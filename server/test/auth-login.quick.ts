// Issue "Agent softphone and live call state over Socket.IO", item 2: POST /api/login issues JWTs
// for users from a config file (scrypt hashes) or the embedded demo users; failures are rate-limited.
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import t from 'tap';
import { decodeJwt } from 'jose';
import { ConfigError, loadConfig } from '../src/config.ts';
import { createLogger } from '../src/log.ts';
import { createService } from '../src/service.ts';
import { createAuth } from '../src/auth/auth.ts';
import { hashPassword, verifyPassword } from '../src/auth/passwords.ts';
import { tokenSigner } from '../src/auth/tokens.ts';

const SECRET = 'a-test-secret-that-is-long-enough-0123456789';

async function httpService(t: { teardown(fn: () => unknown): void }, env: Record<string, string> = {}) {
  const config = loadConfig({ env: { HOTLINE_HTTP_PORT: '0', HOTLINE_LOG_LEVEL: 'silent', ...env } });
  const service = await createService(config, createLogger(config.log));
  t.teardown(() => service.stop());
  const login = (username: string, password: string, ip = '10.0.0.1') =>
    service.app.inject({ method: 'POST', url: '/api/login', payload: { username, password }, remoteAddress: ip });
  return { service, login };
}

t.test('demo users: a good password gets a JWT with the role; a bad one or an unknown user gets 401', async (t) => {
  const { login } = await httpService(t);
  const ok = await login('1003', 'demo12345');
  t.equal(ok.statusCode, 200);
  const body = ok.json() as { token: string; role: string; agentId: string; expiresAt: number };
  t.equal(body.role, 'agent');
  t.equal(body.agentId, '1003');
  const claims = decodeJwt(body.token);
  t.equal(claims.sub, '1003');
  t.equal(claims.role, 'agent');
  t.ok(body.expiresAt > Date.now() + 3600_000, 'default TTL is hours');
  t.equal((await login('ops', 'demo12345')).json().role, 'ops');
  const bad = await login('1003', 'wrong');
  t.equal(bad.statusCode, 401);
  t.equal(bad.json().message, 'wrong username or password');
  t.equal((await login('nobody', 'demo12345')).json().message, 'wrong username or password', 'unknown user answers the same');
  t.equal((await login('1003', '')).statusCode, 400, 'payload validated');
  t.equal((await login('1003', 'demo12345')).statusCode, 200);
});

t.test('after N failures the username is refused with 429, even with the right password', async (t) => {
  const { login } = await httpService(t, { HOTLINE_AUTH_LOGIN_MAX_FAILURES: '3', HOTLINE_AUTH_LOGIN_MAX_FAILURES_PER_ADDRESS: '3', HOTLINE_AUTH_LOGIN_WINDOW_SEC: '60' });
  for (let i = 0; i < 3; i++) t.equal((await login('supervisor', `guess${i}`, `10.0.0.${i}`)).statusCode, 401);
  t.equal((await login('supervisor', 'demo12345', '10.9.9.9')).statusCode, 429, 'username blocked from any address');
  t.equal((await login('admin', 'demo12345', '10.9.9.9')).statusCode, 200, 'other users unaffected');
  // One address spraying usernames is blocked too.
  for (const u of ['a1', 'a2', 'a3']) t.equal((await login(u, 'x', '10.7.7.7')).statusCode, 401);
  t.equal((await login('admin', 'demo12345', '10.7.7.7')).statusCode, 429, 'address blocked');
});

t.test('the window passes: logins are allowed again', async (t) => {
  let now = 1_800_000_000_000;
  const auth = await createAuth(loadConfig({ env: { HOTLINE_AUTH_LOGIN_MAX_FAILURES: '2', HOTLINE_AUTH_LOGIN_WINDOW_SEC: '10' } }).auth, createLogger({ level: 'silent' }), { now: () => now });
  await auth.login('ops', 'x', 'ip');
  await auth.login('ops', 'y', 'ip');
  t.same(await auth.login('ops', 'demo12345', 'ip'), { ok: false, reason: 'rate-limited' });
  now += 10_001;
  t.equal((await auth.login('ops', 'demo12345', 'ip')).ok, true);
});

t.test('users file with scrypt hashes; a JWT secret is then required', async (t) => {
  const dir = await mkdtemp(path.join(tmpdir(), 'users-'));
  const file = path.join(dir, 'users.json');
  await writeFile(file, JSON.stringify({ users: [{ username: 'li.wei', role: 'dispatcher', passwordHash: await hashPassword('s3cret!') }] }));
  t.throws(() => loadConfig({ env: { HOTLINE_AUTH_USERS_PATH: file } }), ConfigError, 'no secret: refused at start');
  const { login } = await httpService(t, { HOTLINE_AUTH_USERS_PATH: file, HOTLINE_AUTH_JWT_SECRET: SECRET, HOTLINE_AUTH_TOKEN_TTL_SEC: '600' });
  const ok = await login('li.wei', 's3cret!');
  t.equal(ok.statusCode, 200);
  const { token, expiresAt } = ok.json() as { token: string; expiresAt: number };
  t.ok(Math.abs(expiresAt - (Date.now() + 600_000)) < 5000, 'TTL from config');
  const p = await tokenSigner({ secret: SECRET, ttlSec: 600 }).verify(token);
  t.equal(p.role, 'dispatcher');
  t.equal((await login('1000', 'demo12345')).statusCode, 401, 'demo users are gone once a file is configured');

  await writeFile(file, JSON.stringify({ users: [{ username: 'x', role: 'agent', passwordHash: 'plain' }] }));
  await t.rejects(createAuth(loadConfig({ env: { HOTLINE_AUTH_USERS_PATH: file, HOTLINE_AUTH_JWT_SECRET: SECRET } }).auth, createLogger({ level: 'silent' })), /agentId|scrypt/);
});

t.test('tokens: expired and foreign-signed tokens are refused', async (t) => {
  const signer = tokenSigner({ secret: SECRET, ttlSec: 60, now: () => Date.now() - 3600_000 });
  const old = await signer.sign({ username: 'ops', role: 'ops' });
  const verifier = tokenSigner({ secret: SECRET, ttlSec: 60 });
  await t.rejects(verifier.verify(old.token), 'expired');
  const other = await tokenSigner({ secret: `${SECRET}-other`, ttlSec: 60 }).sign({ username: 'ops', role: 'ops' });
  await t.rejects(verifier.verify(other.token), 'bad signature');
  const fresh = await verifier.sign({ username: 'ops', role: 'ops' });
  t.equal((await verifier.verify(fresh.token)).role, 'ops');
  t.equal(await verifyPassword('x', 'not-a-hash'), false);
});
