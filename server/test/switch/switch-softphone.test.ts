// Issue #11, the agent's own softphone on the real FreeSWITCH: the built softphone-web in Chromium
// registers with SIP.js over WebSocket to the internal profile's ws-binding, a SIPp caller (with
// PCMA audio) dials 12345, the agent answers with the screen pop's button, and the switch's own
// events show the bridge and its RTP counters: packets in both directions on the agent's WebRTC
// (DTLS-SRTP) leg and none lost once media flows. The agent hangs up from the softphone; the CDR says answered.
// Screenshots: artifacts/softphone/switch-ws-*.png.
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import t from 'tap';
import type { Page } from 'playwright-core';
import { hashPassword } from '../../src/auth/passwords.ts';
import { DEFAULT_STATIC_DIR } from '../../src/routes/softphone.ts';
import { haveChromium, openBrowser } from '../helpers/browser.ts';
import { REPO } from '../helpers/fsim.ts';
import { AGENT_PASSWORD, DOMAIN } from './helpers/freeswitch.ts';
import { switchSuite } from './helpers/suite.ts';
import { withService } from './helpers/world-service.ts';
import type { TapEvent } from './helpers/event-tap.ts';
import { sleep, until, type World } from './helpers/world.ts';

const suite = switchSuite(t);
const tid = (id: string): string => `[data-testid="${id}"]`;
const AGENT = '1020';
const LOGIN_PASSWORD = 'agent-login-5678';

/** A users file with the agent's login and the SIP password its softphone registers with. */
async function usersEnv(): Promise<Record<string, string>> {
  const dir = await mkdtemp(path.join(tmpdir(), 'switch-users-'));
  const file = path.join(dir, 'users.json');
  const users = [{ username: AGENT, role: 'agent', agentId: AGENT, passwordHash: await hashPassword(LOGIN_PASSWORD), sipPassword: AGENT_PASSWORD }];
  await writeFile(file, JSON.stringify({ users }));
  return { HOTLINE_AUTH_USERS_PATH: file, HOTLINE_AUTH_JWT_SECRET: 'switch-softphone-test-secret-0123456789' };
}

async function cdrOf(w: World, uuid: string): Promise<Record<string, unknown>> {
  return until(`CDR of ${uuid.slice(0, 8)}`, async () => {
    const entries = await w.redis.xrange(`${w.config.redis.keyPrefix}:cdr`, '-', '+');
    const e = entries.find(([, f]) => f[1] === uuid);
    return e && (JSON.parse(e[1][3]!) as Record<string, unknown>);
  }, 20_000);
}

async function logIn(page: Page, base: string): Promise<void> {
  await page.goto(`${base}/`);
  await page.fill(tid('login-username'), AGENT);
  await page.fill(tid('login-password'), LOGIN_PASSWORD);
  await page.press(tid('login-password'), 'Enter');
  await page.waitForSelector(tid('agent-state'));
}

