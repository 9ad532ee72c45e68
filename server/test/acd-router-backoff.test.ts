// The router's back-off, unit level: a claim source that always has a caller and a ready agent (as
// a queue with a waiting caller does when every offer fails and puts both back), and a switch port
// whose originate fails the way the switch connection fails. Before: the next claim followed each
// failure at once, so offers ran at whatever rate the loop could reach. The log throttle is checked
// with a fake clock.
import t from 'tap';
import pino from 'pino';
import { Router } from '../src/acd/router.ts';
import type { SwitchPort } from '../src/acd/ports.ts';
import { queueConfigSchema } from '../src/acd/queue-config.ts';
import { LogThrottle } from '../src/log-throttle.ts';
import { FreeSwitchCommandError, FreeSwitchTimeout } from '../src/freeswitch/errors.ts';
import { InvalidCommandArgument } from '../src/freeswitch/esl-values.ts';

function router(fail: () => Error, opts: { switchUp?: () => boolean; limit?: number; answered?: boolean; maxClaims?: number; checkPhone?: (p: string) => void } = {}) {
  let n = 0;
  // One agent, ready until a ring-no-answer or phone failure takes it out (as the Redis sets would),
  // and reserved by a claim until its offer ends (the router may have several claims in flight).
  let agentReady = true;
  let reserved = false;
  const agentCalls: string[] = [];
  const killed: string[] = [];
  const removed: string[] = [];
  const refuse = async (): Promise<never> => {
    throw new Error('not used');
  };
  const sw: SwitchPort = {
    originateInBackground: async (o) => {
      if (opts.answered) return o.uuid ?? '';
      throw fail();
    },
    bridge: async () => {
      throw fail();
    },
    kill: async (uuid) => void killed.push(uuid),
    transfer: refuse,
    broadcast: refuse,
    setVar: refuse,
  };
  const r = new Router({
    queues: [queueConfigSchema.parse({ name: 'general' })],
    claims: {
      claim: async () => {
        if (!agentReady || reserved || n >= (opts.maxClaims ?? Infinity)) return undefined;
        reserved = true;
        return { callId: `c${++n}`, queue: 'general', agentId: 'a1', phone: 'user/1001', priority: 0, t0Us: 0 };
      },
      requeue: async () => true,
    },
    waiting: { list: async () => [], get: async () => undefined, remove: async (id) => void removed.push(id), move: async () => false, take: async () => false },
    agents: {
      connect: async () => ((reserved = false), true),
      ringNoAnswer: async () => (agentCalls.push('ringNoAnswer'), (agentReady = false), (reserved = false), true),
      phoneFailure: async () => (agentCalls.push('phoneFailure'), (agentReady = false), (reserved = false), true),
      cancelReservation: async () => (agentCalls.push('cancel'), (reserved = false), true),
      endCall: async () => undefined,
    },
    sw,
    callFacts: () => ({ callerNumber: '13800138000', line: 'main' }),
    now: Date.now,
    logger: pino({ level: 'silent' }),
    ringNoAnswerSec: 10,
    retryDelayMs: (k) => Math.min(2000, 100 * 2 ** (k - 1)),
    ...(opts.switchUp ? { switchUp: opts.switchUp } : {}),
    ...(opts.limit ? { phoneFailureLimit: opts.limit } : {}),
    ...(opts.checkPhone ? { checkPhone: opts.checkPhone } : {}),
  });
  return { r, agentCalls, killed, removed };
}

t.test('offers the switch fails are retried with a growing pause, not in a loop', async (t) => {
  const { r } = router(() => new FreeSwitchTimeout('bgapi originate ...: no answer in 17000 ms', 'fs1'));
  t.teardown(() => r.stop());
  const tick = setInterval(() => r.routeAll(), 50); // the ACD's review calls routeAll every second
  r.onQueued('general');
  await new Promise((ok) => setTimeout(ok, 1500));
  clearInterval(tick);
  await r.idle();
  // Pauses 100, 200, 400, 800 ms: 4-5 offers in 1.5 s.
  t.ok(r.stats.offers >= 3 && r.stats.offers <= 6, `${r.stats.offers} offers in 1.5 s`);
  t.equal(r.stats.phoneFailures, 0, "the switch's failures are not counted against the phone");
});

