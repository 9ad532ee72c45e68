// The compiled service (server/dist, `npm run build -w @hotline12345/server`) started the way
// production starts it: the benchmarks measure that, not the service under the tsx loader (which
// adds ~40 MB of RSS and its own start-up work). Built when missing or older than any source file.
// The command is written once, as the image's CMD (docker/service.Dockerfile); the systemd unit
// must say the same (server/test/deploy-config.quick.ts).
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { readdir, stat } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
/** What `npm run build -w @hotline12345/server` writes (server/tsconfig.build.json). */
export const BUILT_SERVER_JS = path.join(REPO, 'server', 'dist', 'server.js');

async function newestSourceMs(): Promise<number> {
  const dir = path.join(REPO, 'server', 'src');
  const files = (await readdir(dir, { recursive: true })).filter((f) => f.endsWith('.ts'));
  const times = await Promise.all(files.map(async (f) => (await stat(path.join(dir, f))).mtimeMs));
  return Math.max(...times, (await stat(path.join(REPO, 'server', 'tsconfig.build.json'))).mtimeMs);
}

/** The image's command: node's flags and the entry (relative to the repository). */
export function productionCommand(): { readonly flags: string[]; readonly entry: string } {
  const dockerfile = readFileSync(path.join(REPO, 'docker', 'service.Dockerfile'), 'utf8');
  const cmd = /^CMD (\[.*\])$/m.exec(dockerfile)?.[1];
  const words = cmd ? (JSON.parse(cmd) as unknown) : undefined;
  if (!Array.isArray(words) || words[0] !== 'node' || words.length < 2 || !words.every((w) => typeof w === 'string')) {
    throw new Error('docker/service.Dockerfile: CMD is not ["node", ...flags, entry]');
  }
  return { flags: words.slice(1, -1) as string[], entry: words.at(-1) as string };
}

/** node's arguments for the production command, server/dist built first if missing or stale. */
export async function builtServerArgs(log: (line: string) => void = () => {}): Promise<string[]> {
  const built = await stat(BUILT_SERVER_JS).then((s) => s.mtimeMs, () => 0);
  if (built <= (await newestSourceMs())) {
    log('building the service (npm run build -w @hotline12345/server)');
    await promisify(execFile)('npm', ['run', 'build', '-w', '@hotline12345/server', '--silent'], { cwd: REPO, timeout: 180_000 });
  }
  const { flags, entry } = productionCommand();
  return [...flags, path.join(REPO, entry)];
}
