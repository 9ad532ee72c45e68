// SIPp processes for the switch suite: one per caller (UAC, one call, exits when it ends), one per
// desk phone or gateway (UAS, every INVITE a call, killed at teardown), one short REGISTER run per
// agent phone. Each writes its scenario and message trace to its own temp dir; the trace tells a
// test which final response a caller got.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import dgram from 'node:dgram';
import { mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { freePort } from '../../../../scripts/lib/free-port.ts';
import { STREAM_FILE } from './sipp-scenarios.ts';

/** G.711 A-law of a linear 16-bit sample. */
function alaw(sample: number): number {
  const sign = sample >= 0 ? 0x80 : 0;
  let s = Math.min(32635, Math.abs(sample));
  let exp = 7;
  for (let mask = 0x4000; (s & mask) === 0 && exp > 0; mask >>= 1) exp--;
  const mant = (s >> (exp === 0 ? 4 : exp + 3)) & 0x0f;
  s = sign | (exp << 4) | mant;
  return s ^ 0x55;
}

const alawTone = (): Buffer => Buffer.from(Array.from({ length: 8000 }, (_, i) => alaw(Math.round(8000 * Math.sin((2 * Math.PI * 500 * i) / 8000)))));

export const SIPP_BIN = process.env.SIPP_BIN ?? 'sipp';

export function haveSipp(): boolean {
  return spawnSync(SIPP_BIN, ['-v'], { stdio: 'ignore' }).status !== null && !spawnSync(SIPP_BIN, ['-v']).error;
}

/** Whether a UDP port is free on this address right now (SIP and RTP are UDP; a TCP check says nothing). */
function udpFree(ip: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = dgram.createSocket('udp4');
    s.once('error', () => resolve(false));
    s.bind(port, ip, () => s.close(() => resolve(true)));
  });
}

/** A UDP port on ip with the next span-1 ports free too, the first even when asked (RTP, RTCP, video pair). */
export async function udpPorts(ip: string, span: number, even: boolean): Promise<number> {
  for (;;) {
    const p0 = await freePort();
    const p = even ? p0 - (p0 % 2) : p0;
    let ok = true;
    for (let i = 0; i < span && ok; i++) ok = await udpFree(ip, p + i);
    if (ok) return p;
  }
}

const BIND_FAILED = /Unable to bind/i;

export interface SippRun {
  readonly child: ChildProcess;
  readonly dir: string;
  readonly sipPort: number;
  /** Resolves with the exit code when the process ends (UAC: after its call). */
  readonly exited: Promise<number | null>;
  /** SIP messages SIPp sent and received, as its -trace_msg file has them. */
  messages(): Promise<string>;
  /** The INVITEs SIPp received (a UAS: the switch's calls to it), with their X- headers. */
  invites(): Promise<{ requestUri: string; headers: Record<string, string> }[]>;
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
  /** Number of calls (UAC, one at a time); absent runs until killed. */
  calls?: number;
  /** A UAC placing `calls` calls at `rate` a second, as many at once as needed (benchmarks). */
  load?: { rate: number; calls: number };
}): Promise<SippRun> {
  const dir = await mkdtemp(path.join(tmpdir(), `sipp-${opts.name}-`));
  const sf = path.join(dir, 'scenario.xml');
  await writeFile(sf, opts.xml);
  // rtp_stream's file (sipp-scenarios.ts): one second of a 500 Hz tone in PCMA, looped by SIPp.
  if (opts.xml.includes(STREAM_FILE)) await writeFile(path.join(dir, STREAM_FILE), alawTone());
  // Ports are checked free on the address SIPp binds, but another process can take one before SIPp
  // does (the suite starts hundreds of SIPp runs): SIPp then exits at once with "Unable to bind", and
  // we start it again on fresh ports rather than lose the call.
  for (let attempt = 1; ; attempt++) {
    const sipPort = opts.sipPort ?? (await udpPorts(opts.ip, 1, false));
    await rm(path.join(dir, 'errors.log'), { force: true });
    const args = [
      ...(opts.remote ? [opts.remote] : []),
      '-sf', sf,
      '-i', opts.ip,
      '-p', String(sipPort),
      '-mi', opts.ip,
      // SIPp's media uses the port, +1 (RTCP) and +2/+3 (video pair).
      '-mp', String(await udpPorts(opts.ip, 4, true)),
      // -aa answers the gateways' OPTIONS pings (and INFO/NOTIFY) outside any scenario.
      '-aa',
      '-nostdin',
      '-trace_msg', '-message_file', path.join(dir, 'messages.log'),
      '-trace_err', '-error_file', path.join(dir, 'errors.log'),
      ...(opts.calls ? ['-m', String(opts.calls), '-l', '1', '-timeout', '180s'] : []),
      // -r calls per -rp milliseconds: a rate below one a second is one call per 1000/rate ms.
      ...(opts.load ? ['-m', String(opts.load.calls), '-r', '1', '-rp', String(Math.round(1000 / opts.load.rate)), '-l', '10000', '-timeout', '600s'] : []),
    ];
    const child = spawn(SIPP_BIN, args, { cwd: dir, stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    const early = await Promise.race([exited, new Promise((r) => setTimeout(r, 150, 'running'))]);
    if (early !== 'running') {
      const errors = await readFile(path.join(dir, 'errors.log'), 'utf8').catch(() => '');
      if (BIND_FAILED.test(errors + stderr) && attempt < 5) continue;
      // A UAS runs until killed: one that exits at once refused its scenario (errors.log says why).
      if (!opts.calls && !opts.load) throw new Error(`sipp ${opts.name} exited at start (${String(early)}): ${errors}${stderr}`);
    }
    return sippRun(child, dir, sipPort, exited, () => stderr);
  }
}

function sippRun(child: ChildProcess, dir: string, sipPort: number, exited: Promise<number | null>, stderr: () => string): SippRun {
  const messages = async (): Promise<string> => {
    const files = (await readdir(dir)).filter((f) => f.startsWith('messages'));
    const all = await Promise.all(files.map((f) => readFile(path.join(dir, f), 'utf8').catch(() => '')));
    return all.join('\n') + stderr();
  };
  return {
    child,
    dir,
    sipPort,
    exited,
    messages,
    async invites() {
      const text = await messages();
      return text
        .split(/[A-Z]+ message received[^\n]*\n/)
        .slice(1)
        .map((m) => m.replace(/^\s+/, '').split(/\n-{10,}/)[0]!)
        .filter((m) => m.startsWith('INVITE '))
        .map((m) => {
          const lines = m.split(/\r?\n/);
          const headers: Record<string, string> = {};
          for (const l of lines.slice(1)) {
            if (l === '') break;
            const x = /^(X-[A-Za-z0-9-]+):\s*(.*)$/.exec(l);
            if (x) headers[x[1]!] = x[2]!;
          }
          return { requestUri: lines[0]!.split(' ')[1] ?? '', headers };
        });
    },
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
