// Steady ports (a switch's ports and the service's outbound port in the switch suite) are claimed
// across processes: test files run side by side, and a port another live process was handed must
// not be handed out again (a CI run: the outbound listener's `listen EADDRINUSE`). A claim whose
// process is gone is taken over.
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import t from 'tap';
import { steadyPort } from '../../scripts/lib/free-port.ts';

async function claimsDir(t: { teardown(fn: () => unknown): void }): Promise<string> {
  const dir = await mkdtemp(path.join(tmpdir(), 'steady-claims-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

async function deadPid(): Promise<number> {
  const child = spawn(process.execPath, ['-e', '']);
  await once(child, 'exit');
  return child.pid!;
}

t.test('a port a live process claimed is never handed out; the claim names this process', async (t) => {
  const dir = await claimsDir(t);
  // Every even port of the range is another live process's (the test runner's).
  for (let port = 10_000; port < 20_000; port += 2) await writeFile(path.join(dir, String(port)), String(process.ppid));
  const got: number[] = [];
  for (let i = 0; i < 40; i++) got.push(await steadyPort('127.0.0.1', dir));
  t.same(got.filter((p) => p % 2 === 0), [], '40 ports, none of them claimed by the other process');
  t.equal(new Set(got).size, got.length, 'none twice');
  t.equal(await readFile(path.join(dir, String(got[0])), 'utf8'), String(process.pid), 'claimed for this process');
});

t.test('a claim whose process is gone is taken over', async (t) => {
  const dir = await claimsDir(t);
  const gone = await deadPid();
  for (let port = 10_000; port < 20_000; port++) await writeFile(path.join(dir, String(port)), String(gone));
  const port = await steadyPort('127.0.0.1', dir);
  t.equal(await readFile(path.join(dir, String(port)), 'utf8'), String(process.pid), `port ${port} taken over from pid ${gone}`);
});

t.test('claims go when their process exits', async (t) => {
  const dir = await claimsDir(t);
  const script = `import('${path.resolve(import.meta.dirname, '../../scripts/lib/free-port.ts')}').then(async (m) => { for (let i = 0; i < 3; i++) console.log(await m.steadyPort('127.0.0.1', ${JSON.stringify(dir)})); })`;
  const child = spawn(process.execPath, ['--import', 'tsx', '-e', script], { stdio: ['ignore', 'pipe', 'inherit'] });
  let out = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  await once(child, 'exit');
  t.equal(out.trim().split('\n').length, 3, 'the child was handed 3 ports');
  t.same(await readdir(dir), [], 'and released them at exit');
});
