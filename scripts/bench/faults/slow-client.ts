// One Socket.IO client that stops reading must not slow the others: FAST /ops clients receive a
// burst of agent deltas twice, alone and then with one more client whose TCP socket is paused
// (it never reads; the server's queue for it only grows until it is dropped). Compared: the fast
// clients' delivery p99 in both rounds; every fast client gets every delta; the slow one is
// dropped (once) instead. The set-up of realtime-ops.test.ts ("a client that stops reading").
import type { Socket } from 'socket.io-client';
import type { AgentRecord } from '../../../server/src/acd/agent-state.ts';
import { connected, login, socketTo, waitFor as waitForEvent } from '../../../server/test/helpers/realtime.ts';
import { startHarness } from '../../../server/test/helpers/service.ts';
import { percentile, round } from '../util.ts';
import { log, waitFor, type FaultModule } from './common.ts';

const FAST = 10;
const DELTAS = 1_500;
const PAD = 'x'.repeat(10_000);
const MAX_BUFFERED = 256 * 1024;

/** Publish DELTAS agent deltas, each stamped with its send time; the fast clients' latencies (ms). */
async function burst(publish: (a: AgentRecord) => void, fast: Socket[], tag: string): Promise<{ latencies: number[]; complete: boolean; seconds: number }> {
  const latencies: number[] = [];
  let got = 0;
  const on = (p: { agent: { name: string } }) => {
    const [t, sent] = p.agent.name.split('|');
    if (t !== tag) return;
    latencies.push(performance.now() - Number(sent));
    got++;
  };
  for (const s of fast) s.on('agent:state', on);
  const started = performance.now();
  for (let i = 0; i < DELTAS; i++) {
    publish({ id: `load-${i % 10}`, name: `${tag}|${performance.now()}|${PAD}`, phone: 'user/0', skills: {}, state: 'ready', since: i, wrapExtended: false });
    // Deltas arrive spread over time in production; a synchronous burst would queue for everyone.
    await new Promise((r) => setImmediate(r));
  }
  const complete = (await waitFor(() => got === DELTAS * fast.length, 30_000)) === true;
  const seconds = (performance.now() - started) / 1000;
  for (const s of fast) s.off('agent:state', on);
  return { latencies: latencies.sort((a, b) => a - b), complete, seconds };
}

export const slowClient: FaultModule = {
  name: 'slow-client',
  description: 'one Socket.IO client stops reading: dropped, the others get every delta, their p99 unaffected',
  async run(scope, checks, fig) {
    const h = await startHarness(scope, { env: { HOTLINE_REALTIME_MAX_BUFFERED_BYTES: String(MAX_BUFFERED) } });
    const rt = h.service.realtime!;
    const token = await login(h.service, 'ops');
    const fast = Array.from({ length: FAST }, () => socketTo(scope, h.service, '/ops', token));
    await Promise.all(fast.flatMap((s) => [connected(s), waitForEvent(s, 'snapshot')]));
    const publish = (a: AgentRecord) => rt.hub.publish('agent', a);

    log(`slow-client: ${FAST} clients, ${DELTAS} deltas of ~10 KB, alone`);
    const alone = await burst(publish, fast, 'alone');
    const slow = socketTo(scope, h.service, '/ops', token);
    await Promise.all([connected(slow), waitForEvent(slow, 'snapshot')]);
    let slowGone = false;
    slow.on('disconnect', () => (slowGone = true));
    // Stop reading on the slow client's TCP socket: the server's send queue for it only grows.
    const tcp = (slow.io.engine.transport as unknown as { ws: { _socket: { pause(): void; resume(): void } } }).ws._socket;
    tcp.pause();
    log('slow-client: the same with one more client that stopped reading');
    const withSlow = await burst(publish, fast, 'slow');
    const summary = (r: typeof alone) => ({ p50Ms: round(percentile(r.latencies, 50)), p99Ms: round(percentile(r.latencies, 99)), maxMs: round(r.latencies.at(-1) ?? NaN), delivered: r.latencies.length, seconds: round(r.seconds, 2) });
    fig.fastClients = FAST;
    fig.deltasPerRound = DELTAS;
    fig.alone = summary(alone);
    fig.withSlowClient = summary(withSlow);
    fig.p99EffectMs = round(percentile(withSlow.latencies, 99) - percentile(alone.latencies, 99));
    fig.slowClientsDropped = rt.dropped;
    checks.check(alone.complete && withSlow.complete, 'every fast client got every delta in both rounds');
    checks.check(rt.dropped === 1, 'the client that stopped reading was dropped, once');
    checks.check(fast.every((s) => s.connected), 'every fast client stayed connected');
    // Noise allowance on a shared 2-core machine: twice the p99 alone, or 25 ms more, whichever is larger.
    const p99a = percentile(alone.latencies, 99);
    checks.check(percentile(withSlow.latencies, 99) <= Math.max(2 * p99a, p99a + 25), "the others' p99 with the slow client within max(2x, +25 ms) of their p99 alone");
    tcp.resume();
    fig.slowClientToldItWasDropped = (await waitFor(() => slowGone, 10_000)) === true;
    checks.check(fig.slowClientToldItWasDropped === true, 'the slow client learns it was dropped once it reads again');
  },
};
