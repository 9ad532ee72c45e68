// Two real FreeSWITCH instances as one site (README "More than one switch"): each its own -base and
// ports, node names fs1 and fs2, joined by the project's inter-switch trunk (profile hotline_peer,
// gateway gw_peer, both on loopback: the peer's address is 127.0.0.1 too). Two service instances on
// one Redis, each the outbound-socket target of its own switch and connected to both by inbound
// ESL; agent phones (SIPp) register on either switch, callers (SIPp) arrive on either.
// Used by server/test/switch/switch-two-switches.test.ts and the two-switches bench.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Redis } from 'ioredis';
import { withRedis } from '../../../../scripts/lib/test-redis.ts';
import { loadConfig, type Config } from '../../../src/config.ts';
import { createLogger } from '../../../src/log.ts';
import { createService, type Service } from '../../../src/service.ts';
import { EventTap } from './event-tap.ts';
import { ADDR, AGENT_PASSWORD, DOMAIN, ESL_PASSWORD, startFreeswitch, type RealSwitch } from './freeswitch.ts';
import { runSipp, type SippRun } from './sipp.ts';
import { callerXml, phoneXml, registerXml } from './sipp-scenarios.ts';
import { AGENT_IDS, sitePorts } from './world-real.ts';
import { until, type Teardown } from './world.ts';

export const SWITCHES = ['fs1', 'fs2'] as const;
export type SwitchName = (typeof SWITCHES)[number];

export interface SwitchSide {
  readonly name: SwitchName;
  readonly fs: RealSwitch;
  readonly tap: EventTap;
  readonly service: Service;
  readonly calls: NonNullable<Service['calls']>;
  readonly config: Config;
}

export interface Caller {
  /** The caller leg's UUID on its switch (numbers are unique per run). */
  uuid: () => Promise<string>;
  done: Promise<void>;
}

/** The two switches and what runs around them, without the service instances. */
export interface SwitchPair {
  readonly fs: Readonly<Record<SwitchName, RealSwitch>>;
  readonly taps: Readonly<Record<SwitchName, EventTap>>;
  readonly redisUrl: string;
  /** Every SIPp process started (killed at teardown). */
  readonly procs: SippRun[];
  /** HOTLINE_* settings of the service instance of switch `n` (connected to both, new calls of `n`). */
  serviceEnv(n: SwitchName): Record<string, string>;
  /** A SIPp phone for extension `id`, registered on `on`. */
  addPhone(id: string, on: SwitchName, phone: { answerAfterMs: number; hangupAfterMs: number }): Promise<void>;
  /**
   * One SIPp process answering for all of `ids`, each registered on `on` with its contact (the
   * benchmark's phones: a SIPp process per phone costs 3-6% of a core even idle, so 60 of them
   * took this 2-core machine on their own).
   */
  addPhones(ids: readonly string[], on: SwitchName, phone: { answerAfterMs: number; hangupAfterMs: number }): Promise<void>;
  /** One carrier caller to 12345 on `on`. */
  call(from: string, on: SwitchName, opts?: { hangupAfterMs?: number }): Caller;
  /** `calls` carrier callers to 12345 on `on`, `rate` a second, from 139<digit><n> (one SIPp run). */
  callers(on: SwitchName, o: { rate: number; calls: number; digit: number; hangupAfterMs: number }): Promise<SippRun>;
}

export interface TwoSwitches {
  readonly sides: Readonly<Record<SwitchName, SwitchSide>>;
  readonly redis: Redis;
  readonly keyPrefix: string;
  /** A SIPp phone for agent `id` registered on `on`; the agent is created (once) and logged in, not ready. */
  addAgent(id: string, on: SwitchName, phone: { answerAfterMs: number; hangupAfterMs: number }, skills?: Record<string, number>): Promise<void>;
  /** A carrier caller to 12345 on `on`; resolves its caller leg's UUID on that switch. */
  call(from: string, on: SwitchName, opts?: { hangupAfterMs?: number }): Caller;
}

