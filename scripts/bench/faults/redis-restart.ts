// Restart Redis under a steady flow of calls: redis-server (append-only file on, as `npm start`
// runs it) is SIGKILLed and started again on the same port and data folder. Callers keep arriving
// (they wait in the dialplan); nobody is lost, nobody gets two agents, no agent is left stuck.
// Extends server/test/redis-stall.test.ts (a SIGSTOP stall) to a real restart.
import { mkdtemp, rm } from 'node:fs/promises';
import net from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { startRedisServer, type RedisServerHandle } from '../../lib/redis-server.ts';
import { baseUrl } from '../../../server/test/helpers/realtime.ts';
import { startHarness } from '../../../server/test/helpers/service.ts';
import { sleep } from '../util.ts';
import { watchSwitch, servedBy, describeLost, checkAssignments, checkStuck, log, ROUTING_ENV, placeCaller, robotAgents, waitFor, type FaultModule } from './common.ts';

const AGENTS = 20;
const RATE_PER_S = 8;
const FLOW_S = 25;
const KILL_AT_S = 10;
const DOWN_MS = 1_000;

const refuses = (port: number): Promise<boolean> =>
  new Promise((resolve) => {
    const s = net.connect(port, '127.0.0.1');
    s.once('connect', () => {
      s.destroy();
      resolve(false);
    });
    s.once('error', () => resolve(true));
  });

export const redisRestart: FaultModule = {
  name: 'redis-restart',
  description: 'SIGKILL Redis under load and start it again (same port, same AOF): no lost caller, no double assignment',
  async run(scope, checks, fig) {
    const dir = await mkdtemp(path.join(tmpdir(), 'hotline-redis-restart-'));
    const servers: RedisServerHandle[] = [await startRedisServer({ dir, persistent: true })];
    // Registered first, so it runs last: the service's clients close while Redis is still up.
    scope.teardown(async () => {
      for (const s of servers) await s.stop();
      await rm(dir, { recursive: true, force: true });
    });
    const { port, url: redisUrl } = servers[0]!;
    const h = await startHarness(scope, { redisUrl, timeScale: 0.05, env: { ...ROUTING_ENV } });
    const calls = h.service.calls!;
    const url = baseUrl(h.service);
    if (!checks.check((await waitFor(() => calls.nodeStatus()[0]?.connected, 15_000)) === true, 'connected to the switch')) return;
    const { fl, bridges } = watchSwitch(scope, h.fsim);
    const agents = await robotAgents(h.fsim, calls, AGENTS, { answerAfterMs: 200, hangupAfterMs: 4_000 });

    const placed: string[] = [];
    let restart: Promise<void> | undefined;
    const started = Date.now();
    for (let i = 0; i < RATE_PER_S * FLOW_S; i++) {
      const due = started + (i * 1000) / RATE_PER_S;
      if (due > Date.now()) await sleep(due - Date.now());
      placed.push(placeCaller(h.fsim, i));
      if (!restart && Date.now() - started >= KILL_AT_S * 1000) {
        restart = (async () => {
          fig.queuedAtKill = (await calls.queues.list('general')).length;
          fig.routedBeforeKill = calls.acd.router.stats.connected;
          log(`redis-restart: SIGKILL redis-server after ${placed.length} callers (${String(fig.queuedAtKill)} queued)`);
          const killed = Date.now();
          process.kill(servers[0]!.pid!, 'SIGKILL');
          await waitFor(() => refuses(port), 5_000, 10);
          await sleep(DOWN_MS);
          servers.push(await startRedisServer({ dir, port, persistent: true }));
          fig.redisDownMs = Date.now() - killed;
          const back = Date.now();
          const ready = await waitFor(async () => (await fetch(`${url}/readyz`)).status === 200, 20_000, 20);
          fig.serviceReadyAfterRedisBackMs = ready ? Date.now() - back : null;
          checks.check(ready === true, 'the service is ready again after Redis is back');
          fig.queuedRightAfterRestart = (await calls.queues.list('general')).length;
        })();
      }
    }
    await restart;
    fig.callersPlaced = placed.length;
    fig.callersPlacedWhileRedisDown = Math.round((RATE_PER_S * Number(fig.redisDownMs ?? 0)) / 1000);
    await waitFor(() => placed.every((id) => servedBy(fl, bridges, id)), 90_000, 100);
    const served = placed.filter((id) => servedBy(fl, bridges, id)).length;
    fig.served = served;
    fig.lost = placed.length - served;
    if (served < placed.length) fig.lostDetail = await describeLost(calls, fl, placed.filter((id) => !servedBy(fl, bridges, id)));
    const hungUp = placed.filter((id) => !servedBy(fl, bridges, id) && fl.callers.get(id)?.hangupUs !== undefined);
    fig.hungUpUnanswered = hungUp.length;
    checks.check(fig.lost === 0, 'every caller answered by an agent');
    await waitFor(() => calls.registry.live().length === 0, 30_000, 100);
    await sleep(1_000);
    await checkStuck(fig, checks, calls, agents);
    checkAssignments(fig, checks, fl, bridges, served);
    fig.routerStats = { ...calls.acd.router.stats };
  },
};
