// Drop the inbound ESL connection in the middle of traffic (fsim closes every inbound client at
// once, as a switch restart of its event socket or a broken network would): the service reconnects
// in < 2 s, resyncs, no command hangs (each pending one is rejected at the drop, not at its
// timeout), no agent is left stuck, every caller is answered once. The set-up of
// server/test/service-faults.test.ts under a steady flow of calls.
import { startHarness } from '../../../server/test/helpers/service.ts';
import { sleep } from '../util.ts';
import { watchSwitch, servedBy, describeLost, checkAssignments, checkStuck, log, ROUTING_ENV, placeCaller, robotAgents, slowCommands, waitFor, type FaultModule } from './common.ts';

const AGENTS = 20;
const RATE_PER_S = 10;
const FLOW_S = 20;
const DROP_AT_S = 8;


export const eslDrop: FaultModule = {
  name: 'esl-drop',
  description: 'drop the ESL connection mid-traffic: reconnect < 2 s, resync, no hung command, no stuck agent, nobody lost',
  async run(scope, checks, fig) {
    const lines: string[] = [];
    const h = await startHarness(scope, { timeScale: 0.05, logLines: lines, env: { ...ROUTING_ENV, HOTLINE_LOG_LEVEL: 'info' } });
    const calls = h.service.calls!;
    const connected = () => calls.nodeStatus()[0]?.connected === true;
    if (!checks.check((await waitFor(connected, 15_000)) === true, 'connected to the switch')) return;
    const { fl, bridges } = watchSwitch(scope, h.fsim);
    const agents = await robotAgents(h.fsim, calls, AGENTS, { answerAfterMs: 200, hangupAfterMs: 4_000 });

    const placed: string[] = [];
    let dropAt = 0;
    let reconnectMs: number | undefined;
    const started = Date.now();
    for (let i = 0; i < RATE_PER_S * FLOW_S; i++) {
      const due = started + (i * 1000) / RATE_PER_S;
      if (due > Date.now()) await sleep(due - Date.now());
      placed.push(placeCaller(h.fsim, i));
      if (!dropAt && Date.now() - started >= DROP_AT_S * 1000) {
        dropAt = Date.now();
        fig.routedBeforeDrop = calls.acd.router.stats.connected;
        fig.offersInFlightAtDrop = calls.acd.router.offering;
        lines.length = 0;
        log(`esl-drop: dropping the ESL connection after ${placed.length} callers`);
        h.fsim.dropEslClients();
        // Measured alongside the flow: the poll must not wait for the rest of the calls.
        void waitFor(() => !connected() && 'down', 2_000, 2).then(() => waitFor(connected, 30_000, 5)).then((up) => {
          if (up) reconnectMs = Date.now() - dropAt;
        });
      }
    }
    fig.callersPlaced = placed.length;
    await waitFor(() => reconnectMs !== undefined, 30_000);
    fig.reconnectMs = reconnectMs ?? null;
    checks.check(reconnectMs !== undefined && reconnectMs < 2_000, 'reconnected within 2 s');
    type Line = { msg?: string; time?: string; closed?: number; kept?: number; discovered?: number };
    const resynced = await waitFor(() => lines.map((l) => JSON.parse(l) as Line).find((l) => l.msg === 'resynced with FreeSWITCH'), 10_000, 20);
    // pino's time is ISO 8601 with milliseconds (log.ts).
    fig.resyncMs = resynced?.time !== undefined ? Date.parse(resynced.time) - dropAt : null;
    fig.resync = resynced ? { closed: resynced.closed, kept: resynced.kept, discovered: resynced.discovered } : null;
    checks.check(resynced !== undefined, 'resynced after the reconnect');

    await waitFor(() => placed.every((id) => servedBy(fl, bridges, id)), 60_000, 100);
    const served = placed.filter((id) => servedBy(fl, bridges, id)).length;
    fig.served = served;
    fig.lost = placed.length - served;
    if (served < placed.length) fig.lostDetail = await describeLost(calls, fl, placed.filter((id) => !servedBy(fl, bridges, id)));
    checks.check(fig.lost === 0, 'every caller answered by an agent');
    // Every call over, then the command timeout (5 s): a command still pending would have timed out by then.
    await waitFor(() => calls.registry.live().length === 0, 30_000, 100);
    await sleep(5_500);
    const cmds = await slowCommands(h.service.metrics);
    fig.eslCommands = cmds.total;
    fig.hungCommands = cmds.over2_5s;
    checks.check(cmds.over2_5s === 0, 'no ESL command hung (none answered or failed after > 2.5 s, none timed out)');
    await checkStuck(fig, checks, calls, agents);
    checkAssignments(fig, checks, fl, bridges, served);
    fig.routerStats = { ...calls.acd.router.stats };
  },
};
