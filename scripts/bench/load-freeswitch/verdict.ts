// `load-freeswitch`'s failure rule for a side at a step, and the issue's targets (#15): at
// 30 calls/s the service's wait p99 no worse than mod_callcenter's, and the service's own CPU at
// most 15 % of one core.
import type { Options } from './options.ts';
import type { SideName, SideResult } from './side.ts';

export const TARGETS = { atRate: 30, serviceCpuPctOfOneCore: 15 } as const;

/** Why a side failed at a step (empty: it held). */
export function failures(r: SideResult, o: Options): string[] {
  const out: string[] = [];
  if (r.switchDied) out.push('FreeSWITCH died');
  if (r.serviceDied) out.push('the service died');
  if (r.lostPct > o.maxLostPct) out.push(`${r.lostPct} % of calls lost or refused (> ${o.maxLostPct} %)`);
  if (!(r.waitMs.p99Ms <= o.maxWaitP99Ms)) out.push(`wait p99 ${r.waitMs.p99Ms} ms (> ${o.maxWaitP99Ms} ms)`);
  if (r.offered > 0 && (100 * r.stuck) / r.offered > o.maxLostPct) out.push(`${r.stuck} calls still up after the drain`);
  return out;
}

export interface Step {
  rate: number;
  service?: SideResult & { failed: string[] };
  callcenter?: SideResult & { failed: string[] };
}

export function verdict(steps: readonly Step[]): Record<string, unknown> {
  const at = steps.find((s) => s.rate === TARGETS.atRate);
  const svc = at?.service;
  const cc = at?.callcenter;
  const met = {
    waitP99NotWorseThanCallcenter: svc && cc ? svc.waitMs.p99Ms <= cc.waitMs.p99Ms : null,
    serviceCpu: svc ? (svc.cpuPctOfOneCore.service ?? Infinity) <= TARGETS.serviceCpuPctOfOneCore : null,
  };
  const held = (side: SideName): number | null => {
    let best: number | null = null;
    for (const s of steps) {
      const r = s[side];
      if (!r) continue;
      if (r.failed.length > 0) break;
      best = s.rate;
    }
    return best;
  };
  const failedAt = (side: SideName): number | null => steps.find((s) => (s[side]?.failed.length ?? 0) > 0)?.rate ?? null;
  return {
    targets: { ...TARGETS, serviceWaitP99: "<= mod_callcenter's at the same rate" },
    met,
    pass: at !== undefined && met.waitP99NotWorseThanCallcenter === true && met.serviceCpu === true,
    highestRateHeld: { service: held('service'), callcenter: held('callcenter') },
    firstFailedRate: { service: failedAt('service'), callcenter: failedAt('callcenter') },
  };
}
