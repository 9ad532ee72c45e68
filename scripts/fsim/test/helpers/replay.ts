// Replays a real FreeSWITCH capture against fsim and returns what fsim sent, for comparison in form
// (form.ts). The capture's client bytes are sent at the same points in the conversation: before each
// client block the replayer waits until fsim has sent at least the replies and events (counted per
// kind) that FreeSWITCH had sent before it, then waits the capture's think time (scaled). Capture
// UUIDs in client bytes are rewritten to fsim's by aligning replies and channels in order of
// appearance; UUIDs the client chose itself (origination_uuid, Job-UUID, ...) are sent as they are.
// The SIPp peers of the capture are played by fsim's endpoint API (placeCall, registerUser, ...),
// driven by the scenario's note actions: nothing in fsim knows about captures.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { startFsim } from '../../src/fsim.ts';
import type { Fsim } from '../../src/fsim.ts';
import type { SwitchConfig } from '../../src/core/index.ts';
import type { EslMessage } from './capture.ts';
import { bytesOf, loadScript } from './capture-script.ts';
import type { ScriptItem } from './capture-script.ts';
import { EslTestClient, listenOnce } from './esl-test-client.ts';
import type { Test } from 'tap';
import { compareChannelOrigins, compareEncoding, compareInterleaving, compareStreams } from './form.ts';
import { completeMessages, consumed, countKinds, isEvent, kindsOf, missingKinds, UuidMap } from './replay-messages.ts';

const HERE = path.dirname(fileURLToPath(import.meta.url));
export const CAPTURE_DIALPLAN = path.resolve(HERE, '../fixtures/dialplan/capture-default.xml');
/** The outbound-socket listener address written in the capture dialplan (extension 9002). */
const CAPTURE_LISTENER = '127.0.0.1:8084';

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** What a scenario's stimulus can reach. */
export interface ReplayContext {
  readonly fsim: Fsim;
  /** Real milliseconds for `ms` of switch time (timeScale applied). */
  real(ms: number): number;
  /** Wait `ms` of switch time. */
  wait(ms: number): Promise<void>;
  /** Wait (real time, at most timeoutMs) until pred holds; false on timeout. */
  until(pred: () => boolean, timeoutMs?: number): Promise<boolean>;
  /** Calls placed by stimuli, in order (their fsim UUIDs). */
  readonly calls: string[];
  /** Complete replies (non-event messages) fsim has sent so far on a capture's connection. */
  repliesOn(capture: string): number;
}

export interface NoteAction {
  /** Matched against the NOTE text. */
  readonly match: RegExp;
  /**
   * 'now' (default): run when the replay reaches the note. 'after-next-reply': the note describes
   * what happens once the next command is answered (e.g. "subscribe, then one call").
   */
  readonly when?: 'now' | 'after-next-reply';
  run(ctx: ReplayContext): void | Promise<void>;
}

export interface ConnectionScript {
  /** Capture name (NAME of NAME.jsonl / NAME.txt). */
  readonly capture: string;
  /** 'inbound': we connect to fsim's event socket; 'outbound': fsim's socket app connects to us. */
  readonly side: 'inbound' | 'outbound';
  readonly notes?: readonly NoteAction[];
  /** Run before the walk starts (after fsim is up), e.g. the call that reaches the socket app. */
  readonly start?: (ctx: ReplayContext) => void | Promise<void>;
}

export interface Scenario {
  /** One connection per capture; several (23 + 23_inbound) are walked concurrently. */
  readonly connections: readonly ConnectionScript[];
  readonly timeScale?: number;
  readonly switch?: Partial<SwitchConfig>;
  /** Run after fsim starts and before any connection (registrations, ...). */
  readonly setup?: (ctx: ReplayContext) => void | Promise<void>;
  /** Passed to compareStreams (default: ignore HEARTBEAT and RE_SCHEDULE). */
  readonly ignoreEvents?: readonly string[];
  /**
   * Real ms fsim may lag behind the capture's (scaled) schedule at one point before the replay goes
   * on without what is missing (default 100). Kept short: the switch clock runs on while we wait,
   * so a long stall would distort the rest of the scenario (a tone ending, DTMF arriving early).
   */
  readonly stepTimeoutMs?: number;
}

