// `npm start` (scripts/start.ts) as a test runs it: the launcher in its own process group with its
// own redis-server, fsim and service processes on free ports and a throw-away data folder.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { answers, startChild, waitUntil, type Child } from '../../../scripts/lib/child.ts';
import { freePort } from '../../../scripts/lib/free-port.ts';
import { REPO } from './fsim.ts';

export interface Launcher {
  readonly child: Child;
  readonly base: string;
  readonly controlUrl: string;
  readonly dataDir: string;
  /** Everything the launcher printed (its own lines and the children's logs). */
  output(): string;
  /** Resolves when the output contains `text` (after `from` characters). */
  waitFor(text: string, timeoutMs: number, from?: number): Promise<void>;
  login(username: string): Promise<string>;
  api<T>(token: string, method: string, url: string, body?: unknown): Promise<{ status: number; json: T }>;
}

export async function startLauncher(t: { teardown(fn: () => unknown): void }, env: Record<string, string> = {}): Promise<Launcher> {
  const dataDir = await mkdtemp(path.join(tmpdir(), 'launcher-'));
  const [http, esl, control, outbound, redis] = await Promise.all(Array.from({ length: 5 }, () => freePort()));
  let out = '';
  const child = startChild('npm start', process.execPath, ['--import', 'tsx', path.join(REPO, 'scripts/start.ts')], {
    cwd: REPO,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: {
      ...process.env,
      HOTLINE_DEMO_BUILD: '0',
      HOTLINE_DEMO_DATA_DIR: dataDir,
      HOTLINE_DEMO_REDIS_PORT: String(redis),
      HOTLINE_HTTP_PORT: String(http),
      HOTLINE_FS_OUTBOUND_PORT: String(outbound),
      FSIM_ESL_PORT: String(esl),
      FSIM_CONTROL_PORT: String(control),
      ...env,
    },
  });
  const keep = (d: Buffer): void => void (out += d.toString());
  child.process.stdout?.on('data', keep);
  child.process.stderr?.on('data', keep);
  t.teardown(async () => {
    await child.stop(30_000);
    await rm(dataDir, { recursive: true, force: true });
  });
  const base = `http://127.0.0.1:${http}`;
  await waitUntil('npm start', () => answers(`${base}/healthz`), 90_000, child);
  await waitUntil('npm start banner', async () => out.includes('hotline12345 is running'), 60_000, child);
  const api = async <T>(token: string, method: string, url: string, body?: unknown): Promise<{ status: number; json: T }> => {
    const res = await fetch(`${base}${url}`, {
      method,
      headers: { authorization: `Bearer ${token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    return { status: res.status, json: (await res.json().catch(() => undefined)) as T };
  };
  return {
    child,
    base,
    controlUrl: `http://127.0.0.1:${control}`,
    dataDir,
    output: () => out,
    waitFor: (text, timeoutMs, from = 0) => waitUntil(`"${text}"`, async () => out.indexOf(text, from) >= 0, timeoutMs, child),
    async login(username) {
      const res = await fetch(`${base}/api/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username, password: 'demo12345' }) });
      return ((await res.json()) as { token: string }).token;
    },
    api,
  };
}
