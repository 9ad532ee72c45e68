// fsim held to the real switch: the same scenarios (differential-scenarios.ts) run on the real
// FreeSWITCH 1.10.12 bundle with SIPp peers and on fsim with simulated peers, both recorded with
// `event json ALL`; each leg's events are compared in form (differential-compare.ts). Every
// difference left must be a known gap (differential-gaps.ts, FIDELITY-GAPS.md). Prints a JSON
// report: per scenario the events compared and the differences left.
import { writeFileSync } from 'node:fs';
import t from 'tap';
import { compareScenario } from './helpers/differential-compare.ts';
import { explain } from './helpers/differential-gaps.ts';
import { DIALPLAN, SCENARIOS, type Notes } from './helpers/differential-scenarios.ts';
import { fsimWorld, realWorld, type WorldHandle } from './helpers/differential-worlds.ts';
import type { CapturedEvent } from './helpers/capture.ts';
import { bundlePresent } from './helpers/real-switch.ts';

const ONLY = process.env.FSIM_DIFF_ONLY;

interface Run {
  events: CapturedEvent[];
  notes: Notes;
}

async function runAll(h: WorldHandle): Promise<Map<string, Run>> {
  const out = new Map<string, Run>();
  for (const s of SCENARIOS) {
    if (ONLY && !s.name.includes(ONLY)) continue;
    const mark = h.mark();
    let notes: Notes = {};
    try {
      notes = (await s.run(h.world)) ?? {};
    } catch (e) {
      console.error(`${h.world.kind}: scenario "${s.name}" failed: ${String(e)}`);
    }
    await h.settle(mark, 8000);
    out.set(s.name, { events: h.since(mark), notes });
  }
  return out;
}

/** The scenario's own observations (API replies and their timing), compared key by key. */
function compareNotes(real: Notes, fsim: Notes): string[] {
  return [...new Set([...Object.keys(real), ...Object.keys(fsim)])]
    .filter((k) => real[k] !== fsim[k])
    .map((k) => `observed: ${k}: ${real[k] ?? 'undefined'} vs ${fsim[k] ?? 'undefined'}`);
}

t.test('fsim and the real switch agree on every scenario', { timeout: 120_000 }, async (t) => {
  if (!bundlePresent()) {
    if (process.env.CI) return t.fail('the FreeSWITCH bundle (../shared/freeswitch) is required in CI');
    console.error('\n*** SKIPPED: the FreeSWITCH bundle (../shared/freeswitch) is absent: fsim is NOT held to the real switch ***\n');
    t.comment('SKIP: FreeSWITCH bundle absent'); return;
  }
  const started = Date.now();
  const [real, sim] = await Promise.all([realWorld(DIALPLAN), fsimWorld(DIALPLAN)]);
  t.teardown(async () => {
    await Promise.all([real.close(), sim.close()]);
  });
  const [r, f] = await Promise.all([runAll(real), runAll(sim)]);
  // For diagnosis: FSIM_DIFF_DUMP=<file> writes both sides' events per scenario.
  if (process.env.FSIM_DIFF_DUMP) {
    const dump = (m: Map<string, Run>): Record<string, unknown> => Object.fromEntries([...m].map(([k, v]) => [k, { notes: v.notes, events: v.events.map((e) => e.headers) }]));
    writeFileSync(process.env.FSIM_DIFF_DUMP, JSON.stringify({ real: dump(r), fsim: dump(f) }));
  }
  const report = [...r.keys()].map((name) => {
    const c = compareScenario(r.get(name)?.events ?? [], f.get(name)?.events ?? []);
    const notes = compareNotes(r.get(name)?.notes ?? {}, f.get(name)?.notes ?? {});
    const differences = [...c.differences, ...notes].map((d) => ({ difference: d, gap: explain(name, d) ?? null }));
    return { scenario: name, eventsCompared: c.eventsCompared, realEvents: c.realEvents, fsimEvents: c.fsimEvents, differences };
  });
  const unexplained = report.flatMap((s) => s.differences.filter((d) => !d.gap).map((d) => `${s.scenario}: ${d.difference}`));
  process.stdout.write(JSON.stringify({
    differential: report.map((s) => ({ ...s, differences: s.differences.length, unexplained: s.differences.filter((d) => !d.gap).length })),
    totals: {
      scenarios: report.length,
      eventsCompared: report.reduce((n, s) => n + s.eventsCompared, 0),
      differences: report.reduce((n, s) => n + s.differences.length, 0),
      unexplained: unexplained.length,
      runtimeMs: Date.now() - started,
    },
  }) + "\n");
  for (const s of report) {
    const left = s.differences.filter((d) => !d.gap).length;
    t.comment(`differential: ${s.scenario}: ${s.eventsCompared} events compared, ${s.differences.length} differences left (${s.differences.length - left} known gaps, ${left} unexplained)`);
    t.ok(s.realEvents > 0, `${s.scenario}: the real switch produced events`);
    for (const d of s.differences) if (d.gap) t.comment(`known gap ${d.gap}: ${s.scenario}: ${d.difference}`);
  }
  t.same(unexplained, [], 'no unexplained difference');
});
