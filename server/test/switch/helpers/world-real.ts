// The real backend: one FreeSWITCH per test file on fixed ports, SIPp for every endpoint. Callers
// come from the carrier's address (127.0.0.2) or the 110 gateway's (127.0.0.3); the gateways' far
// ends listen on those addresses and the departments' (127.0.0.4) at the ports vars.xml names;
// desk phones register to the internal profile with digest authentication.
import { steadyPort } from '../../../../scripts/lib/free-port.ts';
import { withRedis } from '../../../../scripts/lib/test-redis.ts';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { EventTap } from './event-tap.ts';
import { alawToneWav, recordedHearing } from './tones.ts';
import { ADDR, AGENT_PASSWORD, DOMAIN, startFreeswitch, type RealSwitch, type SitePorts } from './freeswitch.ts';
import { runSipp, type SippRun } from './sipp.ts';
import { callerXml, phoneXml, registerXml, type PhoneScenario } from './sipp-scenarios.ts';
import { settingsEnv, withService } from './world-service.ts';
import { until, type BareWorld, type PhoneBehaviour, type Site, type Teardown, type WorldOptions } from './world.ts';

/** Directory users provisioned for agents: scenarios take ids from this range. */
export const AGENT_IDS = Array.from({ length: 100 }, (_, i) => String(1000 + i));

export async function sitePorts(): Promise<SitePorts> {
  // Below the ephemeral range: the outbound port and the SIPp ends are bound again per scenario.
  const p = (): Promise<number> => steadyPort();
  // RTP: a 400-port range of its own per instance (two test files may run at once).
  const rtpStart = 20_000 + 400 * Math.floor(Math.random() * 30);
  return {
    esl: await p(), outbound: await p(), internalSip: await p(), externalSip: await p(), ws: await p(), wss: await p(),
    rtpStart, rtpEnd: rtpStart + 398, carrier: await p(), gw110: await p(), dept: await p(), peer: await p(),
  };
}

const scenarioOf = (b: PhoneBehaviour = {}, toneFile?: string): PhoneScenario => ({
  ...(toneFile ? { toneFile } : {}),
  ...(b.answerAfterMs !== undefined ? { answerAfterMs: b.answerAfterMs } : {}),
  ...(b.hangupAfterMs !== undefined ? { hangupAfterMs: b.hangupAfterMs } : {}),
  ...(b.neverAnswer ? { neverAnswer: true } : {}),
  ...(b.busy ? { rejectStatus: 486 } : {}),
  ...(b.streamAudio ? { streamAudio: true } : {}),
});

