// Server-side transfers a call center does over ESL, as FreeSWITCH 1.10 handles them: re-bridging
// a leg that is already in a uuid_bridge, uuid_transfer of a bridged leg, uuid_hold on a
// uuid_bridge'd agent, and an attended transfer (consult, complete, cancel). The leg that is taken
// (by the newer bridge or the transfer) goes on; the leg left behind hangs up (NORMAL_CLEARING)
// unless its own park_after_bridge is true, in which case it parks.
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import t from 'tap';
import { Switch } from '../src/core/switch.ts';
import { VirtualClock } from '../src/core/clock.ts';
import { loadDialplan } from '../src/dialplan/index.ts';
import type { FsEvent } from '../src/types.ts';
import { hv } from './helpers/switch-run.ts';

const DIALPLAN = path.join(path.dirname(fileURLToPath(import.meta.url)), 'fixtures/dialplan/transfer.xml');

interface World {
  sw: Switch;
  clock: VirtualClock;
  events: FsEvent[];
  /** Hangup cause per leg, as the endpoint feed reports it. */
  causes: Map<string, string>;
  /** Run virtual time (20 ms steps) until `pred` holds. */
  until(pred: () => boolean, maxMs?: number): Promise<boolean>;
  /** An api command whose answer may wait for simulated time (originate). */
  api(cmd: string, args: string): Promise<string>;
  /** A caller dialling 12345: answered, then transferred to hotline_wait (music). */
  caller(): Promise<string>;
  /** An agent leg: originate {origination_uuid}user/<id> &park(), parked. */
  agent(id: string, uuid: string): Promise<string>;
  /** A caller uuid_bridge'd to agent 1001's leg A, as the ACD connects them. */
  callerWithAgent(): Promise<string>;
  is(name: string, uuid: string, pred?: (e: FsEvent) => boolean): boolean;
  count(name: string, uuid: string): number;
  bridged(a: string, b: string): boolean;
  live(uuid: string): boolean;
  close(): void;
}

function mkWorld(): World {
  const clock = new VirtualClock();
  const dp = loadDialplan({ files: [DIALPLAN] });
  const sw = new Switch({ clock, router: (i) => dp.hunt(i), expand: (s, v) => dp.expand(s, v), config: { heartbeatSec: 0 } });
  const events: FsEvent[] = [];
  const causes = new Map<string, string>();
  sw.onEvent((e) => events.push(e));
  sw.onEndpointEvent((e) => { if (e.type === 'hangup') causes.set(e.uuid, e.cause); });
  for (const id of ['1001', '1002', '1003']) sw.registerUser(id, { answerAfterMs: 200 });
  const until = async (pred: () => boolean, maxMs = 120_000): Promise<boolean> => {
    for (let ms = 0; ms < maxMs && !pred(); ms += 20) await clock.sleep(20);
    return pred();
  };
  const is = (name: string, uuid: string, pred: (e: FsEvent) => boolean = () => true): boolean =>
    events.some((e) => e.name === name && e.uuid === uuid && pred(e));
  const w: World = {
    sw, clock, events, causes, until, is,
    async api(cmd, args) {
      let out: string | undefined;
      void sw.api(cmd, args).then((r) => (out = r));
      await until(() => out !== undefined);
      return out ?? '';
    },
    async caller() {
      const u = sw.placeCall({ from: '5550001', to: '12345' });
      await until(() => is('PLAYBACK_START', u));
      return u;
    },
    async agent(id, uuid) {
      const r = await w.api('originate', `{origination_uuid=${uuid}}user/${id} &park()`);
      if (r !== `+OK ${uuid}\n`) throw new Error(`originate ${id}: ${r}`);
      await until(() => is('CHANNEL_PARK', uuid));
      return uuid;
    },
    async callerWithAgent() {
      const c = await w.caller();
      await w.agent('1001', A);
      await w.api('uuid_bridge', `${c} ${A}`);
      await until(() => w.bridged(c, A));
      return c;
    },
    count: (name, uuid) => events.filter((e) => e.name === name && e.uuid === uuid).length,
    bridged: (a, b) => sw.channels.get(a)?.bridgedTo === b && sw.channels.get(b)?.bridgedTo === a,
    live: (uuid) => sw.channelExists(uuid) && !sw.channels.get(uuid)?.isHungUp,
    close: () => sw.close(),
  };
  return w;
}

