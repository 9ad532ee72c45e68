// Runs every `*.quick.ts` test file of one folder inside the calling tap process.
// Why: each tap test file is its own node process that loads tsx and, for server tests, the service's
// module graph, about 1-2 s of CPU on this 2-core machine before its first assertion. 74 files finish
// their own tests in under 2.6 s, most in under 0.5 s; run one by one they spent more time starting
// than testing. Grouped, they pay that start once per folder. A quick file is still a plain tap file:
// `npx tap server/test/foo.quick.ts` runs it alone.
// Their top-level `t.test()`s land on the one root test, in file order, one after the other, so the
// suite's count of tests is the same as when each file ran alone. A quick file must not use root-level
// hooks (`t.before`, `t.beforeEach`, `t.teardown` outside a subtest): they would reach its neighbours.
import { readdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

export async function runQuickFiles(entryUrl: string): Promise<void> {
  const dir = path.dirname(fileURLToPath(entryUrl));
  const files = readdirSync(dir)
    .filter((name) => name.endsWith('.quick.ts'))
    .sort();
  if (files.length === 0) throw new Error(`no *.quick.ts files in ${dir}`);
  for (const name of files) await import(pathToFileURL(path.join(dir, name)).href);
}
