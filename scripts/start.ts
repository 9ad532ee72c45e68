// `npm start`: the whole project on one machine with its embedded defaults, as three processes the
// way production runs them: a redis-server the project owns (data in .data/redis), the switch
// simulator (fsim) routing demo callers through the project's dialplan/ with robot agent phones,
// and the service driving it. Waiting callers live in the switch and queue membership in Redis, so
// restarting the service alone (type `r` and Enter, or `kill -HUP <launcher pid>`) keeps every
// caller waiting, in order. Ctrl-C stops the service first, then fsim, then Redis.
//
// Settings: every HOTLINE_* variable reaches the service (README); these are the launcher's own:
//   HOTLINE_DEMO_TRAFFIC=0         no demo callers, no robots
//   HOTLINE_DEMO_SCHEDULE={...}    override parts of the demo schedule (scripts/fsim/src/demo.ts)
//   HOTLINE_DEMO_REDIS_PORT        the owned redis-server's port (6390)
//   HOTLINE_DEMO_DATA_DIR          where Redis and the CDR file live (.data)
//   HOTLINE_DEMO_BUILD=0           do not build the softphone first
//   HOTLINE_DEMO_SERVICE_NODE_OPTIONS  NODE_OPTIONS for the service alone (the soak bench's --inspect)
//   FSIM_ESL_PORT, FSIM_CONTROL_PORT, FSIM_ESL_PASSWORD   fsim's ports (8021, 8090) and password
import { randomBytes } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { DEFAULT_FLOWS } from '../server/src/ivr/default-flows.ts';
import { answers, requireProgram, startChild, waitUntil, type Child } from './lib/child.ts';
import { seedDemoAgents, ROBOTS, HUMANS } from './lib/demo-agents.ts';
import { seedDemoKb } from './lib/demo-kb.ts';
import { startRedisServer, type RedisServerHandle } from './lib/redis-server.ts';
import { DEFAULT_SCHEDULE, DEMO_ELDER_NUMBERS, type DemoSchedule } from './fsim/src/demo.ts';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const env = process.env;
const num = (name: string, dflt: number): number => (env[name] ? Number(env[name]) : dflt);

const eslPort = num('FSIM_ESL_PORT', 8021);
const controlPort = num('FSIM_CONTROL_PORT', 8090);
const httpPort = num('HOTLINE_HTTP_PORT', 8080);
const outboundPort = num('HOTLINE_FS_OUTBOUND_PORT', 8084);
const eslPassword = env.FSIM_ESL_PASSWORD ?? 'ClueCon';
const dataDir = path.resolve(env.HOTLINE_DEMO_DATA_DIR ?? path.join(root, '.data'));
const withDemo = env.HOTLINE_DEMO_TRAFFIC !== '0';
const schedule: DemoSchedule = { epochMs: Date.now(), ...DEFAULT_SCHEDULE, ...(JSON.parse(env.HOTLINE_DEMO_SCHEDULE ?? '{}') as Partial<DemoSchedule>) };
const base = `http://127.0.0.1:${httpPort}`;
const node = (script: string, args: string[] = []): [string, string[]] => [process.execPath, ['--import', 'tsx', path.join(root, script), ...args]];
const say = (line: string): void => void console.log(`[npm start] ${line}`);

function fail(err: unknown): never {
  console.error(`\n[npm start] ${(err as Error).message}`);
  process.exit(1);
}

// ---- before anything starts: what is missing, said plainly ----
if (!env.HOTLINE_REDIS_URL) {
  try {
    requireProgram('redis-server', 'or point HOTLINE_REDIS_URL at a Redis you run (redis://host:port).');
  } catch (err) {
    fail(err);
  }
}
if (env.HOTLINE_DEMO_BUILD !== '0') {
  const build = startChild('softphone build', 'npm', ['run', 'build', '-w', 'softphone-web', '--silent'], { cwd: root });
  if ((await build.exited) !== 0) fail(new Error('building the softphone (npm run build -w softphone-web) failed'));
}

