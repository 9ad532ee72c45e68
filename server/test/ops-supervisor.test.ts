// The supervisor console in real Chromium against the whole service and fsim: the demo supervisor
// sees only the agents of its group, live (a call shows up with its caller), forces one not ready
// with a reason and then logs it out; both changes are in the agent's audit trail under the
// supervisor's name. Screenshots in artifacts/softphone/.
import t from 'tap';
import { eventually, startHarness, type Harness } from './helpers/service.ts';
import { haveChromium, openBrowser } from './helpers/browser.ts';

const tid = (id: string): string => `[data-testid="${id}"]`;

async function addAgent(h: Harness, id: string, groups: string[]): Promise<void> {
  h.fsim.sw.registerUser(id, { answerAfterMs: 300, hangupAfterMs: 4000 });
  const acd = h.service.calls!.acd;
  await acd.agents.create({ id, name: `坐席${id}`, phone: `user/${id}`, skills: { general: 5 }, groups });
  await acd.agents.apply(id, { type: 'login' }, 'test');
  acd.agentBecameReady(id);
}

t.test('supervisor console: own group only, live call, forced not-ready and logout, audited', async (t) => {
  t.ok(haveChromium(), 'chromium is installed');
  const h = await startHarness(t, { timeScale: 1, env: { HOTLINE_ACD_WRAP_UP_SEC: '1' } });
  const calls = h.service.calls!;
  await eventually('connected', () => calls.nodeStatus()[0]?.connected);
  await addAgent(h, '1001', ['demo']);
  await addAgent(h, '1002', ['north']);
  await calls.acd.agents.apply('1002', { type: 'notReady', reason: 'training' }, 'test');
  const base = `http://127.0.0.1:${(h.service.app.server.address() as { port: number }).port}`;

  const b = await openBrowser(t, 'supervisor');
  await b.page.setViewportSize({ width: 1600, height: 900 });
  await b.page.goto(`${base}/`);
  await b.page.fill(tid('login-username'), 'supervisor');
  await b.page.fill(tid('login-password'), 'demo12345');
  await b.page.press(tid('login-password'), 'Enter');
  await b.page.waitForURL(/\/supervisor$/);
  await b.page.waitForSelector(tid('sv-agent-1001'));
  t.equal(await b.page.$(tid('sv-agent-1002')), null, 'an agent of another group is not shown');

  const { uuid } = (await h.control('/calls', { from: '13800000201', to: '12345', profile: 'external' })).json as { uuid: string };
  await b.page.waitForFunction(() => document.querySelector('[data-testid="sv-agent-1001"]')?.getAttribute('data-state') === 'on-call', undefined, { timeout: 20_000 });
  t.match(await b.page.textContent(tid('sv-call-1001')), /13800000201/, 'the current call with its caller');
  t.ok(calls.registry.get(uuid)?.connectedUs, 'the call is connected');
  await b.shot('supervisor-on-call');

  await b.page.waitForFunction(() => document.querySelector('[data-testid="sv-agent-1001"]')?.getAttribute('data-state') === 'ready', undefined, { timeout: 20_000 });
  await b.page.selectOption(tid('sv-reason-1001'), 'meeting');
  await b.page.click(tid('sv-not-ready-1001'));
  await b.page.waitForFunction(() => document.querySelector('[data-testid="sv-agent-1001"]')?.getAttribute('data-state') === 'not-ready', undefined, { timeout: 10_000 });
  t.match(await b.page.textContent(tid('sv-state-1001')), /示忙 · 会议/, 'not ready, reason meeting, in Chinese');
  await b.shot('supervisor-forced-not-ready');
  await b.page.click(tid('sv-logout-1001'));
  await b.page.waitForFunction(() => document.querySelector('[data-testid="sv-agent-1001"]')?.getAttribute('data-state') === 'logged-out', undefined, { timeout: 10_000 });
  await b.shot('supervisor-forced-logout');

  const audit = await calls.acd.agents.audit('1001', 5);
  t.match(audit[0], { to: 'logged-out', by: 'supervisor:supervisor' }, 'the logout is audited under the supervisor');
  t.match(audit[1], { to: 'not-ready', reason: 'meeting', by: 'supervisor:supervisor' }, 'so is the forced not-ready');
  t.same(b.errors, [], 'no uncaught errors in the page');
});

