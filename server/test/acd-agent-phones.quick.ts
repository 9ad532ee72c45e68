// Agent phones are only what the site allows: user/<extension>, or a configured prefix followed by a
// number or extension. Before, `PATCH /api/agents/1000 {"phone":"sofia/gateway/gw_carrier/<any
// number>"}` made the next citizen's call dial that number out through the carrier.
import t from 'tap';
import { eventually, startHarness } from './helpers/service.ts';
import { bearer } from './helpers/tokens.ts';

t.test('POST and PATCH /api/agents refuse phones the site does not allow', async (t) => {
  const h = await startHarness(t, { env: { HOTLINE_DIAL_AGENT_PHONE_PREFIXES: '["sofia/gateway/gw_remote/"]' } });
  const app = h.service.app;
  await eventually('connected', () => h.service.calls!.nodeStatus()[0]?.connected);
  const headers = await bearer(h.service.auth, 'admin');
  const agent = (id: string, phone: string) => ({ id, name: id, phone, skills: { general: 5 } });
  const post = (body: unknown) => app.inject({ method: 'POST', url: '/api/agents', headers, payload: body as Record<string, unknown> });
  const patch = (id: string, body: unknown) => app.inject({ method: 'PATCH', url: `/api/agents/${id}`, headers, payload: body as Record<string, unknown> });

  t.equal((await post(agent('1000', 'user/1000'))).statusCode, 201, 'user/<extension>');
  t.equal((await post(agent('2000', 'sofia/gateway/gw_remote/13800138000'))).statusCode, 201, 'a prefix the site allows, with a number');
  for (const phone of ['sofia/gateway/gw_carrier/13800138000', 'sofia/gateway/gw_remote/1380@evil', 'user/1001,user/1002', 'loopback/9196']) {
    const res = await post(agent('3000', phone));
    t.equal(res.statusCode, 400, `POST ${phone}: 400`);
    // Characters no dial target has are refused by the schema already; the rest by the site's policy.
    t.match(res.json(), { message: /^(body\.phone: expected a FreeSWITCH dial target|agent 3000: agent phone not allowed: expected user\/<extension>, sofia\/gateway\/gw_remote\/<number>)/ }, 'says what is allowed');
  }
  const res = await patch('1000', { phone: 'sofia/gateway/gw_carrier/13800138000' });
  t.equal(res.statusCode, 400, 'PATCH to the carrier gateway: 400');
  t.equal((await h.service.calls!.acd.agents.get('1000'))?.phone, 'user/1000', 'nothing changed');
  t.equal((await h.service.calls!.acd.agents.get('3000')), undefined, 'no agent created');
  t.equal((await patch('1000', { phone: 'user/1010' })).statusCode, 200, 'an allowed change goes through');
});
