// The production build (issue 15, deliverable 6): the image and the systemd unit run
// server/dist/server.js with plain node, no tsx. The build must compile, rewrite every relative
// `.ts` import to `.js`, import only packages the service depends on at run time (the image
// installs with --omit=dev), and the built service must start, find the softphone's files from its
// own directory, and stop on SIGTERM, started with the image's command (so a node flag there that
// node refuses fails here).
import { execFile } from 'node:child_process';
import { readFile, readdir } from 'node:fs/promises';
import { builtinModules } from 'node:module';
import path from 'node:path';
import { promisify } from 'node:util';
import t from 'tap';
import { BUILT_SERVER_JS, productionCommand } from '../../scripts/lib/server-build.ts';
import { withRedis } from '../../scripts/lib/test-redis.ts';
import { startServer } from './helpers/server-process.ts';
import { REPO } from './helpers/fsim.ts';

const run = promisify(execFile);
const DIST = path.dirname(BUILT_SERVER_JS);

async function jsFiles(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const e of await readdir(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) out.push(...(await jsFiles(p)));
    else if (e.name.endsWith('.js')) out.push(p);
  }
  return out;
}

/** Every module specifier of static and dynamic imports in compiled ESM. */
const specifiersOf = (js: string): string[] => [...js.matchAll(/(?:^|\n)\s*(?:import|export)\b[^'"]*?\bfrom\s*["']([^"']+)["']|\bimport\(\s*["']([^"']+)["']\s*\)/g)].map((m) => (m[1] ?? m[2])!);

t.test('npm run build -w @hotline12345/server: compiled ESM with .js imports and run-time dependencies only', async (t) => {
  const { stdout, stderr } = await run('npm', ['run', 'build', '-w', '@hotline12345/server'], { cwd: REPO, timeout: 120_000 });
  t.notMatch(`${stdout}${stderr}`, /error TS/, 'tsc reports no error');
  const files = await jsFiles(DIST);
  const sources = (await readdir(path.join(REPO, 'server', 'src'), { recursive: true })).filter((f) => f.endsWith('.ts'));
  t.equal(files.length, sources.length, `one .js per source file (${files.length})`);
  const deps = Object.keys((JSON.parse(await readFile(path.join(REPO, 'server', 'package.json'), 'utf8')) as { dependencies: Record<string, string> }).dependencies);
  const bad: string[] = [];
  let relative = 0;
  for (const f of files) {
    for (const spec of specifiersOf(await readFile(f, 'utf8'))) {
      if (spec.startsWith('.')) {
        relative++;
        if (!spec.endsWith('.js')) bad.push(`${path.relative(DIST, f)}: ${spec}`);
        continue;
      }
      const pkg = spec.startsWith('@') ? spec.split('/').slice(0, 2).join('/') : spec.split('/')[0]!;
      if (!spec.startsWith('node:') && !builtinModules.includes(pkg) && !deps.includes(pkg)) bad.push(`${path.relative(DIST, f)}: ${spec} (not a dependency of the server)`);
    }
  }
  t.ok(relative > 200, `${relative} relative imports read`);
  t.same(bad, [], 'every relative import is a .js file, every package a run-time dependency');
});

t.test('the built service starts with plain node, serves the softphone and the API, and stops on SIGTERM', async (t) => {
  const redis = await withRedis(t);
  const srv = startServer({ HOTLINE_HTTP_PORT: '0', HOTLINE_REDIS_URL: redis.url, HOTLINE_SHUTDOWN_GRACE_MS: '3000' }, { built: true });
  t.teardown(() => {
    if (srv.child.exitCode === null) srv.child.kill('SIGKILL');
  });
  const image = productionCommand();
  t.same(srv.child.spawnargs.slice(1), [...image.flags, BUILT_SERVER_JS], `the image's command, no loader: node ${image.flags.join(' ')} ${image.entry}`);
  const url = await srv.listening;
  const health = await fetch(`${url}/healthz`);
  t.same(await health.json(), { status: 'ok' });
  const page = await fetch(`${url}/`);
  t.equal(page.status, 200, 'the softphone is found from server/dist (routes/softphone.js resolves ../../../softphone-web/dist)');
  t.match(await page.text(), /<html/i);
  const denied = await fetch(`${url}/api/agents`);
  t.equal(denied.status, 401, 'the API still wants a token');
  srv.child.kill('SIGTERM');
  const { code } = await srv.exited;
  t.equal(code, 0, 'graceful stop, exit 0');
  t.ok(srv.logs().some((r) => r.msg === 'shutdown complete'));
});
