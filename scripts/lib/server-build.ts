// The compiled service (server/dist, `npm run build -w @hotline12345/server`), as production runs
// it: the benchmarks measure that, not the service under the tsx loader (which adds ~40 MB of RSS
// and its own start-up work). Built when missing or older than any source file.
import { execFile } from 'node:child_process';
import { readdir, stat } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
export const BUILT_SERVER_JS = path.join(REPO, 'server', 'dist', 'server.js');

async function newestSourceMs(): Promise<number> {
  const dir = path.join(REPO, 'server', 'src');
  const files = (await readdir(dir, { recursive: true })).filter((f) => f.endsWith('.ts'));
  const times = await Promise.all(files.map(async (f) => (await stat(path.join(dir, f))).mtimeMs));
  return Math.max(...times, (await stat(path.join(REPO, 'server', 'tsconfig.build.json'))).mtimeMs);
}

/** The path of server/dist/server.js, built first if it is missing or stale. */
export async function ensureServerBuild(log: (line: string) => void = () => {}): Promise<string> {
  const built = await stat(BUILT_SERVER_JS).then((s) => s.mtimeMs, () => 0);
  if (built > (await newestSourceMs())) return BUILT_SERVER_JS;
  log('building the service (npm run build -w @hotline12345/server)');
  await promisify(execFile)('npm', ['run', 'build', '-w', '@hotline12345/server', '--silent'], { cwd: REPO, timeout: 180_000 });
  return BUILT_SERVER_JS;
}
