// uuid_kill, uuid_bridge and uuid_transfer of parked originate legs against captures 11, 08 and 09.
import t from 'tap';
import { apiReplies, diffWithCapture, mkSwitch, sleep, until } from './helpers/switch-run.ts';

const U1 = 'b8b73f86-1a7a-4952-ad27-ee98fa5c14e4';

t.test('11: uuid_kill of a parked originate leg', async (t) => {
  const { sw, events } = mkSwitch();
  const replies: string[] = [];
  replies.push(await sw.api('originate', `{origination_uuid=${U1},origination_caller_id_number=5550003,origination_caller_id_name=customer}sofia/internal/customer@127.0.0.1:5070 &park`));
  await until(() => events.some((e) => e.name === 'CHANNEL_PARK'));
  replies.push(await sw.api('uuid_kill', U1));
  await until(() => !sw.channelExists(U1));
  t.same(replies, apiReplies('11_uuid_kill'));
  t.same(diffWithCapture('11_uuid_kill', events), []);
  sw.close();
});

t.test('08: uuid_bridge two parked legs, kill one, the other goes too', async (t) => {
  const { sw, events } = mkSwitch();
  const a = 'ae7c08da-cc41-467b-ab16-6cc502cf72d3';
  const b = '73556736-d4a2-49b1-862b-58c2b0f3a873';
  const replies: string[] = [];
  replies.push(await sw.api('originate', `{origination_uuid=${a},origination_caller_id_number=5550001,origination_caller_id_name=customer}sofia/internal/customer@127.0.0.1:5070 &park`));
  replies.push(await sw.api('originate', `{origination_uuid=${b},origination_caller_id_number=1001,origination_caller_id_name=agent1001}sofia/internal/agent1001@127.0.0.1:5070 &park`));
  await until(() => events.filter((e) => e.name === 'CHANNEL_PARK').length === 2);
  replies.push(await sw.api('uuid_bridge', `${a} ${b}`));
  await until(() => events.some((e) => e.name === 'CHANNEL_BRIDGE'));
  await sleep(20);
  replies.push(await sw.api('uuid_kill', a));
  await until(() => !sw.channelExists(a) && !sw.channelExists(b));
  replies.push(await sw.api('uuid_kill', b));
  t.same(replies, apiReplies('08_uuid_bridge'));
  t.same(diffWithCapture('08_uuid_bridge', events), []);
  sw.close();
});

t.test('09: uuid_transfer of a parked leg to 9000', async (t) => {
  const { sw, events } = mkSwitch();
  const a = 'a7a1bbfe-0961-4377-a15a-430dc0abbad8';
  const replies: string[] = [];
  replies.push(await sw.api('originate', `{origination_uuid=${a},origination_caller_id_number=5550002,origination_caller_id_name=customer}sofia/internal/customer@127.0.0.1:5070 &park`));
  await until(() => events.some((e) => e.name === 'CHANNEL_PARK'));
  replies.push(await sw.api('uuid_transfer', `${a} 9000 XML default`));
  await until(() => !sw.channelExists(a));
  t.same(replies, apiReplies('09_uuid_transfer'));
  t.same(diffWithCapture('09_uuid_transfer', events), []);
  sw.close();
});
