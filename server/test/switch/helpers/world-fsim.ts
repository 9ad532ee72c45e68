// The fsim backend of a World: fsim per scenario (it starts in milliseconds) at real time, running
// the same project dialplan/ with the same site values the real switch gets where fsim reads them.
import path from 'node:path';
import { freePort } from '../../../../scripts/lib/free-port.ts';
import { withRedis } from '../../../../scripts/lib/test-redis.ts';
import { startFsim } from '../../../../scripts/fsim/src/fsim.ts';
import type { EndpointBehaviour } from '../../../../scripts/fsim/src/core/config.ts';
import { PROFILES, REPO } from '../../helpers/fsim.ts';
import { EventTap } from './event-tap.ts';
import { ADDR, ESL_PASSWORD } from './freeswitch.ts';
import { AGENT_IDS } from './world-real.ts';
import { settingsEnv, withService } from './world-service.ts';
import type { BareWorld, PhoneBehaviour, Site, Teardown, WorldOptions } from './world.ts';

const behaviourOf = (b: PhoneBehaviour = {}): EndpointBehaviour => ({
  answerAfterMs: b.answerAfterMs ?? 300,
  ...(b.hangupAfterMs !== undefined ? { hangupAfterMs: b.hangupAfterMs } : {}),
  ...(b.neverAnswer ? { neverAnswer: true } : {}),
  ...(b.busy ? { rejectCause: 'USER_BUSY' } : {}),
});

export function fsimSite(): Site {
  async function bare(t: Teardown, opts: WorldOptions = {}): Promise<BareWorld> {
    const redis = await withRedis(t);
    const outbound = await freePort();
    const gw = opts.gateways ?? {};
    const fsim = await startFsim({
      esl: { port: 0, password: ESL_PASSWORD },
      control: false,
      // Callers come from the carrier's or the 110 gateway's address, as on the real switch.
      dialplan: { dir: path.join(REPO, 'dialplan'), vars: { hotline_service_socket: `127.0.0.1:${outbound}`, gw_110_addr_regex: `^${ADDR.gw110.replaceAll('.', '\\.')}$` } },
      timeScale: 1,
      switch: {
        profiles: PROFILES,
        heartbeatSec: 0,
        users: AGENT_IDS,
        defaultFileMs: 300,
        gateways: [
          { name: 'gw_carrier', numbers: { '*': behaviourOf(gw.carrier) } },
          { name: 'gw_110', numbers: { '*': behaviourOf(gw.gw110) } },
          { name: 'gw_dept', numbers: { '*': behaviourOf(gw.dept) } },
        ],
      },
    });
    t.teardown(() => fsim.close());
    // What the gateways' far ends were sent: the switch's INVITEs, with the headers mod_sofia adds.
    const invites: { gateway: string; requestUri: string; headers: Record<string, string> }[] = [];
    fsim.sw.onEndpointEvent((ev) => {
      if (ev.type !== 'ringing' || !ev.channel) return;
      const m = /^sofia\/gateway\/(gw_[a-z0-9]+)\/(.*)$/.exec(ev.channel);
      if (m) invites.push({ gateway: m[1]!, requestUri: `sip:${m[2]}`, headers: { ...ev.headers } });
    });
    const tap = new EventTap({ port: fsim.eslPort, password: ESL_PASSWORD });
    await tap.start();
    t.teardown(() => tap.stop());
    const env: Record<string, string> = {
      HOTLINE_HTTP_PORT: '0',
      HOTLINE_LOG_LEVEL: process.env.HOTLINE_TEST_LOG_LEVEL ?? 'silent',
      HOTLINE_REDIS_URL: redis.url,
      HOTLINE_FS_NODES: JSON.stringify([{ name: 'fs1', host: '127.0.0.1', port: fsim.eslPort, password: ESL_PASSWORD }]),
      HOTLINE_FS_OUTBOUND_PORT: String(outbound),
      ...(await settingsEnv(opts)),
      ...opts.env,
    };
    return {
      backend: 'fsim',
      tap,
      redisUrl: redis.url,
      env,
      async hears(parties, ms) {
        await new Promise((r) => setTimeout(r, ms));
        const names = Object.keys(parties);
        const heard: Record<string, string[]> = {};
        const levels: Record<string, Record<string, number>> = {};
        for (const name of names) {
          const sources = new Set(fsim.sw.audioSources(parties[name]!.uuid));
          heard[name] = names.filter((n) => n !== name && sources.has(parties[n]!.uuid));
          levels[name] = Object.fromEntries(names.filter((n) => n !== name).map((n) => [n, sources.has(parties[n]!.uuid) ? 1 : 0]));
        }
        return { heard, levels };
      },
      async invitesAt(gateway) {
        const name = gateway === 'gw110' ? 'gw_110' : 'gw_dept';
        return invites.filter((i) => i.gateway === name).map(({ requestUri, headers }) => ({ requestUri, headers }));
      },
      async addPhone(id, phone) {
        fsim.sw.registerUser(id, behaviourOf(phone));
      },
      async call(spec) {
        const uuid = fsim.sw.placeCall({
          from: spec.from,
          to: spec.to,
          profile: 'external',
          fromAddr: spec.via === 'gw110' ? ADDR.gw110 : ADDR.carrier,
          ...(spec.sipHeaders ? { sipHeaders: spec.sipHeaders } : {}),
          ...(spec.dtmf ? { dtmf: cumulative(spec.dtmf) } : {}),
          ...(spec.hangupAfterMs !== undefined ? { hangupAfterMs: spec.hangupAfterMs } : {}),
        });
        const done = new Promise<void>((resolve) => {
          const check = setInterval(() => {
            if (tap.of(uuid, 'CHANNEL_HANGUP_COMPLETE').length) {
              clearInterval(check);
              resolve();
            }
          }, 50);
          // A call still up when fsim closes never ends: the poll must not keep the test process alive.
          check.unref();
        });
        return {
          from: spec.from,
          uuid: async () => uuid,
          done,
          async outcome() {
            await done;
            const answered = tap.of(uuid, 'CHANNEL_ANSWER').length > 0;
            return answered ? '200' : (tap.of(uuid, 'CHANNEL_HANGUP_COMPLETE')[0]?.get('Hangup-Cause') ?? 'none');
          },
        };
      },
    };
  }
  return {
    backend: 'fsim',
    bare,
    async world(t, opts = {}) {
      // The outbound port comes from freePort: another process may take it first; try again.
      for (let attempt = 1; ; attempt++) {
        try {
          return await withService(t, await bare(t, opts));
        } catch (err) {
          if (attempt >= 3 || !/EADDRINUSE/.test(String(err))) throw err;
        }
      }
    },
  };
}

/** fsim's DTMF times count from the call's start; the world's from the previous step. */
function cumulative(steps: readonly { afterMs: number; digits: string }[]): { afterMs: number; digits: string }[] {
  let at = 0;
  return steps.map((s) => {
    at += s.afterMs;
    const step = { afterMs: at, digits: s.digits };
    at += 400 * s.digits.length;
    return step;
  });
}
