// Issue #14, QA in real Chromium against the whole service and fsim: a call whose agent hangs up
// first, the caller rates it "not satisfied" (key 3) in the survey, so it is in the agent's QA
// sample; the QA user opens /qa, plays the recording (fetched with the bearer, played from a blob;
// the playback is audited under the user) and scores the call on the scorecard; the score is in
// the per-agent QA report. Roles: a supervisor may play but not score, an agent neither.
//
// fsim has no media and writes no WAV (scripts/fsim/test/FIDELITY-GAPS.md D8): the test puts a
// generated WAV at the path the CDR names, where FreeSWITCH would have written it (the real
// switch's file is checked in server/test/switch/switch-recording.test.ts).
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import t from 'tap';
import { eventually, startHarness, type Harness } from './helpers/service.ts';
import { haveChromium, openBrowser } from './helpers/browser.ts';
import { toneWav } from './switch/helpers/freeswitch.ts';

const tid = (id: string): string => `[data-testid="${id}"]`;

async function addAgent(h: Harness, id: string): Promise<void> {
  h.fsim.sw.registerUser(id, { answerAfterMs: 300, hangupAfterMs: 1500 });
  const acd = h.service.calls!.acd;
  await acd.agents.create({ id, name: `坐席${id}`, phone: `user/${id}`, skills: { general: 5 }, groups: ['demo'] });
  await acd.agents.apply(id, { type: 'login' }, 'test');
  acd.agentBecameReady(id);
}

t.test('QA: the unsatisfied call is sampled, its recording played (audited) and scored in the browser', async (t) => {
  t.ok(haveChromium(), 'chromium is installed');
  const dir = await mkdtemp(path.join(tmpdir(), 'hotline-qa-rec-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  const h = await startHarness(t, { timeScale: 1, env: { HOTLINE_RECORDING_DIR: dir, HOTLINE_ACD_WRAP_UP_SEC: '1' } });
  const calls = h.service.calls!;
  await eventually('connected', () => calls.nodeStatus()[0]?.connected);
  await addAgent(h, '1001');

  const { uuid } = (await h.control('/calls', { from: '13800000301', to: '12345', profile: 'external', dtmf: [{ afterMs: 10_000, digits: '3' }] })).json as { uuid: string };
  const qaCall = await eventually('the call reached QA', async () => calls.qa.sampleOf(new Date(Date.now() + 8 * 3_600_000).toISOString().slice(0, 10)).then((s) => s.find((x) => x.callId === uuid)), 30_000);
  t.equal(qaCall.reason, 'not-satisfied', 'an unsatisfied rating is always sampled');
  t.equal(qaCall.rating, 'not-satisfied');
  t.match(qaCall.recordingPath, new RegExp(`^${dir}/\\d{4}-\\d{2}-\\d{2}/${uuid}\\.wav$`), 'the recording path from the switch');
  await mkdir(path.dirname(qaCall.recordingPath!), { recursive: true });
  await writeFile(qaCall.recordingPath!, toneWav(1500, 440));

  const base = `http://127.0.0.1:${(h.service.app.server.address() as { port: number }).port}`;
  const b = await openBrowser(t, 'qa');
  await b.page.setViewportSize({ width: 1400, height: 900 });
  await b.page.goto(`${base}/qa`);
  await b.page.fill(tid('login-username'), 'qa');
  await b.page.fill(tid('login-password'), 'demo12345');
  await b.page.press(tid('login-password'), 'Enter');
  await b.page.waitForSelector(tid(`qa-row-${uuid}`));
  t.match(await b.page.textContent(tid(`qa-reason-${uuid}`)), /不满意/, 'the reason, in Chinese');
  await b.shot('qa-sample');

  await b.page.click(tid(`qa-play-${uuid}`));
  await b.page.waitForSelector(tid(`qa-audio-${uuid}`));
  const duration = await b.page.$eval(tid(`qa-audio-${uuid}`), (a) => new Promise<number>((resolve) => {
    const el = a as HTMLAudioElement;
    if (el.readyState >= 1) resolve(el.duration);
    else el.addEventListener('loadedmetadata', () => resolve(el.duration), { once: true });
  }));
  t.ok(Math.abs(duration - 1.5) < 0.05, `the browser decoded the recording (${duration} s)`);
  const audit = await calls.ops.store.auditTrail(5);
  t.match(audit.find((e) => e.action === 'recording:play'), { by: 'qa:qa', target: uuid }, 'the playback is audited with the user');

  for (const [item, score] of [['greeting', 100], ['accuracy', 50], ['ticket', 80], ['attitude', 60]] as const) await b.page.fill(tid(`qa-item-${uuid}-${item}`), String(score));
  await b.page.click(tid(`qa-submit-${uuid}`));
  // 100*20 + 50*40 + 80*25 + 60*15 = 6900 / 100.
  await b.page.waitForFunction((id) => document.querySelector(`[data-testid="qa-total-${id}"]`)?.textContent === '69', uuid, { timeout: 10_000 });
  t.match(await b.page.textContent(tid('qa-report-1001')), /1\s*1\s*69/, 'the per-agent report: sampled 1, scored 1, mean 69');
  await b.shot('qa-scored');
  await b.page.click(tid('lang-toggle'));
  t.match(await b.page.textContent(tid(`qa-reason-${uuid}`)), /Not satisfied/, 'English available');
  await b.shot('qa-english');
  t.same(b.errors, [], 'no uncaught errors in the page');

  // Roles, through the same API the page uses.
  const login = async (username: string) => ((await (await fetch(`${base}/api/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username, password: 'demo12345' }) })).json()) as { token: string }).token;
  const as = async (user: string, url: string, init: RequestInit = {}) => (await fetch(`${base}${url}`, { ...init, headers: { 'content-type': 'application/json', authorization: `Bearer ${await login(user)}` } })).status;
  t.equal(await as('supervisor', `/api/recordings/${uuid}`), 200, 'a supervisor may play');
  t.equal(await as('1000', `/api/recordings/${uuid}`), 403, 'an agent may not');
  t.equal(await as('supervisor', '/api/qa/scores', { method: 'POST', body: JSON.stringify({ callId: uuid, items: { greeting: 1, accuracy: 1, ticket: 1, attitude: 1 } }) }), 403, 'a supervisor may not score');
  t.equal(await as('qa', '/api/qa/scores', { method: 'POST', body: JSON.stringify({ callId: uuid, items: { greeting: 1 } }) }), 400, 'a partial score is refused');
  t.equal(await as('qa', '/api/recordings/00000000-0000-4000-8000-000000000000'), 404, 'no such recording');
  t.equal((await calls.ops.store.auditTrail(10)).filter((e) => e.action === 'recording:play').length, 2, 'two playbacks, two audit entries');
});
