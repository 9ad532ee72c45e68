import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import t, { type Test } from 'tap';
import { ConfigError, loadConfig, redactConfig, unknownEnvVars, type Env } from '../src/config.ts';

/** The ConfigError's problem lines for a config that must be refused. */
function problems(t: Test, opts: Parameters<typeof loadConfig>[0]): string[] {
  try {
    loadConfig(opts);
  } catch (err) {
    t.type(err, ConfigError);
    return [...(err as ConfigError).problems];
  }
  t.fail('expected a ConfigError');
  return [];
}

async function tempFile(t: Test, contents: string): Promise<string> {
  const dir = await mkdtemp(path.join(tmpdir(), 'hotline-config-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  const file = path.join(dir, 'config.json');
  await writeFile(file, contents);
  return file;
}

t.test('defaults with an empty environment', async (t) => {
  const c = loadConfig({ env: {} });
  t.same(c.http, { host: '127.0.0.1', port: 8080 });
  t.equal(c.log.level, 'info');
  t.same(c.redis, { keyPrefix: 'hotline', commandTimeoutMs: 5000 }, 'no Redis URL: the embedded launcher provides one');
  t.same(c.freeswitch.nodes, [
    {
      name: 'fs1',
      host: '127.0.0.1',
      port: 8021,
      password: 'ClueCon',
      commandTimeoutMs: 5000,
      reconnect: { initialMs: 500, maxMs: 30000, jitter: 0.2 },
    },
  ]);
  t.same(c.freeswitch.outbound, { host: '127.0.0.1', port: 8084, connectTimeoutMs: 5000 });
  t.same(c.sla, { thresholdSec: 15, shortAbandonSec: 5, target: 0.95 });
  t.same(c.cdr, { streamMaxLen: 1_000_000 }, 'no JSONL copy unless a path is given');
  t.same(c.ivr, { promptsBase: 'hotline/' }, 'no flows file: the built-in flows');
  t.equal(c.shutdown.graceMs, 10000);
});

/** What a service listening off loopback must have (config-exposure.ts): no demo credential. */
const deployed = { HOTLINE_AUTH_USERS_PATH: '/etc/hotline/users.json', HOTLINE_AUTH_JWT_SECRET: 'a-deployment-secret-of-32-characters!', HOTLINE_FS_PASSWORD: 'not-the-stock-one' };

t.test('every HOTLINE_* variable lands on its setting', async (t) => {
  const c = loadConfig({
    env: {
      ...deployed,
      HOTLINE_HTTP_HOST: '0.0.0.0',
      HOTLINE_HTTP_PORT: '9000',
      HOTLINE_LOG_LEVEL: 'debug',
      HOTLINE_REDIS_URL: 'redis://127.0.0.1:6390/2',
      HOTLINE_FS_OUTBOUND_HOST: '10.0.0.5',
      HOTLINE_FS_OUTBOUND_PORT: '9084',
      HOTLINE_FS_OUTBOUND_ALLOW_FROM: '["10.0.0.7","fs.local"]',
      HOTLINE_FS_INTAKE: 'dialplan',
      HOTLINE_FS_INTAKE_LEASE_SEC: '30',
      HOTLINE_DIAL_AGENT_PHONE_PREFIXES: '["sofia/gateway/gw_remote/"]',
      HOTLINE_ACD_PHONE_FAILURE_LIMIT: '5',
      HOTLINE_REDIS_KEY_PREFIX: 'hl-test',
      HOTLINE_CDR_STREAM_MAXLEN: '5000',
      HOTLINE_CDR_JSONL_PATH: '/var/log/cdr.jsonl',
      HOTLINE_IVR_FLOWS_PATH: './flows',
      HOTLINE_IVR_PROMPTS_BASE: '/usr/share/sounds/hotline',
      HOTLINE_SLA_THRESHOLD_SEC: '20',
      HOTLINE_SLA_SHORT_ABANDON_SEC: '3',
      HOTLINE_SLA_TARGET: '0.9',
      HOTLINE_SHUTDOWN_GRACE_MS: '2500',
    },
  });
  t.same(c.http, { host: '0.0.0.0', port: 9000 });
  t.equal(c.log.level, 'debug');
  t.same(c.redis, { url: 'redis://127.0.0.1:6390/2', keyPrefix: 'hl-test', commandTimeoutMs: 5000 });
  t.same(c.freeswitch.outbound, { host: '10.0.0.5', port: 9084, allowFrom: ['10.0.0.7', 'fs.local'], connectTimeoutMs: 5000 });
  t.equal(c.freeswitch.intake, 'dialplan');
  t.equal(c.freeswitch.intakeLeaseSec, 30);
  t.same(c.dial.agentPhonePrefixes, ['sofia/gateway/gw_remote/']);
  t.equal(c.acd.phoneFailureLimit, 5);
  t.same(c.cdr, { streamMaxLen: 5000, jsonlPath: '/var/log/cdr.jsonl' });
  t.match(c.ivr, { flowsPath: './flows', promptsBase: '/usr/share/sounds/hotline' });
  t.same(c.sla, { thresholdSec: 20, shortAbandonSec: 3, target: 0.9 });
  t.equal(c.shutdown.graceMs, 2500);
});

t.test('HOTLINE_FS_NODES takes a JSON list with per-node defaults', async (t) => {
  const c = loadConfig({
    env: { HOTLINE_FS_NODES: JSON.stringify([{ name: 'a', host: '10.0.0.1' }, { name: 'b', host: '10.0.0.2', port: 8022, password: 'x' }]) },
  });
  t.equal(c.freeswitch.nodes.length, 2);
  t.match(c.freeswitch.nodes[0], { name: 'a', host: '10.0.0.1', port: 8021, password: 'ClueCon', commandTimeoutMs: 5000 });
  t.match(c.freeswitch.nodes[1], { name: 'b', host: '10.0.0.2', port: 8022, password: 'x' });
});

t.test('HOTLINE_FS_HOST/PORT/PASSWORD describe a single node', async (t) => {
  const c = loadConfig({ env: { HOTLINE_FS_HOST: 'fs.local', HOTLINE_FS_PORT: '8031', HOTLINE_FS_PASSWORD: 's3cret' } });
  t.same(c.freeswitch.nodes.map((n) => [n.name, n.host, n.port, n.password]), [['fs1', 'fs.local', 8031, 's3cret']]);
});

t.test('the environment overrides the config file', async (t) => {
  const file = await tempFile(
    t,
    JSON.stringify({
      http: { host: '0.0.0.0', port: 7000 },
      auth: { usersPath: '/etc/hotline/users.json', jwtSecret: deployed.HOTLINE_AUTH_JWT_SECRET },
      log: { level: 'warn' },
      freeswitch: { nodes: [{ name: 'main', host: 'fs-a', password: 'from-file', commandTimeoutMs: 2000 }, { name: 'b' }] },
      sla: { thresholdSec: 20 },
    }),
  );
  const c = loadConfig({ env: { HOTLINE_CONFIG_FILE: file, HOTLINE_HTTP_PORT: '7001', HOTLINE_FS_HOST: 'fs-b' } });
  t.equal(c.http.host, '0.0.0.0', 'file value kept where env is silent');
  t.equal(c.http.port, 7001, 'env wins');
  t.equal(c.log.level, 'warn');
  t.equal(c.sla.thresholdSec, 20);
  t.equal(c.sla.shortAbandonSec, 5, 'defaults fill what neither gives');
  t.same(
    c.freeswitch.nodes.map((n) => [n.name, n.host, n.password, n.commandTimeoutMs]),
    [['main', 'fs-b', 'from-file', 2000]],
    'single-node variables override the file node field by field',
  );
});

t.test('an explicit file (path or parsed object) and empty variables', async (t) => {
  const file = await tempFile(t, '{"http":{"port":7100}}');
  t.equal(loadConfig({ env: {}, file }).http.port, 7100);
  const contents = { http: { port: 7200 } };
  t.equal(loadConfig({ env: { HOTLINE_HTTP_PORT: '7300' }, file: contents }).http.port, 7300);
  t.same(contents, { http: { port: 7200 } }, 'the caller object is not written into');
  t.equal(loadConfig({ env: { HOTLINE_HTTP_PORT: '', HOTLINE_REDIS_URL: ' ' } }).http.port, 8080, 'empty variables count as unset');
});

t.test('each bad value is refused with the field named and what was expected', async (t) => {
  const cases: [Env, string][] = [
    [{ HOTLINE_HTTP_PORT: 'abc' }, 'http.port (HOTLINE_HTTP_PORT): expected a number between 0 and 65535, got "abc"'],
    [{ HOTLINE_HTTP_PORT: '70000' }, 'http.port (HOTLINE_HTTP_PORT): expected a number between 0 and 65535, got 70000'],
    [{ HOTLINE_HTTP_PORT: '80.5' }, 'http.port (HOTLINE_HTTP_PORT): expected a number between 0 and 65535, got 80.5'],
    [{ HOTLINE_LOG_LEVEL: 'loud' }, 'log.level (HOTLINE_LOG_LEVEL): expected one of fatal, error, warn, info, debug, trace, silent, got "loud"'],
    [{ HOTLINE_REDIS_URL: 'http://x' }, 'redis.url (HOTLINE_REDIS_URL): expected a redis:// or rediss:// URL, got "http://x"'],
    [{ HOTLINE_REDIS_KEY_PREFIX: 'a:b' }, 'redis.keyPrefix (HOTLINE_REDIS_KEY_PREFIX): expected letters, digits, "-" or "_", got "a:b"'],
    [{ HOTLINE_CDR_STREAM_MAXLEN: '10' }, 'cdr.streamMaxLen (HOTLINE_CDR_STREAM_MAXLEN): expected an integer between 1000 and 100000000, got 10'],
    [{ HOTLINE_FS_PORT: '0' }, 'freeswitch.nodes.0.port (HOTLINE_FS_PORT): expected a number between 1 and 65535, got 0'],
    [
      { HOTLINE_FS_NODES: '[{"name":"a","port":"abc"}]' },
      'freeswitch.nodes.0.port (HOTLINE_FS_NODES): expected a number between 1 and 65535, got "abc"',
    ],
    [{ HOTLINE_FS_NODES: '[{"name":"a"},{"name":"a"}]' }, 'freeswitch.nodes (HOTLINE_FS_NODES): expected node names to be unique'],
    [{ HOTLINE_FS_NODES: '[]' }, 'freeswitch.nodes (HOTLINE_FS_NODES): expected at least one FreeSWITCH node, got []'],
    [{ HOTLINE_FS_NODES: '[' }, 'HOTLINE_FS_NODES: expected JSON, got "["'],
    [{ HOTLINE_FS_NODES: '[{"name":"a"}]', HOTLINE_FS_HOST: 'h' }, 'HOTLINE_FS_NODES: set either HOTLINE_FS_NODES or HOTLINE_FS_HOST, not both'],
    [
      { HOTLINE_FS_NODES: '[{"name":"a","reconnect":{"initialMs":5000,"maxMs":100}}]' },
      'freeswitch.nodes.0.reconnect.maxMs (HOTLINE_FS_NODES): expected initialMs <= maxMs, got 100',
    ],
    [{ HOTLINE_FS_NODES: '[{"name":"bad name"}]' }, 'freeswitch.nodes.0.name (HOTLINE_FS_NODES): expected a name of letters, digits, "-" or "_", got "bad name"'],
    [{ HOTLINE_FS_INTAKE: 'ivr' }, 'freeswitch.intake (HOTLINE_FS_INTAKE): expected "socket" or "dialplan"'],
    [{ HOTLINE_FS_INTAKE_LEASE_SEC: '1' }, 'freeswitch.intakeLeaseSec (HOTLINE_FS_INTAKE_LEASE_SEC): expected an integer between 2 and 600, got 1'],
    [{ HOTLINE_SLA_TARGET: '1.5' }, 'sla.target (HOTLINE_SLA_TARGET): expected a fraction between 0 and 1, got 1.5'],
    [{ HOTLINE_SLA_SHORT_ABANDON_SEC: '20' }, 'sla.shortAbandonSec (HOTLINE_SLA_SHORT_ABANDON_SEC): expected shortAbandonSec below thresholdSec, got 20'],
    [{ HOTLINE_SHUTDOWN_GRACE_MS: '-1' }, 'shutdown.graceMs (HOTLINE_SHUTDOWN_GRACE_MS): expected an integer between 100 and 600000, got -1'],
    [{ HOTLINE_HTTP_HOST: ' ' }, ''], // empty = unset: accepted
  ];
  for (const [env, expected] of cases) {
    if (expected === '') {
      t.doesNotThrow(() => loadConfig({ env }));
      continue;
    }
    const found = problems(t, { env });
    t.ok(
      found.some((p) => p.startsWith(expected)),
      `${JSON.stringify(env)} -> ${expected}`,
      { found },
    );
  }
});

t.test('every problem is reported at once, including unknown settings in the file', async (t) => {
  const found = problems(t, {
    env: { HOTLINE_HTTP_PORT: 'x' },
    file: { http: { prot: 1 }, sla: { target: 'high' }, shutdown: { graceMs: 50 }, extra: true },
  });
  t.same(found.sort(), [
    'extra: unknown setting',
    'http.port (HOTLINE_HTTP_PORT): expected a number between 0 and 65535, got "x"',
    'http.prot: unknown setting',
    'shutdown.graceMs: expected an integer between 100 and 600000, got 50',
    'sla.target: expected a fraction between 0 and 1, got "high"',
  ]);
  try {
    loadConfig({ env: { HOTLINE_HTTP_PORT: 'x' } });
  } catch (err) {
    t.match((err as Error).message, /^invalid configuration:\n {2}http\.port/, 'the message lists the problems');
  }
});

t.test('an unreadable or malformed config file names HOTLINE_CONFIG_FILE', async (t) => {
  t.match(problems(t, { env: { HOTLINE_CONFIG_FILE: '/nonexistent/hotline.json' } })[0], /^HOTLINE_CONFIG_FILE: cannot read \/nonexistent\/hotline\.json/);
  const bad = await tempFile(t, '{ not json');
  t.match(problems(t, { env: { HOTLINE_CONFIG_FILE: bad } })[0], /^HOTLINE_CONFIG_FILE: .* is not valid JSON/);
  const list = await tempFile(t, '[1,2]');
  t.match(problems(t, { env: {}, file: list })[0], /expected a JSON object at the top/);
});

t.test('the result is deeply frozen', async (t) => {
  const c = loadConfig({ env: {} });
  t.ok(Object.isFrozen(c));
  t.ok(Object.isFrozen(c.http));
  t.ok(Object.isFrozen(c.freeswitch.nodes));
  t.ok(Object.isFrozen(c.freeswitch.nodes[0]?.reconnect));
  t.throws(() => {
    (c.http as { port: number }).port = 1;
  }, TypeError);
  t.throws(() => {
    (c.freeswitch.nodes as unknown as unknown[]).push({});
  }, TypeError);
});

t.test('unknownEnvVars finds likely typos, leaves the test tooling alone', async (t) => {
  t.same(unknownEnvVars({ HOTLINE_HTTP_PROT: '1', HOTLINE_HTTP_PORT: '1', HOTLINE_TEST_REDIS_URL: 'x', PATH: '/bin' }), ['HOTLINE_HTTP_PROT']);
});

t.test('redactConfig hides every secret and every credential inside a URL', async (t) => {
  const c = loadConfig({
    env: {
      HOTLINE_REDIS_URL: 'redis://user:pw@127.0.0.1:6379',
      HOTLINE_FS_PASSWORD: 'topsecret',
      HOTLINE_AUTH_USERS_PATH: '/etc/hotline/users.json',
      HOTLINE_AUTH_JWT_SECRET: 'jwt-secret-0123456789-0123456789-xyz',
      HOTLINE_DESK_TICKET_WEBHOOK_URL: 'https://bot:hookpass@tickets.example/hooks/T0KENINPATH?key=querykey',
      HOTLINE_DESK_TICKET_WEBHOOK_SECRET: 'ticket-hmac-secret',
      HOTLINE_SLA_ALERT_WEBHOOK_URL: 'https://alerts.example/sla?token=alerttoken',
      HOTLINE_SLA_ALERT_WEBHOOK_SECRET: 'sla-hmac-secret-xyz',
      HOTLINE_METRICS_TOKEN: 'metrics-bearer-token',
      HOTLINE_DESK_PHONE: JSON.stringify({ kind: 'simulated', controlUrl: 'http://ctl:ctlpass@127.0.0.1:8090' }),
    },
  });
  const text = JSON.stringify(redactConfig(c));
  for (const secret of ['topsecret', ':pw@', 'jwt-secret', 'hookpass', 'T0KENINPATH', 'querykey', 'ticket-hmac', 'alerttoken', 'sla-hmac', 'metrics-bearer', 'ctlpass'])
    t.notMatch(text, secret, `${secret} is not in the logged config`);
  t.match(text, /redis:\/\/\*\*\*@127\.0\.0\.1:6379/, 'where Redis is stays readable');
  t.match(text, /https:\/\/\*\*\*@tickets\.example\/\*\*\*\?key=\*\*\*/, 'a webhook keeps its host only');
  t.match(text, /"tokenTtlSec":43200/, 'settings named like secrets but not secrets stay');
});