const A = 'aaaaaaaa-0000-4000-8000-00000000000a';
const B = 'bbbbbbbb-0000-4000-8000-00000000000b';
const X = 'cccccccc-0000-4000-8000-00000000000c';
const bridgeOf = (a: string, b: string) => (e: FsEvent): boolean => hv(e, 'Bridge-A-Unique-ID') === a && hv(e, 'Bridge-B-Unique-ID') === b;

t.test('uuid_bridge C B while C is uuid_bridged to A: C goes to B, A hangs up', async (t) => {
  const w = mkWorld();
  const c = await w.caller();
  await w.agent('1001', A);
  t.equal(await w.api('uuid_bridge', `${c} ${A}`), `+OK ${A}\n`);
  t.ok(await w.until(() => w.bridged(c, A)), 'C and A bridged');
  await w.agent('1002', B);
  t.equal(await w.api('uuid_bridge', `${c} ${B}`), `+OK ${B}\n`);
  t.ok(await w.until(() => w.bridged(c, B)), 'C and B bridged');
  t.ok(w.is('CHANNEL_BRIDGE', c, bridgeOf(c, B)), 'CHANNEL_BRIDGE for C/B');
  t.ok(w.is('CHANNEL_UNBRIDGE', c, bridgeOf(c, A)), 'the old bridge reported its end');
  t.ok(await w.until(() => !w.sw.channelExists(A)), 'A, left behind, is gone');
  t.equal(w.causes.get(A), 'NORMAL_CLEARING');
  t.ok(w.live(c), 'C is up');
  t.ok(w.live(B), 'B is up');
  t.notOk(w.is('CHANNEL_HANGUP', c), 'C never hung up');
  await w.clock.sleep(5000);
  t.ok(w.bridged(c, B), 'still bridged later');
  await w.api('uuid_kill', c);
  t.ok(await w.until(() => w.sw.liveCount() === 0), 'the killed caller takes B with it');
  t.equal(w.causes.get(B), 'NORMAL_CLEARING');
  w.close();
});

t.test('re-bridge with park_after_bridge on the left-behind agent: A parks and can be bridged again', async (t) => {
  const w = mkWorld();
  const c = await w.callerWithAgent();
  t.equal(await w.api('uuid_setvar', `${A} park_after_bridge true`), '+OK\n');
  await w.agent('1002', B);
  const parks = w.count('CHANNEL_PARK', A);
  await w.api('uuid_bridge', `${c} ${B}`);
  t.ok(await w.until(() => w.bridged(c, B)), 'C and B bridged');
  t.ok(await w.until(() => w.count('CHANNEL_PARK', A) > parks), 'A parks (CHANNEL_PARK)');
  t.ok(w.is('CHANNEL_STATE', A, (e) => hv(e, 'Channel-State') === 'CS_PARK'), 'A went to CS_PARK');
  t.ok(w.live(A), 'A is up');
  await w.agent('1003', X);
  await w.api('uuid_bridge', `${X} ${A}`);
  t.ok(await w.until(() => w.bridged(X, A)), 'the parked A is bridged again');
  t.ok(w.live(c) && w.live(B), 'C and B untouched');
  w.sw.hangupCall(c);
  await w.until(() => !w.sw.channelExists(B));
  t.ok(w.bridged(X, A), 'X-A unaffected by the end of C-B');
  const parks2 = w.count('CHANNEL_PARK', A);
  await w.api('uuid_kill', X);
  t.ok(await w.until(() => w.count('CHANNEL_PARK', A) > parks2), 'park_after_bridge stays: A parks when X hangs up');
  t.ok(w.live(A));
  await w.api('uuid_kill', A);
  t.ok(await w.until(() => w.sw.liveCount() === 0), 'all gone');
  w.close();
});

