// A burst of freed agents is claimed side by side, not one store round trip after another (issue 15,
// agent free -> next offer): the router, unit level, over a claim port that answers each claim
// after a fixed delay in the order the claims were sent (as one Redis connection does under load)
// and hands out pairs from a list in order.
import t from 'tap';
import pino from 'pino';
import { CLAIM_WINDOW, Router } from '../src/acd/router.ts';
import type { SwitchPort } from '../src/acd/ports.ts';
import { queueConfigSchema } from '../src/acd/queue-config.ts';
import type { Claim } from '../src/store/claim-store.ts';

const ROUND_TRIP_MS = 20;

function rig(pairs: number) {
  const left: Claim[] = Array.from({ length: pairs }, (_, i) => ({ callId: `c${i}`, queue: 'general', agentId: `a${i}`, phone: `user/${1000 + i}`, priority: 0, t0Us: i }));
  let claims = 0;
  let lastDue = 0;
  const offered: { callId: string; atMs: number }[] = [];
  const never = new Promise<never>(() => {});
  const sw: SwitchPort = {
    // The agent's phone rings on: the offer stays open (the test only looks at the originates).
    originateInBackground: async (o) => {
      offered.push({ callId: o.vars?.hotline_call_id ?? '', atMs: performance.now() });
      return never;
    },
    bridge: async () => never,
    kill: async () => {},
    transfer: async () => {},
    broadcast: async () => {},
    setVar: async () => {},
  };
  const r = new Router({
    queues: [queueConfigSchema.parse({ name: 'general' })],
    claims: {
      // Answered ROUND_TRIP_MS after it was sent, never before the claim sent before it: the time is
      // the way there and back (a busy event loop, a long command queue), not the store's work.
      claim: () => {
        claims++;
        lastDue = Math.max(performance.now() + ROUND_TRIP_MS, lastDue);
        const due = lastDue;
        return new Promise<Claim | undefined>((res) => setTimeout(() => res(left.shift()), due - performance.now()));
      },
      requeue: async () => true,
    },
    waiting: { list: async () => [], get: async () => undefined, remove: async () => {}, move: async () => false, take: async () => false },
    agents: { connect: async () => true, ringNoAnswer: async () => true, phoneFailure: async () => true, cancelReservation: async () => true, endCall: async () => undefined },
    sw,
    callFacts: () => undefined,
    now: Date.now,
    logger: pino({ level: 'silent' }),
    ringNoAnswerSec: 10,
  });
  return { r, offered, claimsMade: () => claims };
}

async function until(cond: () => boolean, ms: number): Promise<void> {
  const end = Date.now() + ms;
  while (!cond() && Date.now() < end) await new Promise((res) => setTimeout(res, 2));
}

t.test('40 agents freed at once: every offer goes out within a few round trips, in claim order', async (t) => {
  const { r, offered, claimsMade } = rig(40);
  const start = performance.now();
  r.onAgentReady(['general']);
  await until(() => offered.length === 40, 5_000);
  const lastMs = offered.at(-1)!.atMs - start;
  t.equal(offered.length, 40, 'all 40 offered');
  t.same(offered.map((o) => o.callId), Array.from({ length: 40 }, (_, i) => `c${i}`), 'in the order the store handed the pairs out');
  // Store round trips one after the other: 40 x 20 ms = 800 ms for the last. Side by side the
  // claims still queue in the store, but the service no longer waits for one before sending the next.
  t.ok(lastMs < 40 * ROUND_TRIP_MS * 0.6, `the 40th offer ${lastMs.toFixed(0)} ms after the agents were freed (one by one: ${40 * ROUND_TRIP_MS} ms)`);
  t.ok(claimsMade() <= 40 + CLAIM_WINDOW, `${claimsMade()} claims for 40 pairs (at most ${CLAIM_WINDOW} come back empty)`);
});

t.test('one agent freed: one offer, and two claims as one at a time made', async (t) => {
  const { r, offered, claimsMade } = rig(1);
  r.onAgentReady(['general']);
  await until(() => offered.length === 1, 2_000);
  await new Promise((res) => setTimeout(res, 6 * ROUND_TRIP_MS));
  t.equal(offered.length, 1);
  t.equal(claimsMade(), 2, 'the pair, then nothing');
});