suite.raw('the softphone (SIP.js in Chromium) over ws: answer, RTP both ways with none lost after set-up, hang up from the softphone', async (t, site) => {
  t.ok(haveChromium(), 'chromium is installed (apt-get install chromium)');
  // The switch suite does not build the softphone (npm test does): build it once if it is missing.
  if (!existsSync(path.join(DEFAULT_STATIC_DIR, 'index.html'))) await promisify(execFile)('npm', ['run', 'build', '-w', 'softphone-web'], { cwd: REPO });
  const bare = await site.bare(t, { gateways: {} });
  if (!bare.agentWsUrl) throw new Error('this backend has no ws-binding for WebRTC phones');
  const w = await withService(t, {
    ...bare,
    env: {
      ...bare.env,
      ...(await usersEnv()),
      HOTLINE_HTTP_PORT: '0',
      HOTLINE_DESK_PHONE: JSON.stringify({ kind: 'sip', wssUrl: bare.agentWsUrl, domain: DOMAIN }),
      HOTLINE_ACD_WRAP_UP_SEC: '0',
    },
  });
  await w.calls.acd.agents.create({ id: AGENT, name: '王芳', phone: `user/${AGENT}`, skills: { general: 5 } });
  const base = `http://127.0.0.1:${(w.service.app.server.address() as { port: number }).port}`;
  const b = await openBrowser(t, 'switch-ws');
  // Keep the page's peer connections where the test can read their stats (SIP.js does not expose
  // them); the page still gets the browser's own RTCPeerConnection.
  await b.context.addInitScript(() => {
    const Native = window.RTCPeerConnection;
    const pcs: RTCPeerConnection[] = [];
    (window as unknown as { testPeerConnections: RTCPeerConnection[] }).testPeerConnections = pcs;
    window.RTCPeerConnection = class extends Native {
      constructor(config?: RTCConfiguration) {
        super(config);
        pcs.push(this);
      }
    };
  });
  const consoleLines: string[] = [];
  b.page.on('console', (m) => consoleLines.push(`${m.type()}: ${m.text()}`));
  await logIn(b.page, base);

  // Registered over ws: the softphone says so, and so does the switch.
  await b.page.waitForSelector(`${tid('phone-badge')}[data-kind="sip"][data-status="ready"]`, { timeout: 20_000 }).catch((err: Error) => {
    throw new Error(`${err.message}\nbrowser console:\n${consoleLines.join('\n')}`);
  });
  const regs = await w.tap.api('sofia status profile internal reg');
  t.match(regs, new RegExp(`${AGENT}@${DOMAIN.replace('.', '\\.')}`), 'the switch has the agent registered on the internal profile');
  t.match(regs, /transport=ws/i, 'over WebSocket');
  await b.shot('registered');

  await b.page.click(tid('btn-ready'));
  await until(`${AGENT} ready`, async () => (await w.calls.acd.agents.get(AGENT))?.state === 'ready');
  const caller = await w.call({ from: '13800000301', to: '12345', audio: true, hangupAfterMs: 60_000 });
  const callId = await caller.uuid();
  await b.page.waitForSelector(tid('screen-pop'), { timeout: 20_000 });
  await b.shot('ringing');
  await b.page.click(tid('btn-answer'));
  await b.page.waitForSelector(tid('call-panel'), { timeout: 10_000 });

  // The bridge, from the switch's own events.
  const leg = await until('the agent leg', () => w.tap.legsOf(callId, 'agent')[0]);
  // Named after the contact SIP.js registered (a random user @<random>.invalid), not the agent id.
  t.match(leg.get('Channel-Name'), /^sofia\/internal\/[^@]+@[a-z0-9]+\.invalid$/, `the agent leg is a sofia/internal channel to the ws contact (${leg.get('Channel-Name')})`);
  t.equal(leg.get('variable_presence_id'), `${AGENT}@${DOMAIN}`, "rung through the directory's dial-string for the agent");
  await until('agent leg answered', () => w.tap.of(leg.uuid, 'CHANNEL_ANSWER')[0], 15_000);
  const bridge = await until('bridge of caller and agent', () =>
    w.tap.events.find((e) => e.name === 'CHANNEL_BRIDGE' && [e.uuid, e.get('Other-Leg-Unique-ID')].includes(callId) && [e.uuid, e.get('Other-Leg-Unique-ID')].includes(leg.uuid)), 15_000);
  t.ok(bridge, 'the switch bridged the caller to the softphone');
  t.match(await w.tap.api(`uuid_getvar ${leg.uuid} rtp_has_crypto`), /AES|AEAD/, 'the agent leg is SRTP (DTLS-SRTP from the browser)');

  // Talk until SIPp's pcap (about 4.6 s from the caller's answer) has played out, at least 4 s.
  const callerAnswerMs = w.tap.of(callId, 'CHANNEL_ANSWER')[0]!.tsUs / 1000;
  await sleep(Math.max(4000, callerAnswerMs + 7000 - Date.now()));
  await b.shot('talking');
  // The browser stops sending (replaceTrack(null) sends no RTP at all) so that its count of packets
  // sent is final before the switch's is taken at hang-up: equal counts mean none lost on the way.
  const browser = await b.page.evaluate(async () => {
    const pc = (window as unknown as { testPeerConnections: RTCPeerConnection[] }).testPeerConnections.at(-1);
    const out: Record<string, number> = {};
    if (!pc) return out;
    await Promise.all(pc.getSenders().map((s) => s.replaceTrack(null)));
    await new Promise((r) => setTimeout(r, 1000));
    (await pc.getStats()).forEach((r: Record<string, unknown>) => {
      if (r.kind !== 'audio') return;
      if (r.type === 'inbound-rtp') Object.assign(out, { received: r.packetsReceived, lost: r.packetsLost });
      if (r.type === 'outbound-rtp') Object.assign(out, { sent: r.packetsSent });
      // The switch's RTCP receiver reports (shown only: its cumulative-lost figure counts from its own base).
      if (r.type === 'remote-inbound-rtp') Object.assign(out, { rtcpLost: r.packetsLost, rtcpReports: r.reportsReceived });
    });
    return out;
  });
  t.comment(`browser's RTP stats: ${JSON.stringify(browser)}`);
  t.equal(browser.lost, 0, 'no packet from the switch lost (browser inbound-rtp packetsLost)');
  await b.page.click(tid('btn-hangup'));
  const end = await until('agent leg hung up', () => w.tap.of(leg.uuid, 'CHANNEL_HANGUP_COMPLETE')[0], 15_000);
  await caller.done;
  await b.shot('hung-up');

  const stat = (e: TapEvent, k: string): number => Number(e.get(`variable_rtp_audio_${k}`) ?? NaN);
  const seen = Object.fromEntries(['in_packet_count', 'in_media_packet_count', 'in_flush_packet_count', 'in_cng_packet_count', 'out_media_packet_count', 'in_flaw_total', 'in_jitter_loss_rate', 'in_skip_packet_count', 'in_quality_percentage'].map((k) => [k, stat(end, k)]));
  t.comment(`agent leg RTP (${end.get('variable_read_codec')}): ${JSON.stringify(seen)}`);
  // At 20 ms a packet, 4 s of talk is ~200 packets each way. The switch sends the agent what the
  // caller sends: SIPp's pcap (about 4.5 s of PCMA), so "out" is bounded by that, not by the talk.
  t.ok(seen.in_media_packet_count! > 150, `packets from the browser to the switch: ${seen.in_media_packet_count}`);
  // The switch relays the caller's audio: what is left of SIPp's 4.6 s pcap when the agent answers.
  t.ok(seen.out_media_packet_count! > 50, `packets from the switch to the browser: ${seen.out_media_packet_count}`);
  t.equal(seen.out_media_packet_count, browser.received, 'the browser received every packet the switch sent');
  // Browser to switch: once media flows no sequence number is missing (loss rate 0 below), but the
  // browser's count is 1-3 above the switch's in every run: packets sent as DTLS-SRTP comes up,
  // before the switch takes its first one (its RTCP reports 1 lost from that base).
  const setupGap = browser.sent! - seen.in_packet_count!;
  t.ok(setupGap >= 0 && setupGap <= 5, `the switch received all the browser sent but ${setupGap} at set-up (${seen.in_packet_count} of ${browser.sent})`);
  // Lost packets are sequence-number gaps: the switch's loss rate (check_jitter) stays 0. Its skip
  // and flaw counts are not losses: they count read-timer ticks that found no packet yet (a few
  // while ICE and DTLS-SRTP come up, more when this 2-core machine is busy), so they are only shown.
  t.equal(seen.in_jitter_loss_rate, 0, 'no packet lost from the browser (rtp_audio_in_jitter_loss_rate 0)');
  const callerEnd = await until('caller leg hung up', () => w.tap.of(callId, 'CHANNEL_HANGUP_COMPLETE')[0]);
  t.ok(stat(callerEnd, 'in_media_packet_count') > 150, 'the caller sent audio (PCMA from SIPp)');
  t.ok(stat(callerEnd, 'out_media_packet_count') > 150, "the caller got the browser's audio through the bridge (opus to PCMA)");
  t.equal(end.get('Hangup-Cause'), 'NORMAL_CLEARING', 'the softphone hung up normally');

  t.equal((await cdrOf(w, callId)).outcome, 'answered', 'the CDR says answered');
  t.same(b.errors, [], 'no uncaught errors in the page');
}, { realOnly: 'fsim has no WebRTC media (no ws-binding, ICE or DTLS-SRTP): the softphone can only register to a real switch', timeout: 120_000 });