t.test('no claim at all while the switch is down; routing resumes when it is back', async (t) => {
  let up = false;
  const { r } = router(() => new FreeSwitchCommandError('-ERR NO_ANSWER', 'fs1', 'originate'), { switchUp: () => up });
  t.teardown(() => r.stop());
  r.onQueued('general');
  r.routeAll();
  await r.idle();
  t.equal(r.stats.offers, 0);
  up = true;
  r.onQueued('general');
  await new Promise((ok) => setTimeout(ok, 50));
  await r.idle();
  t.ok(r.stats.offers >= 1 && r.stats.offers <= 2, `offers again once up (${r.stats.offers}: the agent did not answer and is out)`);
});

t.test('a phone failing N times in a row is taken out of rotation', async (t) => {
  const { r, agentCalls } = router(() => new FreeSwitchCommandError('-ERR INCOMPATIBLE_DESTINATION', 'fs1', 'originate'), { limit: 3 });
  t.teardown(() => r.stop());
  r.onQueued('general');
  for (let i = 0; i < 40 && !agentCalls.includes('phoneFailure'); i++) {
    await new Promise((ok) => setTimeout(ok, 50));
    r.routeAll();
  }
  await r.idle();
  t.same(agentCalls.slice(0, 3), ['cancel', 'cancel', 'phoneFailure'], 'two failures put back, the third sets phone-failure');
  t.ok(r.stats.phoneFailures >= 3);
});

t.test('log throttle: the first at once, then one line per interval with a count', async (t) => {
  const lines: Record<string, unknown>[] = [];
  const log = pino({ level: 'info' }, { write: (l: string) => void lines.push(JSON.parse(l) as Record<string, unknown>) });
  let now = 0;
  const th = new LogThrottle(log, { intervalMs: 1000, now: () => now });
  for (let i = 0; i < 500; i++) {
    th.warn('k', { i }, 'same failure');
    now += 1;
  }
  t.same(lines.map((l) => [l.msg, l.count]), [['same failure', 1]], 'one line for the first');
  now = 1000;
  await new Promise((ok) => setTimeout(ok, 1100)); // the flush timer runs on real time
  t.same(lines.map((l) => [l.msg, l.count]), [['same failure', 1], ['same failure (repeated)', 499]], 'the rest in one line with the count');
  th.warn('other', {}, 'another failure');
  t.equal(lines.at(-1)?.msg, 'another failure', 'keys are counted apart');
});

t.test('a bridge the switch refuses after the phone answered (a leg left) frees the agent and does not pause routing', async (t) => {
  const { r, agentCalls, killed } = router(() => new FreeSwitchCommandError('-ERR Invalid uuid', 'fs1', 'uuid_bridge'), { answered: true, maxClaims: 5 });
  t.teardown(() => r.stop());
  const started = Date.now();
  r.onQueued('general');
  await r.idle();
  const ms = Date.now() - started;
  // Paused as a switch failure, five offers took 100 + 200 + 400 + 800 ms at least, plus 3 s each
  // waiting for a CHANNEL_BRIDGE that a -ERR rules out.
  t.equal(r.stats.offers, 5, 'every claim offered in one pass');
  t.ok(ms < 500, `no pause between them (${ms} ms)`);
  t.ok(r.mayOffer, 'routing is not paused afterwards');
  t.equal(killed.length, 5, 'each answered agent leg is hung up, so the caller cannot end up with two agents');
  t.same(agentCalls, ['cancel', 'cancel', 'cancel', 'cancel', 'cancel'], 'the agent is freed each time, its phone not blamed');
  t.equal(r.stats.phoneFailures, 0);
});

t.test('a bridge whose reply never comes (timeout) still pauses routing and hangs the agent leg up', async (t) => {
  const { r, killed } = router(() => new FreeSwitchTimeout('uuid_bridge: no answer in 5000 ms', 'fs1'), { answered: true, maxClaims: 1 });
  t.teardown(() => r.stop());
  r.onQueued('general');
  await r.idle(); // the bridge waits up to 3 s for CHANNEL_BRIDGE before it counts as failed
  t.ok(r.stats.failed === 1 && r.stats.phoneFailures === 0, `counted as a switch-side failure (${JSON.stringify(r.stats)})`);
  t.notOk(r.mayOffer, 'routing pauses');
  t.equal(killed.length, 1, 'the answered agent leg is hung up');
});

t.test("a call the switch boundary refuses leaves the queue instead of blocking its head", async (t) => {
  const { r, agentCalls, removed } = router(() => new InvalidCommandArgument('invalid value for hotline_call_id: "x y"'), { checkPhone: () => {}, maxClaims: 1 });
  t.teardown(() => r.stop());
  r.onQueued('general');
  await r.idle();
  t.same(removed, ['c1'], 'taken out of the queue');
  t.same(agentCalls, ['cancel'], 'the agent is free again, its phone not blamed');
});