t.test('uuid_bridge X B where B is the originatee of another bridge: C, left behind, hangs up', async (t) => {
  const w = mkWorld();
  const c = await w.caller();
  await w.agent('1001', B);
  await w.api('uuid_bridge', `${c} ${B}`);
  await w.until(() => w.bridged(c, B));
  await w.agent('1002', X);
  await w.api('uuid_bridge', `${X} ${B}`);
  t.ok(await w.until(() => w.bridged(X, B)), 'X and B bridged');
  t.ok(await w.until(() => !w.sw.channelExists(c)), 'C is gone');
  t.equal(w.causes.get(c), 'NORMAL_CLEARING');
  t.notOk(w.is('CHANNEL_HANGUP', B), 'B never hung up');
  t.notOk(w.is('CHANNEL_HANGUP', X), 'X never hung up');
  await w.api('uuid_kill', B);
  t.ok(await w.until(() => w.sw.liveCount() === 0));
  w.close();
});

t.test('uuid_transfer of a uuid_bridged caller: C runs the new extension, A hangs up', async (t) => {
  const w = mkWorld();
  const c = await w.callerWithAgent();
  const plays = w.count('PLAYBACK_START', c);
  t.equal(await w.api('uuid_transfer', `${c} hotline_hold XML hotline_queue`), '+OK\n');
  t.ok(await w.until(() => w.count('PLAYBACK_START', c) > plays), 'C plays the hold music of hotline_hold');
  const names = w.events.filter((e) => e.uuid === c).map((e) => e.name);
  const unbridge = names.lastIndexOf('CHANNEL_UNBRIDGE');
  t.ok(unbridge >= 0 && unbridge < names.lastIndexOf('CHANNEL_EXECUTE'), 'CHANNEL_UNBRIDGE before the new extension runs');
  t.equal(await w.api('uuid_getvar', `${c} held_by_transfer`), 'true', 'hotline_hold ran');
  t.equal(await w.api('uuid_getvar', `${c} destination_number`), 'hotline_hold');
  t.ok(await w.until(() => !w.sw.channelExists(A)), 'A is gone');
  t.equal(w.causes.get(A), 'NORMAL_CLEARING');
  await w.clock.sleep(5000);
  t.ok(w.live(c), 'C is up, on hold music');
  t.notOk(w.is('CHANNEL_HANGUP', c));
  await w.api('uuid_kill', c);
  t.ok(await w.until(() => w.sw.liveCount() === 0));
  w.close();
});

t.test('uuid_transfer of the originatee: A runs the extension, C (left behind) hangs up', async (t) => {
  const w = mkWorld();
  const c = await w.callerWithAgent();
  await w.api('uuid_transfer', `${A} hotline_hold XML hotline_queue`);
  t.ok(await w.until(() => w.is('PLAYBACK_START', A)), 'A plays hotline_hold music');
  t.ok(await w.until(() => !w.sw.channelExists(c)), 'C is gone');
  t.ok(w.live(A), 'A is up');
  await w.api('uuid_kill', A);
  t.ok(await w.until(() => w.sw.liveCount() === 0));
  w.close();
});

t.test('uuid_hold on a uuid_bridged agent: music to the caller, uuid_hold off stops it', async (t) => {
  const w = mkWorld();
  const c = await w.callerWithAgent();
  const plays = w.count('PLAYBACK_START', c);
  t.equal(await w.api('uuid_hold', A), '+OK Success\n');
  t.ok(await w.until(() => w.count('PLAYBACK_START', c) > plays), 'music on hold to the caller');
  t.ok(w.is('CHANNEL_HOLD', A));
  await w.clock.sleep(3000);
  t.equal(await w.api('uuid_hold', `off ${A}`), '+OK Success\n');
  t.ok(w.is('CHANNEL_UNHOLD', A));
  const stop = w.events.filter((e) => e.name === 'PLAYBACK_STOP' && e.uuid === c).pop();
  t.equal(hv(stop, 'Playback-Status'), 'break', 'the music stopped');
  t.ok(w.bridged(c, A), 'still bridged');
  // Held again, then the agent hangs up while the music plays: the caller goes too, and both end.
  await w.api('uuid_hold', A);
  await w.until(() => w.count('PLAYBACK_START', c) > plays + 1);
  w.sw.hangupCall(A);
  t.ok(await w.until(() => w.sw.liveCount() === 0), 'both legs destroyed');
  w.close();
});