export async function startSwitchPair(t: Teardown): Promise<SwitchPair> {
  const redisServer = await withRedis(t);
  const ports = { fs1: await sitePorts(), fs2: await sitePorts() };
  // sitePorts draws each RTP range at random: keep the two apart.
  if (Math.abs(ports.fs1.rtpStart - ports.fs2.rtpStart) < 400) {
    ports.fs2.rtpStart = ports.fs1.rtpStart >= 20_400 ? ports.fs1.rtpStart - 400 : ports.fs1.rtpStart + 400;
    ports.fs2.rtpEnd = ports.fs2.rtpStart + 398;
  }
  const other = (n: SwitchName): SwitchName => (n === 'fs1' ? 'fs2' : 'fs1');
  // What a site sets in each switch's vars.xml: its node name and the trunk to the other one.
  const vars = (n: SwitchName): Record<string, string> => ({
    hotline_node_name: n,
    peer_switch_host: ADDR.switch,
    peer_switch_port: String(ports[other(n)].peer),
    peer_switch_cidr: `${ADDR.switch}/32`,
  });
  const [fs1, fs2] = await Promise.all(SWITCHES.map((n) => startFreeswitch({ ports: ports[n], agents: AGENT_IDS, vars: vars(n) })));
  const fs = { fs1: fs1!, fs2: fs2! };
  t.teardown(() => Promise.all(Object.values(fs).map((f) => f.kill())));
  const taps = { fs1: new EventTap({ port: ports.fs1.esl, password: ESL_PASSWORD }), fs2: new EventTap({ port: ports.fs2.esl, password: ESL_PASSWORD }) };
  for (const tap of Object.values(taps)) {
    await tap.start();
    t.teardown(async () => {
      await tap.api('hupall MANAGER_REQUEST').catch(() => undefined);
      tap.stop();
    });
  }
  const procs: SippRun[] = [];
  t.teardown(() => procs.forEach((p) => p.kill()));
  const recordings = await mkdtemp(path.join(tmpdir(), 'two-switches-rec-'));
  t.teardown(() => rm(recordings, { recursive: true, force: true }));
  // Each service instance is connected to both switches (it routes callers of either) and gets the
  // new calls of its own switch on its outbound-socket port.
  const nodes = SWITCHES.map((n) => ({ name: n, host: '127.0.0.1', port: ports[n].esl, password: ESL_PASSWORD, peerGateway: 'gw_peer' }));
  const addPhones: SwitchPair['addPhones'] = async (ids, on, phone) => {
    const uas = await runSipp({ name: `phones-${on}-${ids[0] ?? ''}`, xml: phoneXml(phone), ip: ADDR.agents });
    procs.push(uas);
    for (const id of ids) {
      const reg = await runSipp({
        name: `reg${id}`,
        xml: registerXml({ user: id, password: AGENT_PASSWORD, domain: DOMAIN, contactHost: ADDR.agents, contactPort: uas.sipPort }),
        remote: `127.0.0.1:${ports[on].internalSip}`,
        ip: ADDR.agents,
        calls: 1,
      });
      if ((await reg.exited) !== 0) throw new Error(`phone ${id} did not register on ${on}: ${await reg.messages()}`);
    }
  };
  return {
    fs,
    taps,
    redisUrl: redisServer.url,
    procs,
    serviceEnv: (n) => ({
      HOTLINE_REDIS_URL: redisServer.url,
      HOTLINE_FS_NODES: JSON.stringify(nodes),
      HOTLINE_FS_OUTBOUND_PORT: String(ports[n].outbound),
      HOTLINE_RECORDING_DIR: path.join(recordings, n),
    }),
    addPhone: (id, on, phone) => addPhones([id], on, phone),
    addPhones,
    call(from, on, o = {}) {
      const run = runSipp({
        name: `call${from}`,
        xml: callerXml({ from, to: '12345', audio: true, ...(o.hangupAfterMs !== undefined ? { hangupAfterMs: o.hangupAfterMs } : {}) }),
        remote: `127.0.0.1:${ports[on].externalSip}`,
        ip: ADDR.carrier,
        calls: 1,
      });
      void run.then((r) => procs.push(r), () => undefined);
      return {
        uuid: () => until(`caller leg of ${from} on ${on}`, () => taps[on].callerLeg(from), 20_000),
        done: run.then((r) => r.exited).then(() => undefined),
      };
    },
    async callers(on, o) {
      const run = await runSipp({
        name: `callers-${on}`,
        xml: callerXml({ from: `139${o.digit}[call_number]`, to: '12345', audio: false, hangupAfterMs: o.hangupAfterMs }),
        remote: `127.0.0.1:${ports[on].externalSip}`,
        ip: ADDR.carrier,
        load: { rate: o.rate, calls: o.calls },
      });
      procs.push(run);
      return run;
    },
  };
}