// ---- Redis, fsim: their own processes, started once ----
let redis: RedisServerHandle | undefined;
try {
  redis = env.HOTLINE_REDIS_URL
    ? undefined
    : await startRedisServer({ dir: path.join(dataDir, 'redis'), port: num('HOTLINE_DEMO_REDIS_PORT', 6390), persistent: true, detached: true });
} catch (err) {
  fail(new Error(`redis-server did not start (is port ${num('HOTLINE_DEMO_REDIS_PORT', 6390)} taken? HOTLINE_DEMO_REDIS_PORT picks another):\n${(err as Error).message}`));
}

const fsim = startChild('fsim', ...node('scripts/fsim/src/main.ts', [
  '--esl-port', String(eslPort), '--password', eslPassword, '--control-port', String(controlPort),
  '--service-socket', `127.0.0.1:${outboundPort}`, '--var', 'gw_110_addr_regex=^127\\.0\\.0\\.1$',
  '--gateways', 'gw_dept,gw_110,gw_carrier', '--exit-with', String(process.pid),
  ...(withDemo ? ['--demo', '--demo-robots', `${ROBOTS[0]}-${ROBOTS[ROBOTS.length - 1]}`, '--demo-schedule', JSON.stringify(schedule)] : []),
]));
try {
  await waitUntil('fsim', () => answers(`http://127.0.0.1:${controlPort}/health`), 20_000, fsim);
} catch (err) {
  await redis?.stop();
  fail(err);
}

// ---- the service: a child that can be restarted alone ----
// The demo's elder callers are on the IVR's elder list; one JWT secret for the whole run, so a
// softphone's token outlives a service restart.
await mkdir(dataDir, { recursive: true });
const flowsPath = path.join(dataDir, 'demo-flows.json');
await writeFile(flowsPath, JSON.stringify({ ...DEFAULT_FLOWS, elderNumbers: [...DEMO_ELDER_NUMBERS] }, null, 2));
const serviceEnv: NodeJS.ProcessEnv = {
  HOTLINE_HTTP_PORT: String(httpPort),
  HOTLINE_FS_HOST: '127.0.0.1',
  HOTLINE_FS_PORT: String(eslPort),
  HOTLINE_FS_PASSWORD: eslPassword,
  HOTLINE_FS_OUTBOUND_PORT: String(outboundPort),
  HOTLINE_CDR_JSONL_PATH: path.join(dataDir, 'cdr.jsonl'),
  HOTLINE_AUTH_JWT_SECRET: randomBytes(36).toString('base64'),
  // The softphone's simulated phone talks to fsim's control API from the agent's browser.
  HOTLINE_DESK_PHONE: JSON.stringify({ kind: 'simulated', controlUrl: `http://127.0.0.1:${controlPort}` }),
  ...(withDemo
    ? {
        HOTLINE_IVR_FLOWS_PATH: flowsPath,
        HOTLINE_DESK_DEMO: JSON.stringify({ ...schedule, robots: [...ROBOTS] }),
        // A burst must show on screen within minutes: the alert judges the last 3 minutes (not 24 h)
        // from 8 counted calls, re-judged every 5 s.
        HOTLINE_SLA_ROLLING_WINDOW_SEC: '180',
        HOTLINE_SLA_ALERT_MIN_COUNTED: '8',
        HOTLINE_SLA_EVALUATE_INTERVAL_MS: '5000',
      }
    : {}),
  ...(redis ? { HOTLINE_REDIS_URL: redis.url } : {}),
  ...Object.fromEntries(Object.entries(env).filter(([k]) => !k.startsWith('HOTLINE_DEMO_'))),
  ...(env.HOTLINE_DEMO_SERVICE_NODE_OPTIONS ? { NODE_OPTIONS: env.HOTLINE_DEMO_SERVICE_NODE_OPTIONS } : {}),
};

