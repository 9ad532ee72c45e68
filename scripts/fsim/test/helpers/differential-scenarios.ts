// The differential test's scenarios: one dialplan (context `default`, profile `test`) and a driver
// per scenario that does the same things on the real switch and on fsim (see differential-worlds.ts).
import { randomUUID } from 'node:crypto';
import type { AgentName, DialplanOf, World } from './differential-worlds.ts';
import { sleep } from './differential-worlds.ts';

const TONE = 'tone_stream://%(200,0,440)';

export const DIALPLAN: DialplanOf = ({ agents, socket }) => {
  const agent = (a: AgentName): string => `sofia/test/${a}@127.0.0.1:${agents[a]}`;
  const ext = (name: string, ...actions: string[]): string =>
    `<extension name="${name}"><condition field="destination_number" expression="^${name}$">${actions.join('')}</condition></extension>`;
  const act = (app: string, data?: string): string => `<action application="${app}"${data !== undefined ? ` data="${data}"` : ''}/>`;
  return `<include>
<context name="default">
${ext('d_bridge', act('answer'), act('bridge', agent('agent1')))}
${ext('d_ring', act('ring_ready'), act('sleep', '5000'), act('hangup'))}
${ext('d_fail', act('answer'), act('bridge', agent('agent2')), act('playback', TONE), act('hangup'))}
${ext('d_fail_cont', act('set', 'continue_on_fail=true'), act('answer'), act('bridge', agent('agent3')), act('playback', TONE), act('hangup'))}
${ext('d_endless', act('answer'), act('endless_playback', 'tone_stream://%(100,100,440);loops=-1'))}
${ext('d_pagd', act('answer'), act('play_and_get_digits', `1 1 1 3000 # ${TONE} ${TONE} digit \\d`), act('hangup'))}
${ext('d_pagd2', act('answer'), act('play_and_get_digits', `1 1 1 3000 # ${TONE} ${TONE} digit \\d`), act('play_and_get_digits', `1 1 1 500 # ${TONE} ${TONE} digit \\d`), act('sleep', '3000'), act('hangup'))}
${ext('d_pagd_early', act('answer'), act('sleep', '1500'), act('play_and_get_digits', `1 1 1 500 # ${TONE} ${TONE} digit \\d`), act('sleep', '2000'), act('hangup'))}
${ext('d_socket', act('answer'), act('socket', `127.0.0.1:${socket} async full`), act('playback', TONE), act('hangup'))}
${ext('d_bridge_cancel', act('answer'), act('bridge', agent('agent5')))}
${ext('d_park', act('answer'), act('park'))}
${ext('d_target', act('playback', TONE), act('hangup'))}
${ext('d_conf', act('answer'), act('conference', 'diffconf@default'))}
</context>
</include>
`;
};

/** What a scenario saw besides the events (API replies, their timing), compared key by key. */
export type Notes = Record<string, string>;

export interface Scenario {
  readonly name: string;
  run(w: World): Promise<void | Notes>;
}

const UUIDS = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/gi;
/** An agent leg's headers and variables the service reads or a site relies on. */
const LEG_HEADERS = [
  'Channel-Name', 'Call-Direction', 'Caller-Caller-ID-Number', 'Caller-Caller-ID-Name', 'Caller-Destination-Number', 'Caller-Context',
  'variable_hotline_call_id', 'variable_hotline_leg_role', 'variable_hotline_agent_id', 'variable_hotline_leg_purpose', 'variable_hotline_queue',
  'variable_presence_id', 'variable_dialed_user', 'variable_dialed_domain', 'variable_sip_profile_name', 'variable_sofia_profile_name',
  'variable_sip_to_user', 'variable_sip_req_user', 'variable_originate_timeout', 'variable_endpoint_disposition',
] as const;

const uuidOf = (e: { get(n: string): string | undefined }): string => e.get('Unique-ID') ?? '';
const created = (dest: string) => (e: { name: string; get(n: string): string | undefined }): boolean =>
  e.name === 'CHANNEL_CREATE' && e.get('Caller-Destination-Number') === dest;

export const SCENARIOS: readonly Scenario[] = [
  {
    name: 'inbound call answered and bridged to an agent',
    async run(w) {
      await w.agent('agent1', { answerAfterMs: 300, byeAfterMs: 600 });
      w.call('d_bridge', {});
    },
  },
  {
    name: "caller's CANCEL while ringing",
    async run(w) {
      w.call('d_ring', { cancelAfterMs: 300 });
    },
  },
  {
    name: 'failed bridge without continue_on_fail',
    async run(w) {
      await w.agent('agent2', { rejectCode: 486 });
      w.call('d_fail', {});
    },
  },
  {
    name: 'failed bridge with continue_on_fail',
    async run(w) {
      await w.agent('agent3', { rejectCode: 486 });
      w.call('d_fail_cont', {});
    },
  },
  {
    name: 'DTMF during endless_playback (not dequeued: no DTMF event)',
    async run(w) {
      w.call('d_endless', { byeAfterMs: 1000 });
      const c = await w.waitEvent(created('d_endless'));
      await w.waitEvent((e) => e.name === 'PLAYBACK_START' && uuidOf(e) === uuidOf(c));
      await sleep(200);
      await w.api(`uuid_recv_dtmf ${uuidOf(c)} 1`);
    },
  },
  {
    name: 'DTMF during play_and_get_digits',
    async run(w) {
      w.call('d_pagd', {});
      const c = await w.waitEvent(created('d_pagd'));
      await w.waitEvent((e) => e.name === 'PLAYBACK_STOP' && uuidOf(e) === uuidOf(c));
      await sleep(200);
      await w.api(`uuid_recv_dtmf ${uuidOf(c)} 5`);
    },
  },
  {
    name: 'a second play_and_get_digits that times out leaves the digit variable unset',
    async run(w) {
      w.call('d_pagd2', {});
      const c = await w.waitEvent(created('d_pagd2'));
      await w.waitEvent((e) => e.name === 'PLAYBACK_STOP' && uuidOf(e) === uuidOf(c));
      await w.api(`uuid_recv_dtmf ${uuidOf(c)} 5`);
      const first = await w.waitEvent((e) => e.name === 'CHANNEL_EXECUTE_COMPLETE' && uuidOf(e) === uuidOf(c) && e.get('Application') === 'play_and_get_digits');
      const second = await w.waitEvent((e) => e.name === 'CHANNEL_EXECUTE_COMPLETE' && uuidOf(e) === uuidOf(c) && e.get('Application') === 'play_and_get_digits' && e !== first, 15_000);
      return { first: first.get('variable_digit') ?? '(unset)', second: second.get('variable_digit') ?? '(unset)', secondResult: second.get('variable_read_result') ?? '(unset)' };
    },
  },
  {
    name: 'a key pressed before play_and_get_digits is read by it',
    async run(w) {
      w.call('d_pagd_early', {});
      const c = await w.waitEvent(created('d_pagd_early'));
      await w.waitEvent((e) => e.name === 'CHANNEL_EXECUTE' && uuidOf(e) === uuidOf(c) && e.get('Application') === 'sleep');
      await w.api(`uuid_recv_dtmf ${uuidOf(c)} 7`);
      const done = await w.waitEvent((e) => e.name === 'CHANNEL_EXECUTE_COMPLETE' && uuidOf(e) === uuidOf(c) && e.get('Application') === 'play_and_get_digits', 15_000);
      return { digit: done.get('variable_digit') ?? '(unset)', result: done.get('variable_read_result') ?? '(unset)' };
    },
  },
  {
    name: "the service's outbound socket closed mid-call",
    async run(w) {
      w.call('d_socket', {});
      const s = await w.acceptSocket(5000);
      await s.command('connect');
      await s.command('myevents');
      await sleep(300);
      s.close();
    },
  },
  {
    name: 'originate to an agent that never answers',
    async run(w) {
      await w.agent('agent4', { neverAnswer: true });
      await w.api(`originate {originate_timeout=1}${w.dial('agent4')} &park`);
    },
  },
  {
    name: "agent leg cancelled (the caller hangs up while it rings)",
    async run(w) {
      await w.agent('agent5', { neverAnswer: true });
      w.call('d_bridge_cancel', { byeAfterMs: 700 });
    },
  },
  {
    name: 'transfer of a parked call',
    async run(w) {
      w.call('d_park', {});
      const c = await w.waitEvent(created('d_park'));
      await w.waitEvent((e) => e.name === 'CHANNEL_PARK' && uuidOf(e) === uuidOf(c));
      await w.api(`uuid_transfer ${uuidOf(c)} d_target XML default`);
    },
  },
  {
    name: 'conference join and leave',
    async run(w) {
      w.call('d_conf', { byeAfterMs: 600 }, 'sipp1');
      await sleep(200);
      w.call('d_conf', { byeAfterMs: 900 }, 'sipp2');
    },
  },
  {
    name: 'eavesdrop on a parked call',
    async run(w) {
      await w.agent('agent6', { answerAfterMs: 200, byeAfterMs: 600 });
      w.call('d_park', {});
      const c = await w.waitEvent(created('d_park'));
      await w.waitEvent((e) => e.name === 'CHANNEL_PARK' && uuidOf(e) === uuidOf(c));
      await w.api(`originate ${w.dial('agent6')} &eavesdrop(${uuidOf(c)})`);
      await sleep(700);
      await w.api(`uuid_kill ${uuidOf(c)}`);
    },
  },
  {
    name: 'uuid_deflect of a parked caller (its phone accepts the REFER)',
    async run(w) {
      const notifyAfterMs = 400;
      w.call('d_park', { acceptRefer: true, referNotifyAfterMs: notifyAfterMs });
      const c = await w.waitEvent(created('d_park'));
      await w.waitEvent((e) => e.name === 'CHANNEL_PARK' && uuidOf(e) === uuidOf(c));
      const started = Date.now();
      const reply = await w.api(`uuid_deflect ${uuidOf(c)} sip:dispatcher@127.0.0.1:5073`);
      const tookMs = Date.now() - started;
      const hangup = await w.waitEvent((e) => e.name === 'CHANNEL_HANGUP' && uuidOf(e) === uuidOf(c));
      // The reply's timing: sofia holds the api until the phone's final NOTIFY (sent 400 ms after
      // its 100 Trying), so it never comes sooner, and the caller is gone by then.
      return {
        reply: JSON.stringify(reply),
        'reply waits for the final NOTIFY': String(tookMs >= notifyAfterMs),
        'reply within a second of it': String(tookMs < notifyAfterMs + 1000),
        'hangup cause': hangup.get('Hangup-Cause') ?? '',
      };
    },
  },
  {
    name: "the service's agent offer to a phone registered on the internal profile",
    async run(w) {
      await w.internalAgent('agent7', { answerAfterMs: 300, byeAfterMs: 600 });
      const leg = randomUUID();
      // The command the ACD router sends (acd/router.ts, freeswitch/commands.ts), api instead of bgapi.
      const vars = `origination_uuid=${leg},originate_timeout=10,hotline_call_id=${randomUUID()},hotline_leg_role=agent,hotline_agent_id=agent7,hotline_leg_purpose=offer,hotline_queue=general,sip_h_X-Hotline-Leg=${leg},origination_caller_id_number=13800000000,origination_caller_id_name=12345`;
      const reply = await w.api(`originate {${vars}}user/agent7 &park`);
      const answer = await w.waitEvent((e) => e.name === 'CHANNEL_ANSWER' && uuidOf(e) === leg);
      // What the service reads off the leg (freeswitch/event-map.ts, acd/router.ts), normalised.
      const seen: Record<string, string> = { reply: reply.replace(UUIDS, '<uuid>').trim() };
      for (const h of LEG_HEADERS) seen[h] = (answer.get(h) ?? 'undefined').replace(UUIDS, '<uuid>').replace(/\d+/g, 'N');
      seen['X-Hotline-Leg is the leg'] = String(answer.get('variable_sip_h_X-Hotline-Leg') === leg);
      return seen;
    },
  },
];
