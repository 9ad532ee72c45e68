// api originate outcomes against captures 15 (NO_ANSWER), 15b (USER_NOT_REGISTERED), 16
// (USER_BUSY) and 22 (answered, sip_h_* header variable), under `event plain ALL`.
import t from 'tap';
import { VirtualClock } from '../src/core/clock.ts';
import { apiReplies, diffWithCapture, mkSwitch, until } from './helpers/switch-run.ts';

t.test('15: user/1001 rings and never answers: -ERR NO_ANSWER after originate_timeout', async (t) => {
  // Virtual time: the 3 s originate_timeout races the ring timers; on a loaded machine real timers
  // could fire late and out of order, a virtual clock fires them strictly by deadline.
  const clock = new VirtualClock();
  const { sw, events } = mkSwitch({ clock });
  sw.registerUser('1001', { neverAnswer: true });
  const r = await sw.api('originate', '{originate_timeout=3}user/1001 &park');
  for (let i = 0; i < 100 && sw.liveCount() > 0; i++) await clock.sleep(20);
  t.same([r], apiReplies('15_originate_no_answer'));
  t.same(diffWithCapture('15_originate_no_answer', events), []);
  sw.close();
});

t.test('15b: unregistered user: -ERR USER_NOT_REGISTERED, no channel, api and bgapi alike', async (t) => {
  const { sw, events } = mkSwitch();
  const r1 = await sw.api('originate', '{originate_timeout=3}user/1001 &park');
  const r2 = await sw.api('originate', '{originate_timeout=3}user/1001 &park', { jobUuid: '80143522-3ae5-4771-ae02-3cdf60e4f8ac' });
  t.same([r1], apiReplies('15b_originate_user_not_registered'));
  t.equal(r2, r1);
  t.same(diffWithCapture('15b_originate_user_not_registered', events), []);
  sw.close();
});

t.test('16: 486 Busy Here: -ERR USER_BUSY', async (t) => {
  const { sw, events } = mkSwitch();
  sw.registerUser('busy', { rejectCause: 'USER_BUSY' });
  const r = await sw.api('originate', 'sofia/internal/busy@127.0.0.1:5071 &park');
  await until(() => sw.liveCount() === 0);
  t.same([r], apiReplies('16_originate_busy'));
  t.same(diffWithCapture('16_originate_busy', events), []);
  sw.close();
});

t.test('22: answered originate with a sip_h_ variable, park, uuid_getvar, uuid_kill', async (t) => {
  const { sw, events } = mkSwitch();
  const replies: string[] = [];
  const r = await sw.api('originate', '{sip_h_X-12345-Case=H-0001,origination_caller_id_number=12345}sofia/internal/uas@127.0.0.1:5070 &park');
  replies.push(r);
  const u = r.slice(4).trim();
  await until(() => events.some((e) => e.name === 'CHANNEL_PARK'));
  replies.push(await sw.api('uuid_getvar', `${u} sip_h_X-12345-Case`));
  replies.push(await sw.api('uuid_kill', u));
  await until(() => sw.liveCount() === 0);
  t.same(replies.map((x) => x.replace(u, 'U')), apiReplies('22_sip_x_headers_outbound').map((x) => x.replace(/[0-9a-f-]{36}/, 'U')));
  t.same(diffWithCapture('22_sip_x_headers_outbound', events), []);
  sw.close();
});
