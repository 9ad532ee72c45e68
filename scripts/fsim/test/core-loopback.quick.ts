// loopback/EXT/CONTEXT: the -a/-b pair (captures 05, 07b) and DTMF across it.
import t from 'tap';
import { apiReplies, diffWithCapture, hv, mkSwitch, until } from './helpers/switch-run.ts';

t.test('05: originate loopback/9001/default &park makes a -a/-b pair; uuid_kill ends both', async (t) => {
  const { sw, events } = mkSwitch();
  const r = await sw.api('originate', 'loopback/9001/default &park', { jobUuid: 'faa6f758-6245-415e-9f76-3f2ad429c363' });
  t.match(r, /^\+OK [0-9a-f-]{36}\n$/);
  const a = r.slice(4).trim();
  await until(() => events.filter((e) => e.name === 'CHANNEL_PARK').length === 2);
  const names = events.filter((e) => e.name === 'CHANNEL_CREATE').map((e) => hv(e, 'Channel-Name'));
  t.same(names, ['loopback/9001-a', 'loopback/9001-b']);
  const b = events.find((e) => hv(e, 'Channel-Name') === 'loopback/9001-b')?.uuid ?? '';
  t.equal(sw.channels.get(a)?.vars.get('other_loopback_leg_uuid'), b, '-a knows -b');
  t.equal(await sw.api('uuid_kill', a), '+OK\n');
  await until(() => !sw.channelExists(a) && !sw.channelExists(b));
  t.notOk(sw.channelExists(b), 'killing -a ends -b');
  t.same(diffWithCapture('05_bgapi_originate_loopback', events), []);
  sw.close();
});

t.test('07b: uuid_send_dtmf comes out on -b (UNKNOWN), uuid_recv_dtmf on -a (APP)', async (t) => {
  const { sw, events } = mkSwitch();
  const a = '0abba19c-589a-4c21-9cda-32bef92e5156';
  const replies: string[] = [];
  replies.push(await sw.api('originate', `{origination_uuid=${a}}loopback/9001/default &park`));
  await until(() => events.filter((e) => e.name === 'CHANNEL_PARK').length === 2);
  replies.push(await sw.api('uuid_send_dtmf', `${a} 12#`));
  replies.push(await sw.api('uuid_recv_dtmf', `${a} 9`));
  const dtmf = events.filter((e) => e.name === 'DTMF');
  t.same(dtmf.map((e) => [hv(e, 'Channel-Name'), hv(e, 'DTMF-Digit'), hv(e, 'DTMF-Source')]), [
    ['loopback/9001-b', '1', 'UNKNOWN'], ['loopback/9001-b', '2', 'UNKNOWN'], ['loopback/9001-b', '#', 'UNKNOWN'], ['loopback/9001-a', '9', 'APP'],
  ]);
  replies.push(await sw.api('uuid_kill', a));
  await until(() => sw.liveCount() === 0);
  t.same(replies, apiReplies('07b_dtmf_uuid_send_dtmf_loopback'));
  t.same(diffWithCapture('07b_dtmf_uuid_send_dtmf_loopback', events), []);
  sw.close();
});
