// When the rolling-24-hour answered-in-15-s rate crosses the target. The state (firing or not) is
// the hysteresis: a firing alert fires no more while the rate stays low, and resolves once, when
// the rate is back at or above the target. A window with fewer than `minCounted` counted calls is
// not judged either way, so a quiet night's one unlucky call neither fires nor resolves anything.
import type { Measures } from './measures.ts';

export interface AlertRules {
  /** e.g. 0.95; at the target is good (>=), below is bad. */
  readonly target: number;
  readonly minCounted: number;
}

export interface AlertState {
  readonly firing: boolean;
  /** When the state last changed (epoch ms). */
  readonly sinceMs: number;
}

export type AlertChange = 'fired' | 'resolved';

export interface AlertEvent {
  readonly event: AlertChange;
  readonly scope: string;
  readonly atMs: number;
  /** When the alert fired; for 'resolved', how long it lasted is atMs - firedAtMs. */
  readonly firedAtMs: number;
  readonly rate15s: number;
  readonly target: number;
  readonly counted: number;
  readonly answeredWithin: number;
}

/** The change the measures call for, given whether the alert is firing now; undefined for none. */
export function alertChange(firing: boolean, rolling: Measures, rules: AlertRules): AlertChange | undefined {
  const rate = rolling.rate15s;
  if (rate === null || rolling.counted < rules.minCounted) return undefined;
  if (!firing && rate < rules.target) return 'fired';
  if (firing && rate >= rules.target) return 'resolved';
  return undefined;
}
