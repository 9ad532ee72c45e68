// Supervision REST refusals against the whole service (fsim, real Redis): only supervisors, only
// agents of their groups, bad input answered 400 with nothing changed, a supervisor without a
// phone or an agent not on a call 409; and each refusal leaves no audit entry.
import t from 'tap';
import { eventually, startHarness } from './helpers/service.ts';
import { roleHeaders } from './helpers/tokens.ts';

t.test('supervision routes refuse what they must and change nothing', async (t) => {
  const h = await startHarness(t, { timeScale: 1 });
  const app = h.service.app;
  const calls = h.service.calls!;
  await eventually('switch connected', () => calls.nodeStatus()[0]?.connected);
  const as = await roleHeaders(h.service.auth);
  const post = (url: string, headers: Record<string, string>, payload?: object) => app.inject({ method: 'POST', url, headers, ...(payload ? { payload: payload as Record<string, unknown> } : {}) });
  await calls.acd.agents.create({ id: '1000', name: '王芳', phone: 'user/1000', skills: { general: 5 }, groups: ['demo'] });
  await calls.acd.agents.create({ id: '1001', name: '李娜', phone: 'user/1001', skills: { general: 5 }, groups: ['north'] });

  for (const role of ['agent', 'ops', 'admin', 'dispatcher'] as const) {
    const r = await post('/api/supervise/listen', as[role], { agentId: '1000', mode: 'listen' });
    t.equal(r.statusCode, 403, `${role} may not listen`);
    t.equal((await post('/api/agents/messages', as[role], { to: 'all', text: 'hi' })).statusCode, 403, `${role} may not message agents`);
  }
  const bad: [string, object, RegExp][] = [
    ['/api/supervise/listen', { agentId: '1000', mode: 'spy' }, /mode/],
    ['/api/supervise/listen', { agentId: '1000 && uuid_kill', mode: 'listen' }, /agent id/],
    ['/api/supervise/listen', { agentId: '1000', mode: 'listen', by: 'admin:x' }, /by/],
    ['/api/supervise/mode', { mode: 'eavesdrop' }, /mode/],
    ['/api/queues/calls/abc%20def/move', { head: true }, /call id/],
    ['/api/queues/calls/abc/move', { queue: 'general', head: true }, /queue|head/],
    ['/api/queues/calls/abc/move', { queue: 'gen eral' }, /queue|head/],
    ['/api/agents/messages', { to: 'all', text: '' }, /message/],
    ['/api/agents/messages', { to: 'all', text: 'x'.repeat(501) }, /500/],
  ];
  for (const [url, body, message] of bad) {
    const r = await post(url, as.supervisor, body);
    t.equal(r.statusCode, 400, `${url} ${JSON.stringify(body).slice(0, 60)}: 400`);
    t.match(r.json().message, message);
  }
  t.equal((await post('/api/supervise/listen', as.supervisor, { agentId: '1001', mode: 'listen' })).statusCode, 403, 'an agent of another group: 403');
  t.equal((await post('/api/agents/messages', as.supervisor, { to: '1001', text: 'hi' })).statusCode, 403, 'no message to another group');
  t.equal((await post('/api/supervise/listen', as.supervisor, { agentId: '9999', mode: 'listen' })).statusCode, 404);
  const noPhone = await post('/api/supervise/listen', as.supervisor, { agentId: '1000', mode: 'listen' });
  t.equal(noPhone.statusCode, 409, 'no phone configured for this supervisor');
  t.match(noPhone.json().message, /no phone is configured for supervisor/);
  t.equal((await post('/api/supervise/mode', as.supervisor, { mode: 'whisper' })).statusCode, 409, 'no session to switch');
  t.equal((await post('/api/supervise/stop', as.supervisor)).statusCode, 409, 'no session to stop');
  const move = await post('/api/queues/calls/0b6c1a52-2f0e-4b8e-9a51-3f3d6a1e7c11/move', as.supervisor, { head: true });
  t.equal(move.statusCode, 404, 'a call not waiting: 404');
  t.same(await calls.ops.store.auditTrail(50), [], 'no refused action is audited');

  const sent = await post('/api/agents/messages', as.supervisor, { to: 'all', text: '全体注意' });
  t.equal(sent.statusCode, 200);
  t.same(sent.json().to, ['1000'], "'all' is the agents of the supervisor's groups");
  t.match((await calls.ops.store.auditTrail(1))[0], { by: 'supervisor:supervisor', action: 'message', target: 'all', detail: '全体注意' });
});

t.test('a supervisor whose phone is configured, on an agent not on a call: 409, no phone rung', async (t) => {
  const h = await startHarness(t, { timeScale: 1, env: { HOTLINE_OPS_SUPERVISOR_PHONES: JSON.stringify({ supervisor: 'user/1099' }) } });
  const calls = h.service.calls!;
  await eventually('switch connected', () => calls.nodeStatus()[0]?.connected);
  h.fsim.sw.registerUser('1099', { answerAfterMs: 100 });
  const as = await roleHeaders(h.service.auth);
  await calls.acd.agents.create({ id: '1000', name: '王芳', phone: 'user/1000', skills: { general: 5 }, groups: ['demo'] });
  const r = await h.service.app.inject({ method: 'POST', url: '/api/supervise/listen', headers: as.supervisor, payload: { agentId: '1000' } });
  t.equal(r.statusCode, 409);
  t.match(r.json().message, /not talking on a call/);
  t.same(h.fsim.sw.listChannels(), [], 'the supervisor phone was not rung');
});
