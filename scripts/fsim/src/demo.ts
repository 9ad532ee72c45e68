// Demo traffic for `npm start`: agent phones that answer, and citizens calling the three lines at
// a steady pace with a patience of their own. Deterministic enough to watch, varied enough to look
// like a morning at a 12345 center.
import type { Switch } from './core/index.ts';

export interface DemoTraffic {
  stop(): void;
}

const LINES = [
  { to: '12345', weight: 7 },
  { to: '123457', weight: 2 },
  { to: '12345110', weight: 1, sipHeaders: { 'X-110-Case-Id': 'DEMO-110-0001', 'X-110-Summary': '%E9%82%BB%E9%87%8C%E5%99%AA%E9%9F%B3' } },
] as const;

export function startDemoTraffic(sw: Switch, opts: { agents?: number; everyMs?: number } = {}): DemoTraffic {
  const agents = opts.agents ?? 10;
  for (let i = 0; i < agents; i++) sw.registerUser(String(1000 + i), { answerAfterMs: 1500 + (i % 4) * 1000 });
  let n = 0;
  const total = LINES.reduce((s, l) => s + l.weight, 0);
  const timer = setInterval(() => {
    n++;
    let pick = n % total;
    const line = LINES.find((l) => (pick -= l.weight) < 0) ?? LINES[0];
    const caller = `138${String(10_000_000 + ((n * 7_919) % 90_000_000)).padStart(8, '0')}`;
    sw.placeCall({
      from: caller,
      to: line.to,
      profile: 'external',
      ...('sipHeaders' in line ? { sipHeaders: line.sipHeaders } : {}),
      patienceMs: 30_000 + (n % 5) * 15_000,
      hangupAfterMs: 60_000,
    });
  }, opts.everyMs ?? 4000);
  return { stop: () => clearInterval(timer) };
}
