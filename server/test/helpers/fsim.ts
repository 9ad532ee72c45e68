// Starts fsim for a server test: the project's own dialplan/ with the service's outbound-socket
// address filled in, a carrier-facing "external" profile routing into context public, and agents
// on "internal". Stops it in the test's teardown.
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { startFsim, type Fsim, type FsimOptions } from '../../../scripts/fsim/src/fsim.ts';

export const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
export const ESL_PASSWORD = 'ClueCon-test';

export const PROFILES = [
  { name: 'external', ip: '127.0.0.1', port: 5080, context: 'public' },
  { name: 'internal', ip: '127.0.0.1', port: 5060, context: 'agents' },
];

export async function withFsim(
  t: { teardown(fn: () => unknown): void },
  opts: { serviceSocket: string; timeScale?: number; extra?: Partial<FsimOptions>; switch?: Record<string, unknown>; eslPassword?: string },
): Promise<Fsim> {
  const fsim = await startFsim({
    esl: { port: 0, password: opts.eslPassword ?? ESL_PASSWORD },
    control: { port: 0 },
    dialplan: { dir: path.join(REPO, 'dialplan'), vars: { hotline_service_socket: opts.serviceSocket } },
    ...(opts.timeScale ? { timeScale: opts.timeScale } : {}),
    ...opts.extra,
    switch: { profiles: PROFILES, heartbeatSec: 0, ...opts.switch },
  });
  t.teardown(() => fsim.close());
  return fsim;
}
