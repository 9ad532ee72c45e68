// Benchmark `push`: how long from FreeSWITCH writing an ESL event to the agent's softphone
// receiving the Socket.IO `call:update` it causes, with 500 agents connected and 2,000 events/s.
// Target (issue): p99 <= 20 ms.
//
// Design:
// - Real parts: a redis-server of its own (scripts/lib/test-redis.ts), the service as a child
//   process (`node server/dist/server.js`, the compiled service, configured through HOTLINE_* as in
//   production, so its RSS and CPU are its own), 500 agents created and logged in with the real
//   AgentStore, and 500 socket.io-client connections to /agent (websocket) in a second child
//   process (push-clients.ts) with JWTs minted with the service's configured secret.
// - The switch is scripts/bench/mini-esl-server.ts driven by a bench SwitchFacade: the service
//   connects to it over TCP, authenticates and subscribes with `event json ...` as it would to
//   FreeSWITCH, and the bench fires events at a fixed rate (open loop: no flow control, so a
//   server that falls behind shows as latency). Events are the capture-derived ~7 KB / 180-header
//   CHANNEL_* events of events.ts with the headers the service reads rewritten (--event-bytes 0:
//   only those headers).
// - Calls: one call slot per agent, each cycling through a call the agent takes: caller leg
//   CHANNEL_CREATE (no agent leg yet: reaches no agent), agent leg CHANNEL_CREATE (hotline_call_id,
//   hotline_leg_role=agent, hotline_agent_id), CHANNEL_ANSWER, CHANNEL_BRIDGE, --holds pairs of
//   CHANNEL_HOLD / CHANNEL_UNHOLD, agent leg CHANNEL_HANGUP_COMPLETE, caller leg
//   CHANNEL_HANGUP_COMPLETE (call:update, then call:removed). Event i goes to slot i mod agents, so
//   each agent gets rate/agents events per second; slots start staggered through the cycle.
// - Latency: every event after the caller leg's CREATE causes exactly one `call:update` on its
//   agent's socket, and one TCP stream, one registry and one socket keep their order, so the k-th
//   call:update an agent receives is the k-th such event sent for it. The parent stamps
//   process.hrtime just before the event is written; the client stamps it when socket.io-client
//   hands over the call:update (CLOCK_MONOTONIC, comparable across processes on one host). The
//   pairing is checked: each agent leg's target is `bench-<k>`, and the client counts any leg
//   first seen at another position (`misaligned`, expected 0).
// - Phases: stagger (slots enter the cycle at different steps), warm-up (--warmup-s), then the
//   measured --seconds; only events sent in the measured phase count. After the last event the
//   bench waits for deliveries to stop.
//
// The parts, in push/: options.ts (command line), setup.ts (Redis, agents, switch, service,
// clients), bench-switch.ts, service-process.ts and clients-process.ts (the two child processes),
// call-events.ts (the calls' events), load.ts (pacing and snapshots), results.ts (drain, pairing,
// figures), proc-stats.ts (/proc and INFO readers).
import os from 'node:os';
import { fillers } from './push/call-events.ts';
import { runLoad } from './push/load.ts';
import { parseOptions } from './push/options.ts';
import { results } from './push/results.ts';
import { setUp } from './push/setup.ts';

export { usage } from './push/options.ts';
export const description =
  'ESL event -> Socket.IO call:update latency: the service (child process, real Redis) with 500 /agent clients at 2,000 agent-leg events/s; p50/p99, server RSS (target p99 <= 20 ms)';

export async function main(argv: string[]): Promise<Record<string, unknown>> {
  const opts = parseOptions(argv);
  const events = fillers(opts);
  const cleanups: (() => Promise<unknown>)[] = [];
  const loadStart = os.loadavg();
  try {
    const rig = await setUp(opts, cleanups);
    const run = await runLoad(rig, opts, events, cleanups);
    return await results(rig, opts, run, events, loadStart);
  } finally {
    for (const c of cleanups) await c().catch((e: unknown) => console.error(`push: cleanup: ${e instanceof Error ? e.message : String(e)}`));
  }
}