export async function realSite(t: Teardown): Promise<Site & { fs: RealSwitch }> {
  const ports = await sitePorts();
  const fs = await startFreeswitch({ ports, agents: AGENT_IDS });
  t.teardown(() => fs.kill());

  async function bare(t: Teardown, opts: WorldOptions = {}): Promise<BareWorld> {
    const redis = await withRedis(t);
    const tap = new EventTap({ port: ports.esl, password: fs.eslPassword });
    const procs: SippRun[] = [];
    // The switch outlives the scenario: its calls must not (the next scenario's service would find
    // them in `show channels`).
    t.teardown(async () => {
      await tap.api('hupall MANAGER_REQUEST').catch(() => undefined);
      procs.forEach((p) => p.kill());
      tap.stop();
    });
    await tap.start();
    const media = await mkdtemp(path.join(tmpdir(), 'hotline-media-'));
    t.teardown(() => rm(media, { recursive: true, force: true }));
    const tone = async (hz: number | undefined): Promise<string | undefined> => {
      if (hz === undefined) return undefined;
      const file = path.join(media, `tone-${hz}.wav`);
      await writeFile(file, alawToneWav(2000, hz));
      return file;
    };
    const gw = opts.gateways ?? {};
    const gateways: Record<string, SippRun> = {};
    for (const [name, ip, port, b] of [
      ['carrier', ADDR.carrier, ports.carrier, gw.carrier],
      ['gw110', ADDR.gw110, ports.gw110, gw.gw110],
      ['dept', ADDR.dept, ports.dept, gw.dept],
    ] as const) {
      const run = await runSipp({ name, xml: phoneXml(scenarioOf(b)), ip, sipPort: port });
      gateways[name] = run;
      procs.push(run);
    }
    const env: Record<string, string> = {
      HOTLINE_HTTP_PORT: '0',
      HOTLINE_LOG_LEVEL: process.env.HOTLINE_TEST_LOG_LEVEL ?? 'silent',
      HOTLINE_REDIS_URL: redis.url,
      HOTLINE_FS_NODES: JSON.stringify([{ name: 'fs1', host: '127.0.0.1', port: ports.esl, password: fs.eslPassword }]),
      HOTLINE_FS_OUTBOUND_PORT: String(ports.outbound),
      // Recordings under the instance's own folder (deleted with it), never the site default.
      HOTLINE_RECORDING_DIR: path.join(path.dirname(fs.confDir), 'recordings'),
      ...(await settingsEnv(opts)),
      ...opts.env,
    };
    return {
      backend: 'real',
      tap,
      redisUrl: redis.url,
      env,
      hears: (parties, ms) => recordedHearing(tap, media, parties, ms),
      agentWsUrl: `ws://${ADDR.switch}:${ports.ws}`,
      async addPhone(id, phone) {
        const uas = await runSipp({ name: `phone${id}`, xml: phoneXml(scenarioOf(phone, await tone(phone.toneHz))), ip: ADDR.agents });
        procs.push(uas);
        const reg = await runSipp({
          name: `reg${id}`,
          xml: registerXml({ user: id, password: AGENT_PASSWORD, domain: DOMAIN, contactHost: ADDR.agents, contactPort: uas.sipPort }),
          remote: `127.0.0.1:${ports.internalSip}`,
          ip: ADDR.agents,
          calls: 1,
        });
        if ((await reg.exited) !== 0) throw new Error(`phone ${id} did not register: ${await reg.messages()}`);
      },
      async invitesAt(gateway) {
        return (await gateways[gateway]?.invites()) ?? [];
      },
      async call(spec) {
        const run = await runSipp({
          name: `call${spec.from}`,
          xml: callerXml({
            from: spec.from, to: spec.to, audio: spec.audio ?? true, ...(spec.streamAudio ? { streamAudio: true } : {}),
            ...(spec.toneHz !== undefined ? { toneFile: (await tone(spec.toneHz))! } : {}),
            ...(spec.sipHeaders ? { headers: spec.sipHeaders } : {}),
            ...(spec.dtmf ? { dtmf: spec.dtmf } : {}),
            ...(spec.hangupAfterMs !== undefined ? { hangupAfterMs: spec.hangupAfterMs } : {}),
          }),
          remote: `127.0.0.1:${ports.externalSip}`,
          ip: spec.via === 'gw110' ? ADDR.gw110 : ADDR.carrier,
          calls: 1,
        });
        procs.push(run);
        return {
          from: spec.from,
          uuid: () =>
            until(`caller leg of ${spec.from}`, () => tap.callerLeg(spec.from)).catch(async (err: Error) => {
              // Say what SIPp saw, so a lost call is told apart from a slow switch.
              const code = run.child.exitCode;
              throw new Error(`${err.message} (sipp ${code === null ? 'still running' : `exited ${code}`}): ${(await run.messages()).slice(-1500)}`);
            }),
          done: run.exited.then(() => undefined),
          async outcome() {
            await run.exited;
            const final = (await run.responses()).filter((c) => c >= 200);
            return String(final[0] ?? 'none');
          },
        };
      },
    };
  }

  return {
    backend: 'real',
    fs,
    bare,
    async world(t, opts = {}) {
      return withService(t, await bare(t, opts));
    },
  };
}