t.test('uuid_transfer of a caller the agent holds: the hold music stops, the new extension runs', async (t) => {
  const w = mkWorld();
  const c = await w.callerWithAgent();
  await w.api('uuid_hold', A);
  await w.until(() => w.is('CHANNEL_EXECUTE', c, (e) => hv(e, 'Application') === 'playback'));
  await w.clock.sleep(2000);
  await w.api('uuid_transfer', `${c} hotline_hold XML hotline_queue`);
  t.ok(await w.until(() => w.is('CHANNEL_EXECUTE', c, (e) => hv(e, 'Application') === 'endless_playback' && hv(e, 'Caller-Destination-Number') === 'hotline_hold')), 'hotline_hold runs');
  await w.clock.sleep(5000);
  const broadcasts = w.events.filter((e) => e.name === 'CHANNEL_EXECUTE' && e.uuid === c && hv(e, 'Application') === 'playback').length;
  t.equal(broadcasts, 1, 'the hold broadcast did not loop on the transferred caller');
  t.ok(w.live(c), 'C is up');
  t.ok(await w.until(() => !w.sw.channelExists(A)), 'A, left behind, hangs up');
  await w.api('uuid_kill', c);
  t.ok(await w.until(() => w.sw.liveCount() === 0));
  w.close();
});

t.test('attended transfer: consult B, complete (C-B), then a cancelled one (C back to A)', async (t) => {
  const w = mkWorld();
  const c = await w.callerWithAgent();
  // Consult: the agent's leg outlives its bridge; the caller waits with music.
  await w.api('uuid_setvar', `${A} park_after_bridge true`);
  await w.api('uuid_transfer', `${c} hotline_hold XML hotline_queue`);
  t.ok(await w.until(() => w.is('PLAYBACK_START', c, (e) => hv(e, 'Caller-Destination-Number') === 'hotline_hold')), 'C on hold music');
  t.ok(await w.until(() => w.count('CHANNEL_PARK', A) === 2), 'A parks');
  await w.agent('1002', B);
  await w.api('uuid_bridge', `${A} ${B}`);
  t.ok(await w.until(() => w.bridged(A, B)), 'A talks to B');
  // Complete: the caller joins B; A, left behind, parks (park_after_bridge); then the agent hangs up.
  await w.api('uuid_bridge', `${c} ${B}`);
  t.ok(await w.until(() => w.bridged(c, B)), 'C talks to B');
  t.ok(await w.until(() => w.count('CHANNEL_PARK', A) === 3), 'A parked again');
  await w.api('uuid_kill', A);
  await w.until(() => !w.sw.channelExists(A));
  await w.clock.sleep(2000);
  t.ok(w.live(c) && w.live(B) && w.bridged(c, B), 'C and B still talking');
  t.same([...w.causes.keys()], [A], 'nobody but A hung up');
  await w.api('uuid_kill', c);
  t.ok(await w.until(() => w.sw.liveCount() === 0));
  w.close();
});

t.test('attended transfer cancelled: B hangs up, A parks, C comes back to A', async (t) => {
  const w = mkWorld();
  const c = await w.callerWithAgent();
  await w.api('uuid_setvar', `${A} park_after_bridge true`);
  await w.api('uuid_transfer', `${c} hotline_hold XML hotline_queue`);
  await w.until(() => w.count('CHANNEL_PARK', A) === 2);
  await w.agent('1002', B);
  await w.api('uuid_bridge', `${A} ${B}`);
  await w.until(() => w.bridged(A, B));
  await w.api('uuid_kill', B);
  t.ok(await w.until(() => !w.sw.channelExists(B)), 'B is gone');
  t.ok(await w.until(() => w.count('CHANNEL_PARK', A) === 3), 'A, the originator, parks (its own park_after_bridge)');
  t.ok(w.live(A) && w.live(c), 'A and C up');
  await w.api('uuid_bridge', `${c} ${A}`);
  t.ok(await w.until(() => w.bridged(c, A)), 'C back with A');
  await w.clock.sleep(2000);
  t.same([...w.causes.keys()], [B], 'only B hung up');
  // park_after_bridge stays on A: when the caller hangs up now, A parks rather than hanging up.
  w.sw.hangupCall(c);
  t.ok(await w.until(() => !w.sw.channelExists(c) && w.count('CHANNEL_PARK', A) === 4), 'A parks after the caller left');
  await w.api('uuid_kill', A);
  t.ok(await w.until(() => w.sw.liveCount() === 0));
  w.close();
});

