// Random JSON-ish values for payload fuzzing, from a seeded generator so a failure replays.
export function rng(seed: number): () => number {
  // mulberry32
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let x = a;
    x = Math.imul(x ^ (x >>> 15), x | 1);
    x ^= x + Math.imul(x ^ (x >>> 7), x | 61);
    return ((x ^ (x >>> 14)) >>> 0) / 4294967296;
  };
}

const KEYS = ['action', 'reason', 'callId', 'agentId', '__proto__', 'constructor', 'seq', ''];

export function randomValue(r: () => number, depth = 0): unknown {
  const pick = Math.floor(r() * (depth > 2 ? 6 : 9));
  const str = () => Array.from({ length: Math.floor(r() * 12) }, () => String.fromCharCode(32 + Math.floor(r() * 0x2fff))).join('');
  switch (pick) {
    case 0:
      return null;
    case 1:
      return r() < 0.5;
    case 2:
      return [0, -1, 1e308, Number.MAX_SAFE_INTEGER, r() * 1e6][Math.floor(r() * 5)];
    case 3:
      return str();
    case 4:
      return 'x'.repeat(Math.floor(r() * 2000));
    case 5:
      return undefined;
    case 6:
      return Array.from({ length: Math.floor(r() * 4) }, () => randomValue(r, depth + 1));
    default: {
      const o: Record<string, unknown> = {};
      for (let i = Math.floor(r() * 4); i > 0; i--) o[r() < 0.6 ? KEYS[Math.floor(r() * KEYS.length)]! : str()] = randomValue(r, depth + 1);
      return o;
    }
  }
}

/** Argument lists for one emit: usually one payload, sometimes none or several. */
export function randomArgs(r: () => number): unknown[] {
  const n = r() < 0.85 ? 1 : Math.floor(r() * 3) * (r() < 0.5 ? 0 : 1) + (r() < 0.5 ? 0 : 2);
  return Array.from({ length: n }, () => randomValue(r));
}
