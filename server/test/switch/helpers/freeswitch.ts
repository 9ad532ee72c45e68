// The real FreeSWITCH 1.10.12 for the switch suite: the bundle named by FREESWITCH_BIN (default
// ../shared/freeswitch/run-freeswitch, run with bash), started on the project's own dialplan/ the
// way a site installs it: the directory is copied as it is and only vars.xml's values (addresses,
// ports, password) are replaced, plus one directory/default/<id>.xml per agent. Prompts are short
// generated tones (the bundle ships no sounds). One instance per test file; SIGKILL at the end.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { cp, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { connect } from 'node:net';
import { REPO } from '../../helpers/fsim.ts';
import { wavHeader } from './tones.ts';

export const FREESWITCH_BIN = process.env.FREESWITCH_BIN ?? path.resolve(REPO, '../shared/freeswitch/run-freeswitch');

/** Whether the suite can run; in CI (env CI set) a missing bundle is a failure, elsewhere a loud skip. */
export function freeswitchAvailability(): { ok: true } | { ok: false; why: string } {
  if (!existsSync(FREESWITCH_BIN)) return { ok: false, why: `no FreeSWITCH bundle at ${FREESWITCH_BIN} (set FREESWITCH_BIN)` };
  return { ok: true };
}

/** Site addresses on loopback: every peer has its own 127.0.0.x, as the dialplan's ACL wants. */
export const ADDR = {
  switch: '127.0.0.1',
  agents: '127.0.0.1',
  carrier: '127.0.0.2',
  gw110: '127.0.0.3',
  dept: '127.0.0.4',
} as const;

export interface SitePorts {
  esl: number;
  outbound: number;
  internalSip: number;
  externalSip: number;
  ws: number;
  wss: number;
  rtpStart: number;
  rtpEnd: number;
  carrier: number;
  gw110: number;
  dept: number;
  /** The inter-switch trunk's profile (hotline_peer); unused by a one-switch site, but bound. */
  peer: number;
}

export const ESL_PASSWORD = 'ClueCon-switch-suite';
export const AGENT_PASSWORD = 'agent-pass-1234';
export const DOMAIN = 'hotline.test';

/** The values a site puts in vars.xml; everything else in dialplan/ stays as the project ships it. */
export function siteVars(p: SitePorts): Record<string, string> {
  return {
    domain: DOMAIN,
    hotline_service_socket_addr: `127.0.0.1:${p.outbound}`,
    esl_listen_ip: '127.0.0.1',
    esl_listen_port: String(p.esl),
    esl_password: ESL_PASSWORD,
    esl_allowed_cidr: '127.0.0.1/32',
    carrier_host: ADDR.carrier,
    carrier_port: String(p.carrier),
    carrier_cidr: `${ADDR.carrier}/32`,
    gw_110_host: ADDR.gw110,
    gw_110_port: String(p.gw110),
    gw_110_cidr: `${ADDR.gw110}/32`,
    gw_110_addr_regex: `^${ADDR.gw110.replaceAll('.', '\\.')}$`,
    gw_dept_host: ADDR.dept,
    gw_dept_port: String(p.dept),
    gw_dept_cidr: `${ADDR.dept}/32`,
    peer_sip_port: String(p.peer),
    agent_default_password: AGENT_PASSWORD,
    internal_sip_port: String(p.internalSip),
    external_sip_port: String(p.externalSip),
    agent_ws_port: String(p.ws),
    agent_wss_port: String(p.wss),
    agent_candidate_acl: 'loopback.auto',
    sip_listen_ip: ADDR.switch,
    rtp_listen_ip: ADDR.switch,
    external_rtp_ip: ADDR.switch,
    external_sip_ip: ADDR.switch,
    rtp_start_port: String(p.rtpStart),
    rtp_end_port: String(p.rtpEnd),
    console_loglevel: 'warning',
  };
}

/** vars.xml with each named `set` line's value replaced; a name vars.xml does not set is an error. */
export function replaceVars(xml: string, vars: Record<string, string>): string {
  let out = xml;
  for (const [name, value] of Object.entries(vars)) {
    const re = new RegExp(`(<X-PRE-PROCESS cmd="set" data="${name}=)[^"]*(")`);
    if (!re.test(out)) throw new Error(`vars.xml sets no ${name}`);
    out = out.replace(re, (_m, a: string, b: string) => `${a}${value}${b}`);
  }
  return out;
}

/** An 8 kHz 16-bit mono PCM WAV of a tone (FreeSWITCH plays it through mod_sndfile). */
export function toneWav(ms: number, hz = 440): Buffer {
  const n = Math.round((8000 * ms) / 1000);
  const data = Buffer.alloc(n * 2);
  for (let i = 0; i < n; i++) data.writeInt16LE(Math.round(8000 * Math.sin((2 * Math.PI * hz * i) / 8000)), i * 2);
  return Buffer.concat([wavHeader(1, n * 2), data]);
}

