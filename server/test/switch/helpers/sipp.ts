// SIPp processes for the switch suite: one per caller (UAC, one call, exits when it ends), one per
// desk phone or gateway (UAS, every INVITE a call, killed at teardown), one short REGISTER run per
// agent phone. Each writes its scenario and message trace to its own temp dir; the trace tells a
// test which final response a caller got.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtemp, readFile, readdir, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { freePort } from '../../../../scripts/lib/free-port.ts';

export const SIPP_BIN = process.env.SIPP_BIN ?? 'sipp';

export function haveSipp(): boolean {
  return spawnSync(SIPP_BIN, ['-v'], { stdio: 'ignore' }).status !== null && !spawnSync(SIPP_BIN, ['-v']).error;
}

/** A media port pair (RTP, RTCP) for SIPp: even, from the kernel's free ports. */
async function mediaPort(): Promise<number> {
  const p = await freePort();
  return p - (p % 2);
}

export interface SippRun {
  readonly child: ChildProcess;
  readonly dir: string;
  readonly sipPort: number;
  /** Resolves with the exit code when the process ends (UAC: after its call). */
  readonly exited: Promise<number | null>;
  /** SIP messages SIPp sent and received, as its -trace_msg file has them. */
  messages(): Promise<string>;
  /** Status codes of the responses SIPp received. */
  responses(): Promise<number[]>;
  kill(): void;
}

export async function runSipp(opts: {
  name: string;
  xml: string;
  /** host:port of the switch's profile; absent for a UAS. */
  remote?: string;
  ip: string;
  sipPort?: number;
  /** Number of calls (UAC); absent runs until killed. */
  calls?: number;
}): Promise<SippRun> {
  const dir = await mkdtemp(path.join(tmpdir(), `sipp-${opts.name}-`));
  const sf = path.join(dir, 'scenario.xml');
  await writeFile(sf, opts.xml);
  const sipPort = opts.sipPort ?? (await freePort());
  const args = [
    ...(opts.remote ? [opts.remote] : []),
    '-sf', sf,
    '-i', opts.ip,
    '-p', String(sipPort),
    '-mi', opts.ip,
    '-mp', String(await mediaPort()),
    // -aa answers the gateways' OPTIONS pings (and INFO/NOTIFY) outside any scenario.
    '-aa',
    '-nostdin',
    '-trace_msg', '-message_file', path.join(dir, 'messages.log'),
    '-trace_err', '-error_file', path.join(dir, 'errors.log'),
    ...(opts.calls ? ['-m', String(opts.calls), '-l', '1', '-timeout', '180s'] : []),
  ];
  const child = spawn(SIPP_BIN, args, { cwd: dir, stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const messages = async (): Promise<string> => {
    const files = (await readdir(dir)).filter((f) => f.startsWith('messages'));
    const all = await Promise.all(files.map((f) => readFile(path.join(dir, f), 'utf8').catch(() => '')));
    return all.join('\n') + stderr;
  };
  return {
    child,
    dir,
    sipPort,
    exited,
    messages,
    async responses() {
      const text = await messages();
      // Trace lines: "----- UDP message received [...] bytes :" followed by the start line.
      return [...text.matchAll(/message received[^\n]*\n\s*\n?SIP\/2\.0 (\d{3})/g)].map((m) => Number(m[1]));
    },
    kill() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    },
  };
}