export interface ConnectionResult {
  readonly capture: string;
  readonly reference: Buffer;
  readonly simulated: Buffer;
  /**
   * compareStreams + compareEncoding + compareChannelOrigins (reference, simulated): empty when fsim
   * matches the capture in form.
   */
  readonly diffs: string[];
  /**
   * compareInterleaving: where replies fall among events. Informative only: besides FreeSWITCH's
   * rules it reflects the race between the client's next command and events fired meanwhile.
   */
  readonly interleaving: string[];
  /** Points where fsim did not catch up with the capture in time (what was still missing). */
  readonly stalls: string[];
}

/** The capture dialplan with the socket app pointed at our listener. */
function dialplanFor(listenerPort: number | undefined): { file: string; cleanup(): void } {
  if (listenerPort === undefined) return { file: CAPTURE_DIALPLAN, cleanup: () => undefined };
  const dir = mkdtempSync(path.join(tmpdir(), 'fsim-replay-'));
  const file = path.join(dir, 'default.xml');
  writeFileSync(file, readFileSync(CAPTURE_DIALPLAN, 'utf8').split(CAPTURE_LISTENER).join(`127.0.0.1:${listenerPort}`));
  return { file, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

interface Walker {
  readonly script: ConnectionScript;
  readonly items: ScriptItem[];
  client?: EslTestClient;
  readonly stalls: string[];
  /** TCP reads that held a reply and an event. */
  mixedReads: number;
}

/** A read holding a command/reply or api/response and an event: FreeSWITCH's usual packing. */
const isMixedRead = (chunk: Buffer): boolean => {
  const s = chunk.toString('latin1');
  return /^Content-Type: (command\/reply|api\/response)$/m.test(s) && /^Content-Type: text\/event-/m.test(s);
};

function watchReads(w: Walker, c: EslTestClient, wake: () => void): void {
  c.socket.on('data', (chunk: Buffer) => {
    if (isMixedRead(chunk)) w.mixedReads++;
    wake();
  });
}

export async function replay(sc: Scenario): Promise<ConnectionResult[]> {
  const timeScale = sc.timeScale ?? 0.1;
  const stepTimeout = sc.stepTimeoutMs ?? 100;
  const ignore = new Set(sc.ignoreEvents ?? ['HEARTBEAT', 'RE_SCHEDULE']);
  const needsListener = sc.connections.some((c) => c.side === 'outbound');
  const listener = needsListener ? await listenOnce() : undefined;
  const dp = dialplanFor(listener?.port);
  const fsim = await startFsim({
    esl: { port: 0, password: 'ClueCon' },
    control: false,
    dialplan: { files: [dp.file] },
    timeScale,
    switch: {
      profiles: [{ name: 'internal', ip: '127.0.0.1', port: 5060, context: 'default' }],
      users: Array.from({ length: 20 }, (_, i) => String(1000 + i)),
      domain: '127.0.0.1',
      heartbeatSec: 0,
      ...sc.switch,
    },
  });
  // Waits re-check as soon as fsim sends anything (and every few ms for switch-side conditions):
  // at timeScale 0.1 a 20 ms answer delay is 2 ms of real time, shorter than a polling interval.
  let wakers: (() => void)[] = [];
  const wake = (): void => {
    const ws = wakers;
    wakers = [];
    for (const w of ws) w();
  };
  const until = async (pred: () => boolean, timeoutMs = stepTimeout): Promise<boolean> => {
    const end = Date.now() + timeoutMs;
    while (!pred()) {
      const left = end - Date.now();
      if (left <= 0) return false;
      let timer: NodeJS.Timeout | undefined;
      await new Promise<void>((r) => {
        wakers.push(r);
        timer = setTimeout(r, Math.min(3, left));
      });
      clearTimeout(timer);
    }
    return true;
  };
  const uuids = new UuidMap();
  const walkers: Walker[] = sc.connections.map((script) => ({ script, items: loadScript(script.capture), stalls: [], mixedReads: 0 }));

  // Parsed incrementally, kinds counted once per message: the waits re-check on every read of
  // every connection, over streams of up to ~400 KB of JSON events (23_inbound).
  const parsed = new Map<Walker, { pos: number; msgs: EslMessage[]; counts: Map<string, number> }>();
  const progress = (w: Walker): { msgs: EslMessage[]; counts: Map<string, number> } => {
    const st = parsed.get(w) ?? { pos: 0, msgs: [], counts: new Map<string, number>() };
    parsed.set(w, st);
    const buf = w.client?.received;
    if (!buf || buf.length === st.pos) return st;
    const rest = buf.subarray(st.pos);
    const fresh = completeMessages(rest);
    for (const m of fresh) {
      st.msgs.push(m);
      for (const k of kindsOf([m], ignore)) st.counts.set(k, (st.counts.get(k) ?? 0) + 1);
    }
    st.pos += consumed(rest, fresh.length);
    return st;
  };
  const simMessages = (w: Walker): EslMessage[] => progress(w).msgs;
  const ctx: ReplayContext = {
    fsim,
    real: (ms) => ms * timeScale,
    wait: (ms) => sleep(ms * timeScale),
    until,
    calls: [],
    repliesOn: (capture) => {
      const w = walkers.find((x) => x.script.capture === capture);
      return w ? simMessages(w).filter((m) => !isEvent(m)).length : 0;
    },
  };

  /** Wait until fsim has sent what FreeSWITCH had sent before item `idx`; then learn UUIDs. */
  const catchUp = async (w: Walker, idx: number, what: string, deadline: number): Promise<boolean> => {
    const refPrefix = completeMessages(bytesOf(w.items.slice(0, idx), 'server'));
    const need = countKinds(kindsOf(refPrefix, ignore));
    const ok = await until(() => {
      if (!w.client) return need.size === 0;
      if (w.client.closed) return true;
      return missingKinds(need, progress(w).counts).length === 0;
    }, Math.max(0, deadline - Date.now()));
    if (!ok) {
      const missing = missingKinds(need, progress(w).counts);
      w.stalls.push(`${w.script.capture}: before ${what}: still missing ${missing.join(', ')}`);
    }
    uuids.learn(refPrefix, simMessages(w));
    return ok;
  };

  const walk = async (w: Walker): Promise<void> => {
    const deferred: NoteAction[] = [];
    if (w.script.start) await w.script.start(ctx);
    let lastServerT = 0;
    let lastClientT = 0;
    let lastSend = Date.now();
    // When the capture says this point was reached, on the scaled clock: anchored at the walk's
    // start, and never less than the capture's time since our last write (fsim may run late).
    let walkStart = Date.now();
    const deadlineFor = (t: number): number =>
      Math.max(walkStart + ctx.real(t * 1000), lastSend + ctx.real(Math.max(0, t - lastClientT) * 1000)) + stepTimeout;
    for (let i = 0; i < w.items.length; i++) {
      const item = w.items[i];
      if (!item) continue;
      if (item.kind === 'note') {
        const acts = (w.script.notes ?? []).filter((a) => a.match.test(item.text));
        for (const a of acts) {
          if (a.when === 'after-next-reply') {
            deferred.push(a);
            continue;
          }
          await catchUp(w, i, `note "${item.text.slice(0, 40)}"`, deadlineFor(lastServerT));
          await a.run(ctx);
        }
        continue;
      }
      if (item.dir === 'server') {
        lastServerT = item.t;
        continue;
      }
      if (!w.client) {
        // Outbound: the first thing our listener writes is `connect`, once fsim has connected.
        if (!listener) throw new Error('outbound script without a listener');
        w.client = await listener.accept(stepTimeout + 3000);
        watchReads(w, w.client, wake);
        // The capture's clock starts when FreeSWITCH connects.
        walkStart = lastSend = Date.now() - ctx.real(item.t * 1000);
      }
      const onTime = await catchUp(w, i, `client block at t=${item.t}`, deadlineFor(item.t));
      // The capture's think time between FreeSWITCH's last write and this one (uuid_break 0.3 s
      // after PLAYBACK_START, say); not again when fsim was late already. A gap of a millisecond or
      // two is the capture client's reaction time, not thinking: we answer as fast as we can.
      const gap = Math.max(0, item.t - lastServerT) * 1000;
      if (gap > 2 && onTime) await ctx.wait(gap);
      const repliesBefore = simMessages(w).filter((m) => !isEvent(m)).length;
      w.client.sendRaw(Buffer.from(uuids.rewrite(item.bytes.toString('latin1')), 'latin1'));
      lastClientT = item.t;
      lastSend = Date.now();
      if (deferred.length) {
        const c = w.client;
        await until(() => c.closed || simMessages(w).filter((m) => !isEvent(m)).length > repliesBefore);
        for (const a of deferred.splice(0)) await a.run(ctx);
      }
    }
    // The rest of the capture: everything FreeSWITCH sent after our last write, or the close.
    await catchUp(w, w.items.length, 'the end', deadlineFor(lastServerT));
    await sleep(Math.max(50, ctx.real(200)));
    // Then this side hangs up, as the capture's client did (an outbound listener that lingers has
    // to: FreeSWITCH leaves the socket open; the other connections of the scenario go on).
    w.client?.close();
  };

  try {
    if (sc.setup) await sc.setup(ctx);
    for (const w of walkers) {
      if (w.script.side !== 'inbound') continue;
      w.client = await EslTestClient.connect(fsim.eslPort);
      watchReads(w, w.client, wake);
    }
    await Promise.all(walkers.map(walk));
  } finally {
    for (const w of walkers) w.client?.close();
    listener?.close();
    await fsim.close();
    dp.cleanup();
  }
  const opts = sc.ignoreEvents ? { ignoreEvents: sc.ignoreEvents } : {};
  return walkers.map((w) => {
    const reference = bytesOf(w.items, 'server');
    const simulated = w.client?.received ?? Buffer.alloc(0);
    const mixed = w.items.filter((i) => i.kind === 'block' && i.dir === 'server' && isMixedRead(i.bytes)).length;
    return {
      capture: w.script.capture,
      reference,
      simulated,
      diffs: [
        ...compareStreams(reference, simulated, opts),
        ...compareEncoding(reference, simulated),
        ...compareChannelOrigins(reference, simulated),
        ...(mixed && !w.mixedReads ? [`no read held a reply and an event (the capture has ${mixed} such reads)`] : []),
      ],
      interleaving: compareInterleaving(reference, simulated, opts),
      stalls: w.stalls,
    };
  });
}

/** Place a SIPp-like UAC call (caller id `sipp` from 127.0.0.1) and remember its UUID. */
export function sippCall(ctx: ReplayContext, to: string, opts: { sipHeaders?: Record<string, string>; hangupAfterMs?: number } = {}): string {
  const uuid = ctx.fsim.sw.placeCall({ from: 'sipp', to, ...opts });
  ctx.calls.push(uuid);
  return uuid;
}

/** Replay a scenario and assert no difference in form, printing the differences on failure. */
export async function checkScenario(t: Test, sc: Scenario): Promise<ConnectionResult[]> {
  const results = await replay(sc);
  for (const r of results) {
    if (r.stalls.length) t.comment(`${r.capture} stalls:\n  ${r.stalls.join('\n  ')}`);
    if (r.interleaving.length) t.comment(`${r.capture} interleaving (informative):\n  ${r.interleaving.join('\n  ')}`);
    t.same(r.diffs, [], `${r.capture}: same form as FreeSWITCH (${r.diffs.length} differences)`);
  }
  return results;
}