t.test('bridge application: uuid_transfer of the caller out of it; the agent hangs up, or parks with its own park_after_bridge', async (t) => {
  for (const parkAgent of [false, true]) {
    const w = mkWorld();
    const c = w.sw.placeCall({ from: '5550001', to: '1001' });
    await w.until(() => w.is('CHANNEL_BRIDGE', c));
    const agent = w.sw.channels.get(c)?.bridgedTo ?? '';
    if (parkAgent) await w.api('uuid_setvar', `${agent} park_after_bridge true`);
    await w.api('uuid_transfer', `${c} hotline_hold XML hotline_queue`);
    t.ok(await w.until(() => w.is('PLAYBACK_START', c)), 'the caller runs hotline_hold');
    t.notOk(w.is('CHANNEL_HANGUP', c), 'hangup_after_bridge does not hang up a transferred caller');
    if (parkAgent) {
      t.ok(await w.until(() => w.is('CHANNEL_PARK', agent)), 'the agent parks');
      t.ok(w.live(agent));
      await w.api('uuid_bridge', `${c} ${agent}`);
      t.ok(await w.until(() => w.bridged(c, agent)), 'and can be bridged to the caller again');
    } else {
      t.ok(await w.until(() => !w.sw.channelExists(agent)), 'the agent hangs up');
      t.equal(w.causes.get(agent), 'NORMAL_CLEARING');
    }
    await w.api('uuid_kill', c);
    // A parked agent with park_after_bridge outlives the caller once more.
    if (parkAgent) await w.until(() => !w.sw.channelExists(c)).then(() => w.api('uuid_kill', agent));
    t.ok(await w.until(() => w.sw.liveCount() === 0), 'all gone');
    w.close();
  }
});

t.test('consultation: the agent hangs up; the target survives only with its own park_after_bridge', async (t) => {
  for (const parkTarget of [false, true]) {
    const w = mkWorld();
    const c = await w.caller();
    await w.agent('1001', A);
    await w.api('uuid_bridge', `${c} ${A}`);
    await w.until(() => w.bridged(c, A));
    await w.api('uuid_setvar', `${A} park_after_bridge true`);
    await w.api('uuid_transfer', `${c} hotline_hold XML hotline_queue`);
    await w.until(() => w.count('CHANNEL_PARK', A) === 2);
    // As FreeSWITCH (capture 08), the originatee of a uuid_bridge goes down with its originator
    // unless it says otherwise: the target leg of a consultation needs park_after_bridge too.
    const r = await w.api('originate', `{origination_uuid=${B}${parkTarget ? ',park_after_bridge=true' : ''}}user/1002 &park()`);
    t.equal(r, `+OK ${B}\n`);
    await w.until(() => w.is('CHANNEL_PARK', B));
    await w.api('uuid_bridge', `${A} ${B}`);
    await w.until(() => w.bridged(A, B));
    await w.api('uuid_kill', A);
    await w.until(() => !w.sw.channelExists(A));
    if (parkTarget) {
      t.ok(await w.until(() => w.count('CHANNEL_PARK', B) === 2), 'B parks');
      await w.api('uuid_bridge', `${c} ${B}`);
      t.ok(await w.until(() => w.bridged(c, B)), 'the transfer completes: C talks to B');
    } else {
      t.ok(await w.until(() => !w.sw.channelExists(B)), 'B goes down with A');
      t.equal(w.causes.get(B), 'NORMAL_CLEARING');
    }
    t.ok(w.live(c), 'C, on hold music, is untouched');
    await w.api('uuid_kill', c);
    if (parkTarget) await w.until(() => w.count('CHANNEL_PARK', B) === 3).then(() => w.api('uuid_kill', B));
    t.ok(await w.until(() => w.sw.liveCount() === 0), 'all gone');
    w.close();
  }
});
