// `npm start`: the whole project on one machine with its embedded defaults. A redis-server the
// project owns (data in .data/redis), the switch simulator routing demo callers through the
// project's dialplan/ with demo agent phones registered, and the service driving it. Point the
// service at a real FreeSWITCH and Redis instead with HOTLINE_* variables (see README).
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadConfig } from '../server/src/config.ts';
import { createLogger } from '../server/src/log.ts';
import { createService } from '../server/src/service.ts';
import { startFsim } from './fsim/src/fsim.ts';
import { startDemoTraffic } from './fsim/src/demo.ts';
import { startRedisServer } from './lib/redis-server.ts';
import { ROBOTS, seedDemoAgents } from './lib/demo-agents.ts';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const env = process.env;
const num = (name: string, dflt: number): number => (env[name] ? Number(env[name]) : dflt);

const eslPort = num('FSIM_ESL_PORT', 8021);
const controlPort = num('FSIM_CONTROL_PORT', 8090);
const outboundPort = num('HOTLINE_FS_OUTBOUND_PORT', 8084);
const eslPassword = env.FSIM_ESL_PASSWORD ?? 'ClueCon';

const redis = env.HOTLINE_REDIS_URL ? undefined : await startRedisServer({ dir: path.join(root, '.data', 'redis'), port: num('HOTLINE_DEMO_REDIS_PORT', 6390), persistent: true });
const fsim = await startFsim({
  esl: { port: eslPort, password: eslPassword },
  control: { port: controlPort },
  dialplan: { dir: path.join(root, 'dialplan'), vars: { hotline_service_socket: `127.0.0.1:${outboundPort}`, gw_110_addr_regex: '^127\\.0\\.0\\.1$' } },
  switch: {
    profiles: [
      { name: 'external', ip: '127.0.0.1', port: 5080, context: 'public' },
      { name: 'internal', ip: '127.0.0.1', port: 5060, context: 'agents' },
    ],
    // The far ends the dialplan and agents' transfers reach: departments, 110, the carrier.
    gateways: ['gw_dept', 'gw_110', 'gw_carrier'].map((name) => ({ name, numbers: { '*': { answerAfterMs: 3000 } } })),
  },
});
const demo = env.HOTLINE_DEMO_TRAFFIC === '0' ? undefined : startDemoTraffic(fsim.sw);

const config = loadConfig({
  env: {
    HOTLINE_HTTP_PORT: '8080',
    HOTLINE_FS_HOST: '127.0.0.1',
    HOTLINE_FS_PORT: String(eslPort),
    HOTLINE_FS_PASSWORD: eslPassword,
    HOTLINE_FS_OUTBOUND_PORT: String(outboundPort),
    HOTLINE_CDR_JSONL_PATH: path.join(root, '.data', 'cdr.jsonl'),
    // The softphone's simulated phone talks to fsim's control API from the agent's browser.
    HOTLINE_DESK_PHONE: JSON.stringify({ kind: 'simulated', controlUrl: `http://127.0.0.1:${fsim.controlPort}` }),
    ...(redis ? { HOTLINE_REDIS_URL: redis.url } : {}),
    ...env,
  },
});
const logger = createLogger(config.log);
const service = await createService(config, logger);
const { url } = await service.start();
const humans = demo && service.calls ? await seedDemoAgents(service.calls.acd) : [];

console.log(`
hotline12345 is running (embedded defaults)
  service        ${url}   (health ${url}/healthz, ready ${url}/readyz, API docs ${url}/docs)
  redis          ${redis ? `${redis.url} (data in .data/redis)` : config.redis.url}
  switch (fsim)  ESL 127.0.0.1:${fsim.eslPort} password ${eslPassword}, control API http://127.0.0.1:${fsim.controlPort}
  demo traffic   ${demo ? `robot agents ${ROBOTS[0]}-${ROBOTS[ROBOTS.length - 1]} ready, a caller every few seconds on 12345 / 12345+7 / 110` : 'off'}
  softphone      ${url}/  log in as ${humans.join(' or ') || '1000'} (password demo12345): simulated audio, answer with the button
  wallboard API  ${url}/api/sla  (with a token: POST /api/login as ops / demo12345, then Authorization: Bearer <token>)
Ctrl-C stops everything.`);

let stopping = false;
async function stop(): Promise<void> {
  if (stopping) return;
  stopping = true;
  demo?.stop();
  await service.stop();
  await fsim.close();
  await redis?.stop();
  process.exit(0);
}
process.on('SIGINT', () => void stop());
process.on('SIGTERM', () => void stop());
