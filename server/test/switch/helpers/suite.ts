// Registers each scenario once per backend as a top-level tap test ("<name> [real]", "<name>
// [fsim]"), so scripts/run-tests.mjs counts every run. The real FreeSWITCH is started at the first
// real scenario of the file and shared by the rest. Without the bundle the real runs are skipped
// with a loud message, except in CI (env CI set), where its absence fails them.
import type { Test } from 'tap';
import { freeswitchAvailability } from './freeswitch.ts';
import { haveSipp } from './sipp.ts';
import { fsimSite } from './world-fsim.ts';
import { realSite } from './world-real.ts';
import { BACKENDS, type Backend, type Site, type World, type WorldOptions } from './world.ts';

type Tap = Test;

export interface ScenarioOptions {
  world?: WorldOptions;
  /** A known difference of fsim from the real switch (the real one is right): fsim's run is a tap todo. */
  todo?: Partial<Record<Backend, string>>;
  backends?: readonly Backend[];
  /**
   * Why this scenario cannot run on fsim (e.g. WebRTC media, which fsim does not model): it runs on
   * the real switch only, and the fsim run is reported as a skip with this reason, printed loudly.
   */
  realOnly?: string;
  timeout?: number;
}

function realMissing(): string | undefined {
  const fs = freeswitchAvailability();
  if (!fs.ok) return fs.why;
  if (!haveSipp()) return 'sipp is not installed (apt-get install sip-tester)';
  return undefined;
}

export function switchSuite(root: Tap) {
  // A file's scenarios run one after another, each within its own timeout: the file as a whole
  // needs longer than the suite-wide 120 s (a loaded 2-core CI machine took 129 s for switch-acd).
  root.setTimeout(600_000);
  let real: Promise<Site> | undefined;
  const missing = realMissing();
  if (missing && !process.env.CI) {
    console.error(`\n!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!\n!! SKIPPING the real-FreeSWITCH runs: ${missing}\n!! (outside CI only; in CI this fails the run)\n!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!\n`);
  }
  const site = (backend: Backend): Promise<Site> => {
    if (backend === 'fsim') return Promise.resolve(fsimSite());
    real ??= realSite(root);
    return real;
  };
  return {
    site,
    /** The raw site (for scenarios that run the service as a process of their own). */
    scenario(name: string, body: (t: Tap, w: World) => Promise<void>, opts: ScenarioOptions = {}) {
      this.raw(name, async (t, s) => body(t, await s.world(t, opts.world)), opts);
    },
    raw(name: string, body: (t: Tap, site: Site) => Promise<void>, opts: ScenarioOptions = {}) {
      if (opts.realOnly) {
        console.error(`\n!! REAL SWITCH ONLY: "${name}" does not run on fsim: ${opts.realOnly}\n`);
        root.test(`${name} [fsim]`, { skip: `real switch only: ${opts.realOnly}` }, () => undefined);
      }
      for (const backend of opts.realOnly ? (['real'] as const) : (opts.backends ?? BACKENDS)) {
        const todo = opts.todo?.[backend];
        const skip = backend === 'real' && missing && !process.env.CI ? `no real switch: ${missing}` : undefined;
        root.test(`${name} [${backend}]`, { ...(todo ? { todo } : {}), ...(skip ? { skip } : {}), timeout: opts.timeout ?? 90_000 }, async (t) => {
          if (backend === 'real' && missing) return void t.fail(`the real switch is required in CI: ${missing}`);
          await body(t, await site(backend));
        });
      }
    },
  };
}