export async function startTwoSwitches(t: Teardown, opts: { env?: Record<string, string> } = {}): Promise<TwoSwitches> {
  const pair = await startSwitchPair(t);
  const sides = {} as Record<SwitchName, SwitchSide>;
  for (const n of SWITCHES) {
    const config = loadConfig({
      env: { HOTLINE_HTTP_PORT: '0', HOTLINE_LOG_LEVEL: process.env.HOTLINE_TEST_LOG_LEVEL ?? 'silent', ...pair.serviceEnv(n), ...opts.env },
    });
    const service = await createService(config, createLogger(config.log));
    await service.start();
    t.teardown(() => service.stop());
    sides[n] = { name: n, fs: pair.fs[n], tap: pair.taps[n], service, calls: service.calls!, config };
  }
  for (const n of SWITCHES) await until(`service ${n} connected to both switches`, () => sides[n].calls.nodeStatus().every((s) => s.connected), 20_000);
  const redis = new Redis(pair.redisUrl);
  t.teardown(() => redis.quit());
  const acd = sides.fs1.calls.acd;
  return {
    sides,
    redis,
    keyPrefix: sides.fs1.config.redis.keyPrefix,
    async addAgent(id, on, phone, skills = { general: 5 }) {
      await pair.addPhone(id, on, phone);
      await acd.agents.create({ id, name: `Agent ${id}`, phone: `user/${id}`, skills });
      await acd.agents.apply(id, { type: 'login' }, 'test');
      await acd.agents.apply(id, { type: 'notReady', reason: 'training' }, 'test');
    },
    call: (from, on, o) => pair.call(from, on, o),
  };
}

/** Make an agent ready through the ACD (as the REST API does) and tell the router. */
export async function ready(w: TwoSwitches, id: string, via: SwitchName = 'fs1'): Promise<void> {
  const calls = w.sides[via].calls;
  await calls.acd.agents.apply(id, { type: 'ready' }, 'test');
  calls.acd.agentBecameReady(id);
}

/** Agent legs of a call on its switch, with the agent each rang and whether it answered. */
export function agentLegs(side: { readonly tap: EventTap }, callId: string): { uuid: string; agentId: string; viaPeer: boolean; createdUs: number; answeredUs?: number; endedUs?: number }[] {
  return side.tap.legsOf(callId, 'agent').map((c) => {
    const answer = side.tap.of(c.uuid, 'CHANNEL_ANSWER')[0];
    const end = side.tap.of(c.uuid, 'CHANNEL_HANGUP')[0] ?? side.tap.of(c.uuid, 'CHANNEL_HANGUP_COMPLETE')[0];
    return {
      uuid: c.uuid,
      agentId: c.get('variable_hotline_agent_id') ?? '',
      viaPeer: (c.get('Channel-Name') ?? '').includes('gw_peer') || (c.get('Channel-Name') ?? '').startsWith('sofia/hotline_peer/'),
      createdUs: c.tsUs,
      ...(answer ? { answeredUs: answer.tsUs } : {}),
      ...(end ? { endedUs: end.tsUs } : {}),
    };
  });
}
