// Issue 15, deliverable 6: the deployment files stay in step with what the service accepts and the
// tests run. docker/compose.yaml and the systemd files (deploy/) pass the same settings; each uses
// only variables the config knows and passes the start-up checks once the site's values are in;
// the example's CHANGE_ME placeholders are refused; the image builds the softphone from every
// server file the softphone imports.
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import t from 'tap';
import { ConfigError, loadConfig, unknownEnvVars, type Env } from '../src/config.ts';
import { productionCommand } from '../../scripts/lib/server-build.ts';
import { composeService, fillCompose, softphoneServerImports, systemdEnv } from './helpers/deploy-files.ts';
import { REPO } from './helpers/fsim.ts';

const problemsOf = (env: Env): string[] => {
  try {
    loadConfig({ env });
    return [];
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    return [...err.problems];
  }
};

/** A site's values in place of the example's placeholders. */
const fillSystemd = (env: Record<string, string>): Record<string, string> =>
  Object.fromEntries(Object.entries(env).map(([k, v]) => [k, v.replace(/CHANGE_ME[A-Za-z0-9_]*/g, (m) => `site-${m.length}-0123456789-0123456789-0123456789`.replace('CHANGE_ME', ''))]));

t.test('systemd: only known variables; placeholders refused by name; filled in, it passes the exposure check', async (t) => {
  const env = await systemdEnv();
  t.ok(Object.keys(env).length >= 10, `${Object.keys(env).length} settings read`);
  t.same(unknownEnvVars(env), [], 'every variable is one the service knows');
  const asShipped = problemsOf(env);
  const named = asShipped.filter((p) => p.includes('CHANGE_ME')).map((p) => p.split(':')[0]);
  t.same(named.sort(), Object.keys(env).filter((k) => env[k]!.includes('CHANGE_ME')).sort(), 'each placeholder is refused, naming its variable');
  t.ok(named.includes('HOTLINE_FS_PASSWORD') && named.includes('HOTLINE_AUTH_JWT_SECRET'), 'the secrets are among them');
  const filled = fillSystemd(env);
  t.notMatch(JSON.stringify(filled), /CHANGE_ME/);
  t.same(problemsOf(filled), [], 'filled in: no problem, public HTTP with a users file and secrets');
  const config = loadConfig({ env: filled });
  t.equal(config.http.host, '0.0.0.0', 'the API is public');
  t.equal(config.metrics.host, '127.0.0.1', 'metrics on loopback');
  t.equal(config.freeswitch.outbound.host, '127.0.0.1', 'the outbound socket on loopback');
});

t.test('a placeholder is refused on loopback too, and in the single-node ESL variables', async (t) => {
  const problems = problemsOf({ HOTLINE_FS_PASSWORD: 'CHANGE_ME', HOTLINE_SLA_ALERT_WEBHOOK_SECRET: 'x-change_me-x' });
  t.match(problems.join('\n'), /HOTLINE_FS_PASSWORD: still holds the example's placeholder/);
  t.match(problems.join('\n'), /HOTLINE_SLA_ALERT_WEBHOOK_SECRET: still holds the example's placeholder/);
  t.same(problemsOf({ HOTLINE_FS_PASSWORD: 'a-real-esl-password' }), [], 'a real value passes');
});

t.test('compose and systemd set the same variables, with the same addresses and ports', async (t) => {
  const compose = (await composeService()).env;
  const systemd = await systemdEnv();
  t.same(Object.keys(systemd).sort(), Object.keys(compose).sort(), 'the same settings');
  // Paths differ by design (a container's mounts vs the host's directories); secrets are the site's.
  const siteSpecific = /PATH$|PASSWORD$|SECRET$|TOKEN$|DESK_PHONE$/;
  for (const k of Object.keys(compose).filter((k) => !siteSpecific.test(k))) t.equal(systemd[k], compose[k], `${k} equal`);
  t.same(problemsOf(fillCompose(compose)), [], 'compose, filled in, passes too');
});

t.test('the unit runs the service the tests run, and waits out its graceful stop', async (t) => {
  const unit = await readFile(path.join(REPO, 'deploy', 'systemd', 'hotline12345.service'), 'utf8');
  const value = (key: string): string | undefined => new RegExp(`^${key}=(.*)$`, 'm').exec(unit)?.[1];
  const exec = value('ExecStart') ?? '';
  const entry = exec.split(' ').at(-1)!;
  // The build's output for server/src/server.ts (server/tsconfig.build.json: rootDir src -> outDir).
  const build = JSON.parse(await readFile(path.join(REPO, 'server', 'tsconfig.build.json'), 'utf8')) as { compilerOptions: { rootDir: string; outDir: string } };
  await t.resolves(readFile(path.join(REPO, 'server', build.compilerOptions.rootDir, 'server.ts')), 'the source entry exists');
  t.equal(entry, path.posix.join('server', build.compilerOptions.outDir, 'server.js'), `the unit runs the compiled entry (${entry})`);
  t.match(exec, /^\/\S*\/node /, 'with plain node (an absolute path, as systemd wants), no TypeScript loader');
  const image = productionCommand();
  t.same(exec.split(' ').slice(1), [...image.flags, image.entry], `the image's command: the same node flags (${image.flags.join(' ')}) and entry`);
  t.equal(value('EnvironmentFile'), '/etc/hotline12345/hotline12345.env');
  t.equal(value('KillSignal'), 'SIGTERM', 'SIGTERM starts the graceful stop');
  const graceSec = loadConfig({ env: {} }).shutdown.graceMs / 1000;
  t.ok(Number(value('TimeoutStopSec')) > graceSec, `systemd waits longer (${value('TimeoutStopSec')} s) than the grace (${graceSec} s)`);
  const cdrDir = path.dirname((await systemdEnv()).HOTLINE_CDR_JSONL_PATH!);
  t.equal(cdrDir, `/var/lib/${value('StateDirectory')}`, 'the CDR copy goes to the one directory the hardened unit may write');
  const override = await readFile(path.join(REPO, 'deploy', 'systemd', 'freeswitch-override.conf'), 'utf8');
  t.match(override, /-conf \/opt\/hotline12345\/dialplan( |$)/m, "FreeSWITCH loads the project's dialplan/");
});

t.test("the image's build stage has every server file the softphone imports and the service's build inputs", async (t) => {
  const dockerfile = await readFile(path.join(REPO, 'docker', 'service.Dockerfile'), 'utf8');
  const [, stage = ''] = dockerfile.split(/^FROM /m);
  const copied = [...stage.matchAll(/^COPY (server\/\S*) /gm)].map((m) => m[1]!.replace(/\/$/, ''));
  const imports = await softphoneServerImports();
  t.ok(imports.includes('server/src/realtime/events.ts'), `${imports.length} server files imported`);
  const missing = imports.filter((f) => !copied.some((c) => f === c || f.startsWith(`${c}/`)));
  t.same(missing, [], 'none missing from the COPY lines of the first stage');
  // The service's build there reads its sources, its tsconfig and the root one it extends.
  const copiedFiles = [...stage.matchAll(/^COPY (.*) \S+$/gm)].flatMap((m) => m[1]!.split(' '));
  for (const need of ['server/src', 'server/tsconfig.build.json', 'tsconfig.json']) t.ok(copiedFiles.some((c) => c.replace(/\/$/, '') === need), `the build stage copies ${need}`);
  t.match(stage, /npm run build -w @hotline12345\/server/, 'and compiles the service there');
});
