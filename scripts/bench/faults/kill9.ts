// kill -9 the service with N callers queued (200 by default): a new process finds every one still
// queued, in the same order, with the same t0, and serves them all in queue order. The set-up of
// server/test/acd-restart.test.ts at the scale, with the figures measured.
import { builtServerArgs } from '../../lib/server-build.ts';
import { Redis } from 'ioredis';
import { freePort } from '../../lib/free-port.ts';
import { withRedis } from '../../lib/test-redis.ts';
import { redisKeys } from '../../../server/src/store/keys.ts';
import { QueueStore } from '../../../server/src/store/queue-store.ts';
import { ESL_PASSWORD, withFsim } from '../../../server/test/helpers/fsim.ts';
import { startServer } from '../../../server/test/helpers/server-process.ts';
import { bearerAt } from '../../../server/test/helpers/tokens.ts';
import { watchSwitch, servedBy, checkAssignments, log, placeCaller, waitFor, type FaultModule } from './common.ts';

const AGENTS = 20;

export const kill9: FaultModule = {
  name: 'kill9',
  description: 'SIGKILL the service with 200 callers queued: 0 lost, order and t0 kept, all served in order',
  async run(scope, checks, fig, opts) {
    const r = await withRedis(scope);
    const outboundPort = await freePort();
    const fsim = await withFsim(scope, { serviceSocket: `127.0.0.1:${outboundPort}`, timeScale: 0.1 });
    const { fl, bridges } = watchSwitch(scope, fsim);
    const env = {
      HOTLINE_HTTP_PORT: '0',
      HOTLINE_LOG_LEVEL: 'info',
      HOTLINE_REDIS_URL: r.url,
      HOTLINE_FS_NODES: JSON.stringify([{ name: 'fs1', host: '127.0.0.1', port: fsim.eslPort, password: ESL_PASSWORD }]),
      HOTLINE_FS_OUTBOUND_PORT: String(outboundPort),
      HOTLINE_ACD_WRAP_UP_SEC: '0',
    };
    const redis = new Redis(r.url);
    scope.teardown(() => redis.quit());
    const queues = new QueueStore(redis, redisKeys('hotline'));

    // The compiled service, as production runs it (a restart's start-up time is part of the figure).
    await builtServerArgs();
    const first = startServer(env, { built: true });
    scope.teardown(() => first.child.kill('SIGKILL'));
    await first.listening;
    if (!checks.check((await waitFor(() => first.logs().some((l) => l.msg === 'ESL connected'), 15_000)) === true, 'first instance connected to the switch')) return;

    const n = opts.callers;
    const placed: string[] = [];
    for (let i = 0; i < n; i++) {
      placed.push(placeCaller(fsim, i));
      // Twenty at a time: each opens an outbound socket to the service at once.
      if (i % 20 === 19) await new Promise((res) => setTimeout(res, 50));
    }
    fig.callersPlaced = n;
    const before = await waitFor(async () => {
      const ids = await queues.list('general');
      return ids.length === n && ids;
    }, 60_000, 100);
    fig.queuedBeforeKill = (await queues.list('general')).length;
    if (!checks.check(before !== undefined, `all ${n} callers queued before the kill`) || !before) return;
    const t0Before = await Promise.all(before.map(async (id) => (await queues.get(id))?.t0Us));
    log(`kill9: ${n} queued, SIGKILL`);

    first.child.kill('SIGKILL');
    const exit = await first.exited;
    checks.check(exit.signal === 'SIGKILL', 'the service died by SIGKILL (no graceful shutdown)');
    await new Promise((res) => setTimeout(res, 300));
    fig.callersOnLineAfterKill = fsim.sw.listChannels().length;
    checks.check(fig.callersOnLineAfterKill === n, 'every caller still on the line after the kill');

    const restarted = Date.now();
    const second = startServer(env, { built: true });
    scope.teardown(() => second.child.kill('SIGKILL'));
    const url = await second.listening;
    const ready = await waitFor(async () => (await fetch(`${url}/readyz`)).status === 200, 20_000, 50);
    fig.restartToReadyMs = Date.now() - restarted;
    checks.check(ready === true, 'the new instance became ready');
    const after = await queues.list('general');
    fig.queuedAfterRestart = after.length;
    fig.orderKept = JSON.stringify(after) === JSON.stringify(before);
    checks.check(fig.orderKept === true, `all ${n} still queued, in the same order`);
    const t0After = await Promise.all(after.map(async (id) => (await queues.get(id))?.t0Us));
    const drift = before.map((id, i) => {
      const a = t0After[after.indexOf(id)];
      const b = t0Before[i];
      return a === undefined || b === undefined ? Number.POSITIVE_INFINITY : Math.abs(a - b);
    });
    fig.maxT0DriftUs = Math.max(0, ...drift);
    checks.check(fig.maxT0DriftUs === 0, 'every caller kept its original t0');

    const admin = await bearerAt(url, 'admin');
    const post = (p: string, body: unknown) => fetch(`${url}${p}`, { method: 'POST', headers: { 'content-type': 'application/json', ...admin }, body: JSON.stringify(body) });
    for (let i = 0; i < AGENTS; i++) {
      const id = String(1000 + i);
      fsim.sw.registerUser(id, { answerAfterMs: 500, hangupAfterMs: 3000 });
      checks.check((await post('/api/agents', { id, name: `坐席${id}`, phone: `user/${id}`, skills: { general: 5 } })).status === 201, `agent ${id} created`);
      checks.check((await post(`/api/agents/${id}/state`, { action: 'login' })).status === 200, `agent ${id} logged in`);
    }
    const servedStart = Date.now();
    await waitFor(() => placed.every((id) => servedBy(fl, bridges, id)), 180_000, 100);
    const served = placed.filter((id) => servedBy(fl, bridges, id)).length;
    fig.agents = AGENTS;
    fig.served = served;
    fig.lost = n - served;
    fig.allServedAfterMs = Date.now() - servedStart;
    checks.check(fig.lost === 0, 'every caller queued before the kill was answered after the restart');
    fig.fifoViolations = fl.fifoViolations().length;
    checks.check(fig.fifoViolations === 0, 'served in queue order');
    checkAssignments(fig, checks, fl, bridges, served);
  },
};
