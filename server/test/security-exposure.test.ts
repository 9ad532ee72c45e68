// Issue 10, deliverable 2: no default credential ever leaves loopback. The demo users, a JWT secret
// generated per start and FreeSWITCH's ClueCon are refused at start-up, naming the setting, as
// soon as the HTTP or the outbound-socket listener binds an address other hosts can reach; and
// docker/compose.yaml (which binds HTTP publicly) requires its secrets and passes the same check.
import t from 'tap';
import { ConfigError, loadConfig, unknownEnvVars, type Env } from '../src/config.ts';
import { isLoopback } from '../src/config-exposure.ts';
import { composeService, fillCompose } from './helpers/deploy-files.ts';
import { startServer } from './helpers/server-process.ts';

const problemsOf = (env: Env): string[] => {
  try {
    loadConfig({ env });
    return [];
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    return [...err.problems];
  }
};

const SECURED = {
  HOTLINE_AUTH_USERS_PATH: '/etc/hotline/users.json',
  HOTLINE_AUTH_JWT_SECRET: 'a-real-secret-of-at-least-32-characters',
  HOTLINE_FS_PASSWORD: 'esl-password-of-this-site',
};

t.test('off loopback, each default credential is refused with its setting named', async (t) => {
  for (const [variable, host] of [
    ['HOTLINE_HTTP_HOST', '0.0.0.0'],
    ['HOTLINE_HTTP_HOST', '10.1.2.3'],
    ['HOTLINE_HTTP_HOST', '::'],
    ['HOTLINE_HTTP_HOST', 'hotline.example'],
    ['HOTLINE_FS_OUTBOUND_HOST', '0.0.0.0'],
    ['HOTLINE_FS_OUTBOUND_HOST', '192.168.1.20'],
  ] as const) {
    const found = problemsOf({ [variable]: host });
    t.equal(found.length, 3, `${variable}=${host}: three default credentials`, { found });
    t.match(found, [
      /^auth\.usersPath \(HOTLINE_AUTH_USERS_PATH\): the embedded demo users \(password demo12345\) only serve loopback, but .* is /,
      /^auth\.jwtSecret \(HOTLINE_AUTH_JWT_SECRET\): a JWT secret generated per start only serves loopback/,
      /^freeswitch\.nodes\.0\.password \(HOTLINE_FS_PASSWORD or HOTLINE_FS_NODES\): node fs1 uses FreeSWITCH's stock password ClueCon/,
    ]);
    t.ok(found.every((p) => p.includes(host)), 'each names the exposed address');
    t.same(problemsOf({ [variable]: host, ...SECURED }), [], 'accepted once none is a default');
  }
  t.match(problemsOf({ HOTLINE_HTTP_HOST: '0.0.0.0', ...SECURED, HOTLINE_FS_PASSWORD: 'clueCON' }), [/freeswitch\.nodes\.0\.password/], 'ClueCon in any case');
  const { HOTLINE_FS_PASSWORD: _omit, ...noFs } = SECURED;
  t.match(
    problemsOf({ HOTLINE_HTTP_HOST: '0.0.0.0', ...noFs, HOTLINE_FS_NODES: JSON.stringify([{ name: 'a', password: 'fine-pass' }, { name: 'b' }]) }),
    [/^freeswitch\.nodes\.1\.password .*node b uses FreeSWITCH's stock password/],
    'every node is checked',
  );
  t.match(problemsOf({ HOTLINE_HTTP_HOST: '0.0.0.0', HOTLINE_AUTH_JWT_SECRET: SECURED.HOTLINE_AUTH_JWT_SECRET, HOTLINE_FS_PASSWORD: 'x-y' }), [/^auth\.usersPath/], 'demo users with a real secret: still refused');
  t.match(problemsOf({ HOTLINE_METRICS_PORT: '9464', HOTLINE_METRICS_HOST: '0.0.0.0' }), [/^metrics\.token \(HOTLINE_METRICS_TOKEN\): the metrics listener binds 0\.0\.0\.0, not loopback/], 'a public metrics listener needs a token');
  t.same(problemsOf({ HOTLINE_METRICS_PORT: '9464', HOTLINE_METRICS_HOST: '0.0.0.0', HOTLINE_METRICS_TOKEN: 'scrape-token-0123456789' }), []);
});

t.test('on loopback the demo defaults stay (npm start)', async (t) => {
  for (const host of ['127.0.0.1', '127.0.0.53', '::1', '[::1]', 'localhost', 'LOCALHOST']) {
    t.ok(isLoopback(host), host);
    t.same(problemsOf({ HOTLINE_HTTP_HOST: host, HOTLINE_FS_OUTBOUND_HOST: host }), [], `${host}: demo users, generated secret and ClueCon allowed`);
  }
  for (const host of ['0.0.0.0', '::', '128.0.0.1', '127.0.0.1.example', 'myhost']) t.notOk(isLoopback(host), `${host} is not loopback`);
});

t.test('the server process refuses to start, naming every setting, and listens on nothing', async (t) => {
  const srv = startServer({ HOTLINE_HTTP_HOST: '0.0.0.0', HOTLINE_HTTP_PORT: '0' });
  t.teardown(() => {
    if (srv.child.exitCode === null) srv.child.kill('SIGKILL');
  });
  const { code } = await srv.exited;
  t.equal(code, 1);
  const stderr = srv.stderr();
  for (const setting of ['auth.usersPath (HOTLINE_AUTH_USERS_PATH)', 'auth.jwtSecret (HOTLINE_AUTH_JWT_SECRET)', 'freeswitch.nodes.0.password'])
    t.ok(stderr.includes(setting), `stderr names ${setting}`);
  t.notOk(srv.logs().some((r) => r.msg === 'listening'), 'never listened');
});

t.test('docker/compose.yaml: no demo users, every secret required, and its settings pass the check', async (t) => {
  const { compose, block, env } = await composeService();
  t.ok(env.HOTLINE_AUTH_USERS_PATH, 'a users file: no demo users');
  for (const name of ['HOTLINE_FS_PASSWORD', 'HOTLINE_AUTH_JWT_SECRET', 'HOTLINE_METRICS_TOKEN'])
    t.match(env[name], /^\$\{[A-Z_]+:\?[^}]+\}$/, `${name} must be given (\${VAR:?message})`);
  t.match(block, /\$\{USERS_FILE:\?[^}]+\}:\/run\/hotline\/users\.json:ro/, 'the users file is mounted read-only and required');
  const settings = compose.split('\n').filter((l) => !/^\s*#/.test(l)).join('\n');
  t.notMatch(settings, /demo12345|ClueCon/i, 'no demo credential in any setting');
  t.same(unknownEnvVars(env), [], 'every variable is one the service knows');
  // Fill the required values the way an operator would, then load the service's config from it.
  const filled = fillCompose(env);
  t.equal(filled.HOTLINE_HTTP_HOST, '0.0.0.0', 'the API is public in compose');
  t.same(problemsOf(filled), [], 'and passes the exposure check');
  t.equal(filled.HOTLINE_METRICS_HOST, '127.0.0.1', 'metrics on loopback');
  t.equal(filled.HOTLINE_FS_OUTBOUND_HOST, '127.0.0.1', 'the outbound socket on loopback');
  t.match(compose, /"--bind", "127\.0\.0\.1"/, 'Redis on loopback');
});