t.test('supervisor console: listen, whisper, barge on its phone; move a waiting caller and put one at the head; message an agent and all', async (t) => {
  t.ok(haveChromium(), 'chromium is installed');
  const h = await startHarness(t, { timeScale: 1, env: { HOTLINE_ACD_WRAP_UP_SEC: '1', HOTLINE_OPS_SUPERVISOR_PHONES: JSON.stringify({ supervisor: 'user/1099' }) } });
  const calls = h.service.calls!;
  await eventually('connected', () => calls.nodeStatus()[0]?.connected);
  h.fsim.sw.registerUser('1099', { answerAfterMs: 200 });
  h.fsim.sw.registerUser('1001', { answerAfterMs: 300 });
  await calls.acd.agents.create({ id: '1001', name: '坐席1001', phone: 'user/1001', skills: { general: 5 }, groups: ['demo'] });
  await calls.acd.agents.apply('1001', { type: 'login' }, 'test');
  calls.acd.agentBecameReady('1001');
  // 1004 only reads its messages in the softphone (logged in, not ready: it takes no calls).
  await calls.acd.agents.create({ id: '1004', name: '坐席1004', phone: 'user/1004', skills: { general: 5 }, groups: ['demo'] });
  const base = `http://127.0.0.1:${(h.service.app.server.address() as { port: number }).port}`;

  const agent = await openBrowser(t, 'agent1004-notice');
  await agent.page.goto(`${base}/`);
  await agent.page.fill(tid('login-username'), '1004');
  await agent.page.fill(tid('login-password'), 'demo12345');
  await agent.page.press(tid('login-password'), 'Enter');
  await agent.page.waitForSelector(tid('agent-state'));

  const b = await openBrowser(t, 'supervisor-live');
  await b.page.setViewportSize({ width: 1600, height: 1000 });
  await b.page.goto(`${base}/`);
  await b.page.fill(tid('login-username'), 'supervisor');
  await b.page.fill(tid('login-password'), 'demo12345');
  await b.page.press(tid('login-password'), 'Enter');
  await b.page.waitForURL(/\/supervisor$/);

  const { uuid: callId } = (await h.control('/calls', { from: '13800000211', to: '12345', profile: 'external' })).json as { uuid: string };
  await b.page.waitForSelector(tid('sv-listen-1001'), { timeout: 20_000 });
  const agentLeg = calls.registry.get(callId)!.legs.find((l) => l.role === 'agent')!.uuid;
  const hears = (uuid: string) => h.fsim.sw.audioSources(uuid);

  await b.page.click(tid('sv-listen-1001'));
  await b.page.waitForSelector(`${tid('sv-session')}[data-mode="listen"]`, { timeout: 10_000 });
  const s = (await calls.ops.supervision.session('supervisor'))!;
  await eventually('listening', () => hears(s.legUuid).length === 2);
  t.same(hears(s.legUuid).sort(), [callId, agentLeg].sort(), "listen: the supervisor's phone hears the caller and the agent");
  t.notOk(hears(agentLeg).includes(s.legUuid) || hears(callId).includes(s.legUuid), 'nobody hears the supervisor');
  await b.shot('listen');

  await b.page.click(tid('sv-mode-whisper'));
  await b.page.waitForSelector(`${tid('sv-session')}[data-mode="whisper"]`);
  await eventually('whispering', () => hears(agentLeg).includes(s.legUuid));
  t.notOk(hears(callId).includes(s.legUuid), 'whisper: the caller does not hear the supervisor');
  t.match(await b.page.textContent(tid('sv-session')), /耳语/, 'the mode is shown, in Chinese');
  await b.shot('whisper');

  await b.page.click(tid('sv-mode-barge'));
  await b.page.waitForSelector(`${tid('sv-session')}[data-mode="barge"]`);
  await eventually('barged in', () => hears(callId).includes(s.legUuid) && hears(agentLeg).includes(s.legUuid));
  await b.shot('barge');
  await b.page.click(tid('sv-stop'));
  await b.page.waitForSelector(tid('sv-session'), { state: 'detached' });
  await eventually("the supervisor's phone left", () => !h.fsim.sw.listChannels().some((c) => c.uuid === s.legUuid));
  t.equal(calls.registry.get(callId)?.state, 'talking', 'the call goes on');

  // Three more callers wait (1001 is busy): move the first to another queue, the last to the head.
  const waiting: string[] = [];
  for (const n of ['13800000212', '13800000213', '13800000214']) {
    waiting.push(((await h.control('/calls', { from: n, to: '12345', profile: 'external' })).json as { uuid: string }).uuid);
    await new Promise((r) => setTimeout(r, 300));
  }
  const [w1, w2, w3] = waiting as [string, string, string];
  await b.page.waitForSelector(tid(`sv-waiting-${w3}`), { timeout: 20_000 });
  await b.shot('waiting');
  await b.page.selectOption(tid(`sv-move-queue-${w1}`), 'enterprise');
  await b.page.click(tid(`sv-move-${w1}`));
  await b.page.waitForSelector(`${tid(`sv-waiting-${w1}`)}[data-queue="enterprise"]`, { timeout: 10_000 });
  t.match(await calls.queues.get(w1), { queue: 'enterprise' }, 'moved to the enterprise queue');
  await b.page.click(tid(`sv-head-${w3}`));
  await eventually('at the head', async () => (await calls.queues.list('general'))[0] === w3);
  t.same(await calls.queues.list('general'), [w3, w2], 'the last caller is now first of its class');
  t.equal((await calls.queues.get(w3))?.t0Us, calls.registry.get(w3)?.queuedUs, 'its t0 (the SLA clock) is kept');
  await b.shot('moved');

  await b.page.selectOption(tid('sv-message-to'), '1004');
  await b.page.fill(tid('sv-message-text'), '请注意：10分钟后开班前会');
  await b.page.click(tid('sv-message-send'));
  await agent.page.waitForSelector(tid('supervisor-notice'), { state: 'visible', timeout: 10_000 });
  t.equal(await agent.page.textContent(tid('supervisor-notice-text')), '请注意：10分钟后开班前会', 'the agent sees the message');
  t.match(await agent.page.textContent(tid('supervisor-notice-from')), /班长 supervisor/);
  await agent.shot('notice-one');
  await b.page.selectOption(tid('sv-message-to'), 'all');
  await b.page.fill(tid('sv-message-text'), '全体注意：来电高峰');
  await b.page.click(tid('sv-message-send'));
  await agent.page.waitForFunction(() => document.querySelector('[data-testid="supervisor-notice-text"]')?.textContent === '全体注意：来电高峰', undefined, { timeout: 10_000 });
  t.match(await agent.page.textContent(tid('supervisor-notice-from')), /致全体/, 'a message to all says so');
  await agent.shot('notice-all');
  t.match(await b.page.textContent(tid('sv-notice')), /2/, 'the console says how many agents got it');
  await b.shot('messages');

  const audit = (await calls.ops.store.auditTrail(20)).reverse();
  t.same(
    audit.map((a) => [a.by, a.action, a.target]),
    [
      ['supervisor:supervisor', 'listen', '1001'], ['supervisor:supervisor', 'whisper', '1001'], ['supervisor:supervisor', 'barge', '1001'], ['supervisor:supervisor', 'stop', '1001'],
      ['supervisor:supervisor', 'move', w1], ['supervisor:supervisor', 'head', w3], ['supervisor:supervisor', 'message', '1004'], ['supervisor:supervisor', 'message', 'all'],
    ],
    'every action audited with the supervisor',
  );
  t.same(b.errors, [], 'no uncaught errors in the console');
  t.same(agent.errors, [], 'no uncaught errors in the softphone');
});
