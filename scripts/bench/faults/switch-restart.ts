// The real FreeSWITCH 1.10.12 killed (SIGKILL) under load and started again on the same ports and
// configuration: the service notices at once, marks every call the switch took with it as ended
// (resync after the reconnect: cause ENDED_DURING_DISCONNECT, a CDR each, the waiting ones out of
// the queue, their agents freed), and serves a new call once the switch is back. The switch suite's
// real site (server/test/switch/helpers: FreeSWITCH on free ports, SIPp callers and phones).
import { GAP_CAUSE } from '../../../server/src/freeswitch/resync.ts';
import { startFreeswitch } from '../../../server/test/switch/helpers/freeswitch.ts';
import { AGENT_IDS, realSite } from '../../../server/test/switch/helpers/world-real.ts';
import { withService } from '../../../server/test/switch/helpers/world-service.ts';
import type { PhoneBehaviour } from '../../../server/test/switch/helpers/world.ts';
import { sleep } from '../util.ts';
import { log, ROUTING_ENV, stuckAgents, waitFor, type FaultModule } from './common.ts';

const AGENTS = ['1040', '1041', '1042'];
const CALLERS = 6;
const PHONE: PhoneBehaviour = { answerAfterMs: 300, hangupAfterMs: 60_000 };

export const switchRestart: FaultModule = {
  name: 'switch-restart',
  description: 'the real FreeSWITCH killed under load and restarted: noticed, lost calls marked, new calls served',
  async run(scope, checks, fig) {
    const site = await realSite(scope);
    const bare = await site.bare(scope, { env: { ...ROUTING_ENV } });
    const w = await withService(scope, bare);
    for (const id of AGENTS) await w.addAgent(id, { general: 5 }, PHONE);
    // Load: as many talking as there are agents, the rest queued.
    for (let i = 0; i < CALLERS; i++) {
      await bare.call({ from: `1380000070${i}`, to: '12345' });
      await sleep(200);
    }
    const loaded = await waitFor(() => {
      const live = w.calls.registry.live();
      const talking = live.filter((c) => c.state === 'talking').length;
      const queued = live.filter((c) => c.state === 'queued').length;
      return talking === AGENTS.length && queued === CALLERS - AGENTS.length && { talking, queued };
    }, 30_000, 50);
    if (!checks.check(loaded !== undefined, `${AGENTS.length} calls talking and ${CALLERS - AGENTS.length} queued before the kill`) || !loaded) return;
    const lostIds = new Set(w.calls.registry.live().map((c) => c.id));
    fig.callsTalkingAtKill = loaded.talking;
    fig.callsQueuedAtKill = loaded.queued;

    log('switch-restart: SIGKILL FreeSWITCH');
    const killedAt = Date.now();
    await site.fs.kill();
    const noticed = await waitFor(() => w.calls.nodeStatus()[0]?.connected === false, 10_000, 2);
    fig.detectionMs = noticed ? Date.now() - killedAt : null;
    checks.check(noticed === true, 'the service noticed the switch was gone');

    const fs2 = await startFreeswitch({ ports: site.fs.ports, agents: AGENT_IDS });
    scope.teardown(() => fs2.kill());
    const backAt = Date.now();
    fig.switchDownMs = backAt - killedAt;
    log(`switch-restart: FreeSWITCH back after ${fig.switchDownMs} ms`);
    const reconnected = await waitFor(() => w.calls.nodeStatus()[0]?.connected, 60_000, 10);
    fig.reconnectAfterSwitchBackMs = reconnected ? Date.now() - backAt : null;
    checks.check(reconnected === true, 'the service reconnected to the restarted switch');

    const cdrCauses = async () => {
      const entries = await w.redis.xrange(w.config.redis.keyPrefix + ':cdr', '-', '+');
      return entries.map(([, f]) => JSON.parse(f[3]!) as { id?: string; callId?: string; hangupCause?: string });
    };
    const closed = await waitFor(() => w.calls.registry.live().filter((c) => lostIds.has(c.id)).length === 0, 20_000, 20);
    fig.lostCallsClosedAfterSwitchBackMs = closed ? Date.now() - backAt : null;
    const marked = (await waitFor(async () => {
      const cdrs = (await cdrCauses()).filter((c) => c.hangupCause === GAP_CAUSE);
      return cdrs.length >= lostIds.size && cdrs;
    }, 10_000, 50)) ?? (await cdrCauses()).filter((c) => c.hangupCause === GAP_CAUSE);
    fig.callsMarkedLost = marked.length;
    checks.check(marked.length === lostIds.size, `every call the switch lost (${lostIds.size}) marked ${GAP_CAUSE} with a CDR`);
    fig.queuedAfterResync = (await w.calls.queues.list('general')).length;
    checks.check(fig.queuedAfterResync === 0, 'no lost caller left in the queue');
    const stuck = await waitFor(async () => {
      const s = await stuckAgents(w.calls, AGENTS);
      return s.length === 0 ? s : false;
    }, 10_000, 100) ?? (await stuckAgents(w.calls, AGENTS));
    fig.stuckAgents = stuck.length;
    checks.check(stuck.length === 0, `the agents of the lost calls are free again${stuck.length ? `: ${stuck.join(', ')}` : ''}`);

    // The phones register again with the new switch (its registrations died with it), then a new caller.
    for (const id of AGENTS) await bare.addPhone(id, PHONE);
    const callAt = Date.now();
    await bare.call({ from: '13800000799', to: '12345' });
    const served = await waitFor(() => w.calls.registry.live().some((c) => !lostIds.has(c.id) && c.state === 'talking'), 60_000, 20);
    fig.firstNewCallServedAfterSwitchBackMs = served ? Date.now() - backAt : null;
    fig.firstNewCallServedAfterCallMs = served ? Date.now() - callAt : null;
    checks.check(served === true, 'a new call is answered by an agent once the switch is back');
  },
};
