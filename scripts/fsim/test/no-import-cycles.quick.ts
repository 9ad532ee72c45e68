// fsim's source imports one way: walks every import / export-from (type-only ones included) under
// src/ and fails on any cycle, naming it.
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import t from 'tap';

const SRC = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../src');

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((n) => {
    const p = path.join(dir, n);
    return statSync(p).isDirectory() ? files(p) : p.endsWith('.ts') ? [p] : [];
  });
}

/** Relative imports of a file, resolved to absolute paths. */
export function importsOf(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  const out: string[] = [];
  for (const m of text.matchAll(/^\s*(?:import|export)\b[^'"]*?\bfrom\s*['"](\.[^'"]+)['"]|^\s*import\s*['"](\.[^'"]+)['"]/gm)) {
    const spec = m[1] ?? m[2];
    if (spec) out.push(path.resolve(path.dirname(file), spec));
  }
  return out;
}

export function findCycles(all: readonly string[]): string[][] {
  const graph = new Map(all.map((f) => [f, importsOf(f).filter((x) => all.includes(x))]));
  const cycles: string[][] = [];
  const state = new Map<string, 'open' | 'done'>();
  const stack: string[] = [];
  const visit = (f: string): void => {
    state.set(f, 'open');
    stack.push(f);
    for (const g of graph.get(f) ?? []) {
      if (state.get(g) === 'open') cycles.push([...stack.slice(stack.indexOf(g)), g]);
      else if (!state.has(g)) visit(g);
    }
    stack.pop();
    state.set(f, 'done');
  };
  for (const f of all) if (!state.has(f)) visit(f);
  return cycles;
}

t.test('no circular imports in scripts/fsim/src', async (t) => {
  const all = files(SRC);
  t.ok(all.length > 40, `${all.length} files walked`);
  t.ok(importsOf(path.join(SRC, 'core/switch.ts')).length > 10, 'import statements are found');
  const cycles = findCycles(all).map((c) => c.map((f) => path.relative(SRC, f)).join(' > '));
  t.same(cycles, [], 'no cycle');
});

t.test('the walker finds a cycle when there is one (type-only imports count)', async (t) => {
  const dir = mkdtempSync(path.join(tmpdir(), 'fsim-cycles-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  writeFileSync(path.join(dir, 'a.ts'), "import { b } from './b.ts';\nexport const a = b;\n");
  writeFileSync(path.join(dir, 'b.ts'), "import type { C } from './c.ts';\nexport const b = 1 as unknown as C;\n");
  writeFileSync(path.join(dir, 'c.ts'), "export type { X as C } from './a.ts';\n");
  const cycles = findCycles(['a.ts', 'b.ts', 'c.ts'].map((f) => path.join(dir, f)));
  t.same(cycles.map((c) => c.map((f) => path.basename(f)).join(' > ')), ['a.ts > b.ts > c.ts > a.ts']);
});
