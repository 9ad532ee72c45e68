// SIPp at load for `load-freeswitch`: one UAC placing every caller at a fixed rate, one UAS
// answering for every agent phone (each agent registers its own AOR with the UAS's address as
// Contact). Unlike the switch suite's runner (one call per
// process, every message traced to a file), nothing is traced: at 30+ calls/s the trace files
// would cost more than the calls.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { ADDR, AGENT_PASSWORD, DOMAIN } from '../../../server/test/switch/helpers/freeswitch.ts';
import { registerXml } from '../../../server/test/switch/helpers/sipp-scenarios.ts';
import { runSipp, SIPP_BIN, udpPorts } from '../../../server/test/switch/helpers/sipp.ts';

export interface SippProc {
  readonly child: ChildProcess;
  readonly sipPort: number;
  readonly exited: Promise<number | null>;
  /** SIPp's error log and stderr, the last 2 KB. */
  problems(): Promise<string>;
  kill(): Promise<void>;
}

/**
 * Registers every agent with digest authentication, its Contact the agents' UAS: the switch
 * suite's REGISTER scenario, one short SIPp run per agent, `batch` at a time. (One run for all with
 * the user from an injection file does not work: SIPp 3.6 does not expand [field0] inside
 * [authentication username=...].)
 */
export async function registerAgents(o: { users: readonly string[]; remote: string; contactPort: number; batch?: number }): Promise<void> {
  const batch = o.batch ?? 20;
  for (let i = 0; i < o.users.length; i += batch)
    await Promise.all(
      o.users.slice(i, i + batch).map(async (user) => {
        const reg = await runSipp({
          name: `reg${user}`,
          xml: registerXml({ user, password: AGENT_PASSWORD, domain: DOMAIN, contactHost: ADDR.agents, contactPort: o.contactPort }),
          remote: o.remote,
          ip: ADDR.agents,
          calls: 1,
        });
        const code = await reg.exited;
        const trace = code === 0 ? '' : (await reg.messages()).slice(-1500);
        reg.kill();
        await rm(reg.dir, { recursive: true, force: true });
        if (code !== 0) throw new Error(`agent ${user} did not register (sipp ${code}): ${trace}`);
      }),
    );
}

/** Starts SIPp on `xml` in a temp dir of its own; `args` are the run's own (remote address, rate, call count...). */
export async function startSipp(o: { name: string; xml: string; ip: string; args: readonly string[]}): Promise<SippProc> {
  const dir = await mkdtemp(path.join(tmpdir(), `sipp-load-${o.name}-`));
  const sf = path.join(dir, 'scenario.xml');
  await writeFile(sf, o.xml);
  // UDP ports checked free (SIP and RTP are UDP), the media base with the three after it (RTCP, the
  // video pair): an even port below a TCP-free one was once already bound, and the agents' SIPp
  // failed with "Unable to bind audio RTP socket ... errno = 98".
  const sipPort = await udpPorts(o.ip, 1, false);
  const mediaPort = await udpPorts(o.ip, 4, true);
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
