// Starts the real FreeSWITCH 1.10.12 bundle (../shared/freeswitch, see its README) for the
// differential test: a throwaway -base dir and a temp conf made of the bundle's example-conf plus the
// test's own dialplan file, ports of its own. Nothing is written into the bundle or the project.
import { spawn, type ChildProcess } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { EslTestClient } from './esl-test-client.ts';

const HERE = path.dirname(fileURLToPath(import.meta.url));
/** The bundle: FREESWITCH_BIN when set (its run-freeswitch), else the shared checkout's. */
export const BUNDLE = process.env.FREESWITCH_BIN
  ? path.dirname(process.env.FREESWITCH_BIN)
  : path.resolve(HERE, '../../../../../shared/freeswitch');

export function bundlePresent(): boolean {
  return existsSync(path.join(BUNDLE, 'run-freeswitch')) && existsSync(path.join(BUNDLE, 'example-conf'));
}

/** A free TCP port on 127.0.0.1 (also used for UDP: SIP listens on both). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const a = s.address();
      const port = typeof a === 'object' && a ? a.port : 0;
      s.close(() => resolve(port));
    });
  });
}

export interface RealSwitch {
  readonly eslPort: number;
  readonly sipPort: number;
  /** The agents' profile `internal` (digest registration, as dialplan/sip_profiles/internal.xml). */
  readonly internalSipPort: number;
  /** The temp conf dir (its dialplan/ holds the test's file). */
  readonly confDir: string;
  stop(): Promise<void>;
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/**
 * Start FreeSWITCH with example-conf plus `dialplanXml` written as dialplan/differential.xml (the
 * example's own default.xml is removed: the test's file owns context `default`). Resolves once an
 * ESL client can authenticate.
 */
/** Directory users that register on the `internal` profile, with this password. */
export const INTERNAL_USERS = ['agent7'] as const;
export const INTERNAL_PASSWORD = 'diff-agent-pass';

/**
 * The agents' side as the project configures it: profile `internal` with digest-authenticated
 * registration (late negotiation off, no presence), and the directory's dial-string that `user/<id>`
 * expands to the registered contact (dialplan/directory/default.xml).
 */
// FreeSWITCH variables, expanded by the switch (not JavaScript placeholders).
const DIAL_STRING = '{^^:sip_invite_domain=${dialed_domain}:presence_id=${dialed_user}@${dialed_domain}}${sofia_contact(*/${dialed_user}@${dialed_domain})}';

function addInternalProfile(confDir: string, port: number): void {
  const sofia = path.join(confDir, 'autoload_configs', 'sofia.conf.xml');
  writeFileSync(sofia, readFileSync(sofia, 'utf8').replace('</profiles>', () => `  <profile name="internal">
      <settings>
        <param name="sip-ip" value="$\${sip_ip}"/>
        <param name="rtp-ip" value="$\${sip_ip}"/>
        <param name="sip-port" value="${port}"/>
        <param name="context" value="default"/>
        <param name="dialplan" value="XML"/>
        <param name="inbound-codec-prefs" value="$\${codecs}"/>
        <param name="outbound-codec-prefs" value="$\${codecs}"/>
        <param name="inbound-codec-negotiation" value="generous"/>
        <param name="rtp-timer-name" value="soft"/>
        <param name="dtmf-type" value="rfc2833"/>
        <param name="auth-calls" value="true"/>
        <param name="challenge-realm" value="auto_from"/>
        <param name="manage-presence" value="false"/>
        <param name="tls" value="false"/>
      </settings>
    </profile>
  </profiles>`));
  const dir = path.join(confDir, 'directory', 'default.xml');
  const users = INTERNAL_USERS.map((u) => `<user id="${u}"><params><param name="password" value="${INTERNAL_PASSWORD}"/></params></user>`).join('\n          ');
  writeFileSync(dir, readFileSync(dir, 'utf8')
    .replace('<groups>', () => `<params>\n      <param name="dial-string" value="${DIAL_STRING}"/>\n    </params>\n    <groups>`)
    .replace('<users>', () => `<users>\n          ${users}`));
}

export async function startRealSwitch(dialplanXml: string): Promise<RealSwitch> {
  const base = mkdtempSync(path.join(tmpdir(), 'fsim-diff-base-'));
  const confDir = mkdtempSync(path.join(tmpdir(), 'fsim-diff-conf-'));
  cpSync(path.join(BUNDLE, 'example-conf'), confDir, { recursive: true });
  rmSync(path.join(confDir, 'dialplan', 'default.xml'));
  writeFileSync(path.join(confDir, 'dialplan', 'differential.xml'), dialplanXml);
  // The profile as the project's carrier-facing one (dialplan/sip_profiles/external.xml) and the
  // capture box: late negotiation (codecs at answer, not on the INVITE), no presence.
  const sofia = path.join(confDir, 'autoload_configs', 'sofia.conf.xml');
  writeFileSync(sofia, readFileSync(sofia, 'utf8').replace('<param name="auth-calls" value="false"/>',
    '<param name="auth-calls" value="false"/>\n        <param name="inbound-late-negotiation" value="true"/>\n        <param name="inbound-codec-negotiation" value="generous"/>'));
  const eslPort = await freePort();
  const sipPort = await freePort();
  const internalSipPort = await freePort();
  addInternalProfile(confDir, internalSipPort);
  const rtp = 30000 + Math.floor(Math.random() * 200) * 100;
  const fs: ChildProcess = spawn('bash', [path.join(BUNDLE, 'run-freeswitch'), '-nf', '-nc', '-base', base, '-conf', confDir], {
    env: {
      ...process.env,
      FREESWITCH_ESL_PORT: String(eslPort),
      FREESWITCH_SIP_PORT: String(sipPort),
      FREESWITCH_RTP_START: String(rtp),
      FREESWITCH_RTP_END: String(rtp + 98),
    },
    stdio: 'ignore',
    detached: true,
  });
  const exited = new Promise<void>((r) => fs.once('exit', () => r()));
  const stop = async (): Promise<void> => {
    // A throwaway instance: SIGKILL to its process group (the launcher and freeswitch).
    try {
      if (fs.pid) process.kill(-fs.pid, 'SIGKILL');
    } catch {
      /* already gone */
    }
    await Promise.race([exited, sleep(2000)]);
    rmSync(base, { recursive: true, force: true });
    rmSync(confDir, { recursive: true, force: true });
  };
  for (let i = 0; i < 150; i++) {
    await sleep(100);
    if (fs.exitCode !== null) break;
    try {
      const c = await EslTestClient.connect(eslPort);
      const ok = await c.command('auth ClueCon').then((m) => m.header('Reply-Text') === '+OK accepted', () => false);
      c.close();
      // sofia's profile comes up a little after the event socket.
      if (ok) {
        await sleep(500);
        return { eslPort, sipPort, internalSipPort, confDir, stop };
      }
    } catch {
      /* not listening yet */
    }
  }
  await stop();
  throw new Error('FreeSWITCH did not start within 15 s');
}