let service: Child | undefined;
let restarting = false;
let stopping = false;

async function startService(): Promise<void> {
  const child = startChild('service', ...node('server/src/server.ts'), { env: serviceEnv });
  service = child;
  void child.exited.then((code) => {
    if (service !== child || restarting || stopping) return;
    say(`the service exited (${code}); stopping the rest. npm start again to start over.`);
    void stopAll(1);
  });
  await waitUntil('the service', () => answers(`${base}/healthz`), 60_000, child);
  if (withDemo) await seedDemoAgents(base);
  // The knowledge base's demo entries, when it has none (an editor's changes survive restarts).
  try {
    const login = await fetch(`${base}/api/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: 'editor', password: 'demo12345' }) });
    const { token } = (await login.json()) as { token?: string };
    if (token) {
      const added = await seedDemoKb(base, { authorization: `Bearer ${token}` });
      if (added) say(`knowledge base: ${added} demo entries imported (editor page ${base}/kb)`);
    }
  } catch (err) {
    say(`knowledge base: demo entries not imported (${(err as Error).message})`);
  }
}

async function restartService(): Promise<void> {
  if (restarting || stopping || !service) return;
  restarting = true;
  say('restarting the service alone: fsim and Redis keep every waiting caller');
  await service.stop(15_000);
  try {
    await startService();
    say(`the service is back on ${base}`);
  } catch (err) {
    say(`the service did not come back: ${(err as Error).message}`);
  } finally {
    restarting = false;
  }
}

let stopped: Promise<never> | undefined;
/** Ctrl-C reaches the launcher once from the terminal and again from npm: one stop. */
function stopAll(code = 0): Promise<never> {
  stopped ??= stopInOrder(code);
  return stopped;
}

async function stopInOrder(code: number): Promise<never> {
  stopping = true;
  // The service first (it finishes its calls' bookkeeping against a live switch and Redis), then
  // the switch, then Redis (which writes its append-only file on SIGTERM).
  if (service) {
    say('stopping the service...');
    await service.stop(15_000);
  }
  say('stopping fsim and Redis...');
  await fsim.stop(5_000);
  await redis?.stop();
  say('stopped.');
  process.exit(code);
}

process.on('SIGINT', () => void stopAll());
process.on('SIGTERM', () => void stopAll());
process.on('SIGHUP', () => void restartService());

try {
  await startService();
} catch (err) {
  say((err as Error).message);
  await stopAll(1);
}

console.log(`
hotline12345 is running (embedded defaults; launcher pid ${process.pid})
  service        ${base}   (health ${base}/healthz, ready ${base}/readyz, API docs ${base}/docs)
  redis          ${redis ? `${redis.url} (data in ${path.join(dataDir, 'redis')})` : env.HOTLINE_REDIS_URL}
  switch (fsim)  ESL 127.0.0.1:${eslPort} password ${eslPassword}, control API http://127.0.0.1:${controlPort}
  demo traffic   ${withDemo ? `robot agents ${ROBOTS[0]}-${ROBOTS[ROBOTS.length - 1]}; a caller every ${schedule.steadyEverySec} s on 12345 (some elders), 12345+7 and from 110; a burst of ${schedule.burstCalls} callers every ${schedule.burstEverySec / 60} min (first ${schedule.firstBurstSec / 60} min from now)` : 'off'}
  softphone      ${base}/  log in as ${HUMANS.join(' or ')} (password demo12345): simulated audio, answer with the button
  knowledge base ${base}/kb  log in as editor (password demo12345) to edit; agents search it in the softphone
  figures        ${base}/api/sla  (POST /api/login as ops / demo12345, then Authorization: Bearer <token>)
Type r and Enter (or kill -HUP ${process.pid}) to restart the service alone; Ctrl-C stops everything.`);

if (process.stdin.isTTY) {
  createInterface({ input: process.stdin }).on('line', (line) => {
    if (line.trim() === 'r') void restartService();
  });
}
