// Issue 10: the failed-login budget is spent atomically in Redis before the password is checked,
// per username and per client address, and shared by every instance. Parallel wrong logins (the
// old read-then-write limiter let a whole burst through) reach the password check at most
// `loginMaxFailures` times per user (`loginMaxFailuresPerAddress` per address); a 401 means the
// password was checked, a 429 that it was not.
import t from 'tap';
import { withRedis } from '../../scripts/lib/test-redis.ts';
import { loadConfig } from '../src/config.ts';
import { createLogger } from '../src/log.ts';
import { createService, type Service } from '../src/service.ts';

const LIMIT = 5;
const PER_ADDRESS = 12;

t.test('parallel wrong logins against two instances: at most the limit reach the password check', async (t) => {
  const redis = await withRedis(t);
  const instance = async (): Promise<Service> => {
    const config = loadConfig({
      env: { HOTLINE_HTTP_PORT: '0', HOTLINE_LOG_LEVEL: 'silent', HOTLINE_REDIS_URL: redis.url, HOTLINE_AUTH_LOGIN_MAX_FAILURES: String(LIMIT), HOTLINE_AUTH_LOGIN_MAX_FAILURES_PER_ADDRESS: String(PER_ADDRESS), HOTLINE_AUTH_LOGIN_WINDOW_SEC: '60' },
    });
    const s = await createService(config, createLogger(config.log), { callControl: false });
    t.teardown(() => s.stop());
    await s.start();
    return s;
  };
  const [a, b] = [await instance(), await instance()];
  const login = (s: Service, username: string, password: string, ip: string) =>
    s.app.inject({ method: 'POST', url: '/api/login', payload: { username, password }, remoteAddress: ip }).then((r) => r.statusCode);
  const tally = (codes: number[]) => ({ checked: codes.filter((c) => c === 401).length, refused: codes.filter((c) => c === 429).length, other: codes.filter((c) => c !== 401 && c !== 429).length });

  t.test('one username from many addresses', async (t) => {
    const burst = await Promise.all(Array.from({ length: 40 }, (_, i) => login(i % 2 ? a : b, 'supervisor', `guess-${i}`, `10.1.0.${i}`)));
    const r = tally(burst);
    t.comment(`per user: ${JSON.stringify(r)}`);
    t.equal(r.other, 0);
    t.ok(r.checked <= LIMIT, `at most ${LIMIT} of 40 reached the password check (${r.checked})`);
    t.equal(r.checked + r.refused, 40);
    t.equal(await login(a, 'supervisor', 'demo12345', '10.9.9.9'), 429, 'the right password is refused too while the window lasts');
    t.equal(await login(b, 'ops', 'demo12345', '10.9.9.9'), 200, 'other users log in');
  });

  t.test('one address spraying usernames', async (t) => {
    const burst = await Promise.all(Array.from({ length: 40 }, (_, i) => login(i % 2 ? a : b, `user${i}`, 'x', '10.2.0.1')));
    const r = tally(burst);
    t.comment(`per address: ${JSON.stringify(r)}`);
    t.ok(r.checked <= PER_ADDRESS, `at most ${PER_ADDRESS} of 40 reached the password check (${r.checked})`);
    t.equal(r.checked + r.refused, 40);
    t.equal(await login(a, 'admin', 'demo12345', '10.2.0.1'), 429, 'the address is blocked');
  });

  t.test('good logins give their attempt back: a call center behind one address is not locked out', async (t) => {
    const agents = Array.from({ length: 10 }, (_, i) => String(1000 + i));
    const codes = await Promise.all(agents.map((id, i) => login(i % 2 ? a : b, id, 'demo12345', '10.3.0.1')));
    t.same(codes, agents.map(() => 200), 'ten agents log in from one NAT address');
    t.equal(await login(a, 'dispatcher', 'wrong', '10.3.0.1'), 401, 'and a typo still counts as one failure only');
    t.equal(await login(b, 'dispatcher', 'demo12345', '10.3.0.1'), 200);
  });
});