/** Prompt lengths (ms) the scenarios rely on; anything else the service plays is 300 ms. */
export const PROMPT_MS: Record<string, number> = {
  'welcome-12345.wav': 1000,
  'welcome-enterprise.wav': 1000,
  'from-110.wav': 1000,
};
const OTHER_PROMPTS = [
  ...Array.from({ length: 20 }, (_, i) => `position-${i + 1}.wav`),
  'position-more.wav',
  ...Array.from({ length: 30 }, (_, i) => `wait-minutes-${i + 1}.wav`),
  'menu.wav', 'invalid.wav', 'timeout.wav', 'after-hours.wav', 'callback-confirmed.wav', 'service_unavailable.wav', 'survey.wav', 'survey-thanks.wav',
];

export interface RealSwitch {
  readonly ports: SitePorts;
  readonly confDir: string;
  readonly soundsDir: string;
  readonly eslPassword: string;
  /** SIGKILL (tests throw instances away). */
  kill(): Promise<void>;
  /** Lines of the instance's log at or above [ERR] (start-up problems, crashes). */
  errors(): Promise<string[]>;
  readonly process: ChildProcess;
}

async function eslAnswers(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = connect(port, '127.0.0.1');
    s.once('data', (d) => {
      s.destroy();
      resolve(d.toString().includes('auth/request'));
    });
    s.once('error', () => resolve(false));
    setTimeout(() => {
      s.destroy();
      resolve(false);
    }, 1000).unref();
  });
}

export async function startFreeswitch(opts: {
  ports: SitePorts;
  agents: readonly string[];
  /** Further vars.xml values over siteVars() (a second switch's node name, its peer trunk). */
  vars?: Record<string, string>;
  /** Last changes to the copied conf before the switch starts (benchmarks: limits, extra modules). */
  prepare?: (confDir: string) => Promise<void>;
}): Promise<RealSwitch> {
  const root = await mkdtemp(path.join(tmpdir(), 'hotline-fs-'));
  const confDir = path.join(root, 'conf');
  const base = path.join(root, 'state');
  const soundsDir = path.join(root, 'sounds');
  await cp(path.join(REPO, 'dialplan'), confDir, { recursive: true });
  const varsPath = path.join(confDir, 'vars.xml');
  await writeFile(varsPath, replaceVars(await readFile(varsPath, 'utf8'), { ...siteVars(opts.ports), ...opts.vars }));
  for (const id of opts.agents) {
    const file = path.join(confDir, 'directory/default', `${id}.xml`);
    if (existsSync(file)) continue;
    await writeFile(file, `<include>\n  <user id="${id}">\n    <params>\n      <param name="password" value="$\${agent_default_password}"/>\n    </params>\n    <variables>\n      <variable name="effective_caller_id_number" value="${id}"/>\n    </variables>\n  </user>\n</include>\n`);
  }
  await mkdir(path.join(soundsDir, 'hotline'), { recursive: true });
  await mkdir(path.join(soundsDir, 'music/8000'), { recursive: true });
  for (const [name, ms] of Object.entries(PROMPT_MS)) await writeFile(path.join(soundsDir, 'hotline', name), toneWav(ms, 440));
  for (const name of OTHER_PROMPTS) await writeFile(path.join(soundsDir, 'hotline', name), toneWav(300, 660));
  await writeFile(path.join(soundsDir, 'music/8000', 'hold.wav'), toneWav(2000, 330));
  await mkdir(base, { recursive: true });
  await opts.prepare?.(confDir);

  const child = spawn('bash', [FREESWITCH_BIN, '-nf', '-nc', '-base', base, '-conf', confDir, '-sounds', soundsDir], {
    stdio: ['ignore', 'ignore', 'pipe'],
    detached: false,
  });
  let stderr = '';
  child.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
  // 3-5 s on a quiet machine; a loaded 2-core CI machine once needed more than 20 s.
  const deadline = Date.now() + 45_000;
  while (!(await eslAnswers(opts.ports.esl))) {
    if (child.exitCode !== null) throw new Error(`FreeSWITCH exited at start (${child.exitCode}): ${stderr}`);
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`FreeSWITCH did not open ESL on ${opts.ports.esl} within 45 s: ${stderr}`);
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  const logFile = path.join(base, 'log', 'freeswitch.log');
  return {
    ports: opts.ports,
    confDir,
    soundsDir,
    eslPassword: ESL_PASSWORD,
    process: child,
    async kill() {
      if (child.exitCode === null && child.signalCode === null) {
        const exited = new Promise((r) => child.once('exit', r));
        child.kill('SIGKILL');
        await exited;
      }
      if (!process.env.HOTLINE_TEST_KEEP_FS) await rm(root, { recursive: true, force: true });
    },
    async errors() {
      const log = await readFile(logFile, 'utf8').catch(() => '');
      return log.split('\n').filter((l) => /\[(ERR|CRIT|ALERT)\]/.test(l));
    },
  };
}
