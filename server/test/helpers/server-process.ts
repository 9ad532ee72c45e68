// server.ts as a real process for tests: signals, exit codes, logs. tsx is loaded as a Node import
// hook (not through the tsx CLI) so a signal reaches our process and not a wrapper. `built` runs
// the production build instead with the image's command (node's flags, server/dist/server.js).
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { productionCommand } from '../../../scripts/lib/server-build.ts';

const serverTs = fileURLToPath(new URL('../../src/server.ts', import.meta.url));
const root = path.resolve(path.dirname(serverTs), '../..');

/** The parent's environment without any HOTLINE_* setting, plus `env`. */
function childEnv(env: Record<string, string>): NodeJS.ProcessEnv {
  const base = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('HOTLINE_')));
  return { ...base, ...env };
}

export function startServer(env: Record<string, string>, opts: { built?: boolean } = {}) {
  // Built: the image's command (its node flags and entry), so a flag node refuses fails here.
  const prod = productionCommand();
  const args = opts.built ? [...prod.flags, path.join(root, prod.entry)] : ['--import', 'tsx', serverTs];
  const child = spawn(process.execPath, args, { cwd: root, env: childEnv(env), stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const exited = once(child, 'exit').then(([code, signal]) => ({ code: code as number | null, signal: signal as string | null }));
  const logs = () =>
    stdout
      .split('\n')
      .filter((l) => l.startsWith('{'))
      .map((l) => JSON.parse(l) as Record<string, unknown>);
  /** Resolves with the listening URL from the JSON log. */
  const listening = new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`server did not start:\n${stdout}\n${stderr}`)), 20_000);
    const look = () => {
      const rec = logs().find((r) => r.msg === 'listening');
      if (rec) {
        clearTimeout(timer);
        // Parsing every line on every chunk is fine at start-up, not for a chatty run afterwards.
        child.stdout.off('data', look);
        resolve(rec.url as string);
      }
    };
    child.stdout.on('data', look);
    void exited.then(() => {
      clearTimeout(timer);
      reject(new Error(`server exited before listening:\n${stdout}\n${stderr}`));
    });
  });
  // Tests that expect an early exit never await this.
  listening.catch(() => {});
  return { child, exited, listening, logs, stderr: () => stderr };
}
