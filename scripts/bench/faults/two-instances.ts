// Two service instances on one Redis and one fsim race over N routings (10,000 by default): every
// switch event reaches both, both route, agents are announced half to each. Callers are kept
// coming so that about WINDOW wait at any time (closed loop: the switch and the two services set
// the pace). Zero double assignments, zero lost callers; the rate reached is reported, and if the
// time budget ends first the count reached is what was measured. server/test/acd-two-instances
// .test.ts at the scale.
import { startHarness, startSecondInstance } from '../../../server/test/helpers/service.ts';
import { round, sleep } from '../util.ts';
import { watchSwitch, servedBy, doubleAssignments, log, ROUTING_ENV, placeCaller, robotAgents, waitFor, type FaultModule } from './common.ts';

const AGENTS = 50;
const WINDOW = 100;

export const twoInstances: FaultModule = {
  name: 'two-instances',
  description: 'two service instances racing over 10,000 routings: 0 double assignments, 0 lost',
  async run(scope, checks, fig, opts) {
    const h = await startHarness(scope, { timeScale: 0.05, env: { ...ROUTING_ENV } });
    const a = h.service;
    const b = await startSecondInstance(scope, h);
    if (!checks.check((await waitFor(() => a.calls?.nodeStatus()[0]?.connected && b.calls?.nodeStatus()[0]?.connected, 15_000)) === true, 'both instances connected')) return;
    const { fl, bridges } = watchSwitch(scope, h.fsim);
    await robotAgents(h.fsim, a.calls!, AGENTS, { answerAfterMs: 500, hangupAfterMs: 6_000 }, (id) => (Number(id) % 2 ? b : a).calls!.acd.agentBecameReady(id));

    const placed: string[] = [];
    let answered = 0;
    const isAnswered = (id: string) => servedBy(fl, bridges, id);
    let firstOpen = 0;
    const started = Date.now();
    const deadline = started + opts.routingsMaxS * 1000;
    let lastLog = started;
    while (answered < opts.routings && Date.now() < deadline) {
      // Advance past the answered prefix; count the rest answered out of order.
      while (firstOpen < placed.length && isAnswered(placed[firstOpen]!)) firstOpen++;
      answered = firstOpen + placed.slice(firstOpen).filter(isAnswered).length;
      const waiting = placed.length - answered;
      for (let k = waiting; k < WINDOW && placed.length < opts.routings; k++) placed.push(placeCaller(h.fsim, placed.length));
      if (Date.now() - lastLog > 15_000) {
        lastLog = Date.now();
        log(`two-instances: ${answered} routed in ${round((Date.now() - started) / 1000, 0)} s (${round(answered / ((Date.now() - started) / 1000), 1)}/s)`);
      }
      await sleep(50);
    }
    const budgetHit = answered < opts.routings;
    fig.routingsTarget = opts.routings;
    fig.budgetS = opts.routingsMaxS;
    // Drain: every caller placed gets its agent (or is lost).
    await waitFor(() => placed.every(isAnswered), 60_000, 100);
    const elapsedS = (Date.now() - started) / 1000;
    const served = placed.filter(isAnswered).length;
    fig.callersPlaced = placed.length;
    fig.routingsDone = served;
    fig.seconds = round(elapsedS, 1);
    fig.routingsPerS = round(served / elapsedS, 1);
    fig.lost = placed.length - served;
    fig.completed = !budgetHit;
    checks.check(fig.lost === 0, 'every caller placed was answered by an agent');
    if (budgetHit) log(`two-instances: budget of ${opts.routingsMaxS} s reached at ${served} routings (of ${opts.routings})`);
    const d = doubleAssignments(fl, bridges);
    fig.callersWithTwoAgents = d.callersWithTwoAgents;
    fig.maxLegsPerPhone = d.maxLegsPerPhone;
    fig.doubleAssignments = d.callersWithTwoAgents + (d.maxLegsPerPhone > 1 ? 1 : 0);
    fig.ghostAnswers = d.ghostAnswers;
    fig.callersBridgedToAnAgent = d.callersBridged;
    checks.check(d.callersBridged === served, 'every caller answered was bridged to its agent (the bridge count matches)');
    checks.check(d.callersWithTwoAgents === 0, 'no caller given two agents');
    checks.check(d.maxLegsPerPhone <= 1, 'no agent phone rang or talked twice at once');
    await waitFor(() => a.calls!.acd.router.offering === 0 && b.calls!.acd.router.offering === 0, 10_000);
    const [sa, sb] = [a.calls!.acd.router.stats, b.calls!.acd.router.stats];
    fig.instanceA = { ...sa };
    fig.instanceB = { ...sb };
    fig.connectedOnce = sa.connected + sb.connected === served;
    checks.check(sa.offers > 0 && sb.offers > 0, 'both instances routed calls');
    checks.check(fig.connectedOnce === true, 'each call connected once, by one instance');
    checks.check(sa.failed + sb.failed === 0, 'no failed offers');
  },
};
