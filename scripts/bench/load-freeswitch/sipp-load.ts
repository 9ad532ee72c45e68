// SIPp at load for `load-freeswitch`: one UAC placing every caller at a fixed rate, one UAS
// answering for every agent phone (each agent registers its own AOR with the UAS's address as
// Contact), one REGISTER run for all agents. Unlike the switch suite's runner (one call per
// process, every message traced to a file), nothing is traced: at 30+ calls/s the trace files
// would cost more than the calls.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { freePort } from '../../lib/free-port.ts';
import { SIPP_BIN } from '../../../server/test/switch/helpers/sipp.ts';

export interface SippProc {
  readonly child: ChildProcess;
  readonly sipPort: number;
  readonly exited: Promise<number | null>;
  /** SIPp's error log and stderr, the last 2 KB. */
  problems(): Promise<string>;
  kill(): Promise<void>;
}

const cdata = (s: string): string => `<![CDATA[\n${s.trim()}\n\n]]>`;

/**
 * Every agent's REGISTER with digest authentication, one after the other in one scenario (one
 * process instead of one per agent). Each AOR gets its own Call-ID, as separate phones would.
 */
export function registerAllXml(o: { users: readonly string[]; password: string; domain: string; contactHost: string; contactPort: number }): string {
  const req = (user: string, cseq: number, auth: string): string => `REGISTER sip:${o.domain} SIP/2.0
Via: SIP/2.0/[transport] [local_ip]:[local_port];branch=[branch]
From: <sip:${user}@${o.domain}>;tag=reg${user}-[pid]
To: <sip:${user}@${o.domain}>
Call-ID: reg-${user}-[pid]@[local_ip]
CSeq: ${cseq} REGISTER
Contact: <sip:${user}@${o.contactHost}:${o.contactPort}>
${auth}Expires: 3600
Max-Forwards: 70
Content-Length: 0`;
  const steps = o.users.map(
    (u) => `  <send retrans="500">${cdata(req(u, 1, ''))}</send>
  <recv response="401" auth="true"/>
  <send retrans="500">${cdata(req(u, 2, `[authentication username=${u} password=${o.password}]\n`))}</send>
  <recv response="200"/>`,
  );
  return `<?xml version="1.0" encoding="ISO-8859-1" ?>\n<scenario name="register-all">\n${steps.join('\n')}\n</scenario>\n`;
}

/** Starts SIPp on `xml`; `args` are the run's own (remote address, rate, call count...). */
export async function startSipp(o: { name: string; xml: string; ip: string; args: readonly string[] }): Promise<SippProc> {
  const dir = await mkdtemp(path.join(tmpdir(), `sipp-load-${o.name}-`));
  const sf = path.join(dir, 'scenario.xml');
  await writeFile(sf, o.xml);
  const sipPort = await freePort();
  const mediaPort = (await freePort()) & ~1;
  const child = spawn(
    SIPP_BIN,
    [...o.args, '-sf', sf, '-i', o.ip, '-p', String(sipPort), '-mi', o.ip, '-mp', String(mediaPort), '-aa', '-nostdin', '-trace_err', '-error_file', path.join(dir, 'errors.log')],
    { cwd: dir, stdio: ['ignore', 'ignore', 'pipe'] },
  );
  let stderr = '';
  child.stderr?.on('data', (d: Buffer) => (stderr = (stderr + d.toString()).slice(-2000)));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const problems = async (): Promise<string> => ((await readFile(path.join(dir, 'errors.log'), 'utf8').catch(() => '')).slice(-2000) + stderr).trim();
  // A UAS that exits at once refused its scenario or its port.
  const early = await Promise.race([exited, new Promise((r) => setTimeout(r, 300, 'running'))]);
  if (early !== 'running' && !o.args.includes('-m')) throw new Error(`sipp ${o.name} exited at start (${String(early)}): ${await problems()}`);
  return {
    child,
    sipPort,
    exited,
    problems,
    async kill() {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill('SIGKILL');
        await exited;
      }
      await rm(dir, { recursive: true, force: true });
    },
  };
}
