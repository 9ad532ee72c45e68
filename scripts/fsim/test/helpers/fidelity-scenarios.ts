// The capture scenarios of ../shared/fixtures/esl/ as replay scenarios: which connection(s) each
// capture is, and how fsim's endpoints play the SIPp peers the capture's NOTEs describe. The peers
// are modelled with the simulator's endpoint API only (placeCall, registerUser, hangupCall,
// sendDtmf); the dialplan is the capture box's context `default` (capture-default.xml).
import type { ReplayContext, Scenario } from './replay.ts';
import { sippCall } from './replay.ts';

const inbound = (capture: string, notes: Scenario['connections'][number]['notes'] = []): Scenario['connections'][number] => ({ capture, side: 'inbound', notes });

/** The SIPp UAC's call, placed once the subscription of the capture is in place. */
const callAfterSubscribe = (to: string, opts: Parameters<typeof sippCall>[2] = {}) => ({
  match: /^subscribe, then one sipp UAC call/,
  when: 'after-next-reply' as const,
  run: (ctx: ReplayContext): void => void sippCall(ctx, to, opts),
});

/** A call placed right at its note (the subscription was answered before it). */
const callNow = (to: string, opts: Parameters<typeof sippCall>[2] = {}, settle?: (ctx: ReplayContext, uuid: string) => Promise<unknown>) => ({
  match: /^sipp UAC \(/,
  run: async (ctx: ReplayContext): Promise<void> => {
    const uuid = sippCall(ctx, to, opts);
    if (settle) await settle(ctx, uuid);
  },
});

const answered = (ctx: ReplayContext, uuid: string): Promise<boolean> =>
  ctx.until(() => ctx.fsim.sw.listChannels().some((c) => c.uuid === uuid && c.answered));

export const SCENARIOS: Record<string, Scenario> = {
  '01_auth_ok': { connections: [inbound('01_auth_ok')] },
  '01b_auth_bad_password': { connections: [inbound('01b_auth_bad_password')] },
  '02_event_plain_ALL_call_9000': { connections: [inbound('02_event_plain_ALL_call_9000', [callAfterSubscribe('9000')])] },
  '03_event_json_ALL_call_9000': { connections: [inbound('03_event_json_ALL_call_9000', [callAfterSubscribe('9000')])] },
  '04_api_status': { connections: [inbound('04_api_status')] },
  '05_bgapi_originate_loopback': { connections: [inbound('05_bgapi_originate_loopback')] },
  // The UAS at 127.0.0.1:5070 is SIPp's built-in uas: it answers at once.
  '06_api_originate_sipp_uas': { connections: [inbound('06_api_originate_sipp_uas')] },
  '07b_dtmf_uuid_send_dtmf_loopback': { connections: [inbound('07b_dtmf_uuid_send_dtmf_loopback')] },
  '08_uuid_bridge': { connections: [inbound('08_uuid_bridge')] },
  '09_uuid_transfer': { connections: [inbound('09_uuid_transfer')] },
  // SIPp's uas answered the three INVITEs 6, 26 and 28 ms after the first one, so all three
  // parties joined within one conference tick. The simulated phones ring until all three legs
  // exist, then answer in the order they were called, whatever the replay's own latency.
  '10_conference_3party': {
    setup: (ctx) => {
      const sw = ctx.fsim.sw;
      const parties = ['party0', 'party1', 'party2'];
      for (const p of parties) sw.registerUser(`${p}@127.0.0.1:5070`, { manual: true });
      const legs = (): string[] =>
        parties.flatMap((p) => sw.listChannels().filter((c) => c.name.includes(`/${p}@`) && c.callState === 'RINGING').map((c) => c.uuid));
      void ctx.until(() => legs().length === 3, 5000).then(() => legs().forEach((u) => sw.answerCall(u)));
    },
    connections: [inbound('10_conference_3party')],
  },
  '11_uuid_kill': { connections: [inbound('11_uuid_kill')] },
  '12_errors': { connections: [inbound('12_errors')] },
  '12b_error_command_before_auth': { connections: [inbound('12b_error_command_before_auth')] },
  // Outbound sockets run at (or near) real speed: the socket application parks when the
  // listener's first sendmsg comes in, or after a timer tick plus a few real milliseconds for a
  // listener that sends none. The capture's listener had sent connect, myevents, linger and its
  // first sendmsg within 1 ms; on a busy test host ours needs more than a scaled-down tick.
  '13_outbound_socket_9002': {
    timeScale: 1,
    connections: [{ capture: '13_outbound_socket_9002', side: 'outbound', start: (ctx) => void sippCall(ctx, '9002') }],
  },
  // 1001 registered by a SIPp UAS that answers 100 + 180 and never 200.
  '15_originate_no_answer': {
    setup: (ctx) => ctx.fsim.sw.registerUser('1001', { neverAnswer: true }),
    connections: [inbound('15_originate_no_answer')],
  },
  '15b_originate_user_not_registered': { connections: [inbound('15b_originate_user_not_registered')] },
  // The SIPp UAS on 127.0.0.1:5071 answers every INVITE with 486 Busy Here.
  '16_originate_busy': {
    setup: (ctx) => ctx.fsim.sw.registerUser('busy@127.0.0.1:5071', { rejectCause: 'USER_BUSY' }),
    connections: [inbound('16_originate_busy')],
  },
  '18_hold_unhold': {
    connections: [
      inbound('18_hold_unhold', [
        callNow('9010', {}, (ctx) => ctx.until(() => ctx.fsim.sw.listChannels().filter((c) => c.bridgedTo).length === 2)),
        // The UAC sends BYE 2 s after ACKing the unhold re-INVITE.
        {
          match: /uuid_hold off/,
          when: 'after-next-reply',
          run: (ctx) => {
            const a = ctx.calls[0];
            if (a) ctx.fsim.sw.clock.after(2000, () => void ctx.fsim.sw.hangupCall(a));
          },
        },
      ]),
    ],
  },
  '19_broadcast_break': { connections: [inbound('19_broadcast_break', [callNow('9001', {}, answered)])] },
  '20_record': { connections: [inbound('20_record', [callNow('9003', {}, answered)])] },
  '21_sip_x_headers_inbound': {
    connections: [
      inbound('21_sip_x_headers_inbound', [
        // The literal characters %20 are on the wire: FreeSWITCH keeps them in the variable.
        callNow('9001', { sipHeaders: { 'X-110-Case-Id': 'C20261122-0001', 'X-110-Summary': 'noise%20complaint' } }, answered),
      ]),
    ],
  },
  '21b_sip_x_headers_outbound_socket_connect': {
    timeScale: 1,
    connections: [
      {
        capture: '21b_sip_x_headers_outbound_socket_connect',
        side: 'outbound',
        notes: [callNow('9002', { sipHeaders: { 'X-110-Case-Id': 'C20261122-0001', 'X-110-Summary': 'noise%20complaint' } })],
      },
    ],
  },
  '22_sip_x_headers_outbound': { connections: [inbound('22_sip_x_headers_outbound')] },
  '25_uuid_deflect': { connections: [inbound('25_uuid_deflect', [callNow('9001', {}, answered)])] },
  '26_heartbeat_and_show_channels': {
    // FreeSWITCH's default 20 s heartbeat; the first one after connecting came 6 s in (its phase
    // depends on when the switch started), here 20 s in: allow for the difference.
    switch: { heartbeatSec: 20 },
    stepTimeoutMs: 2500,
    ignoreEvents: [],
    connections: [
      inbound('26_heartbeat_and_show_channels', [
        {
          match: /2 sipp UAC calls/,
          run: async (ctx) => {
            // SIPp paces its calls: the second INVITE came after the first call was bridged (the
            // capture's `show channels` lists A1, B1, A2, B2).
            const bridged = (n: number) => () => ctx.fsim.sw.listChannels().filter((c) => c.bridgedTo).length === n;
            sippCall(ctx, '9010');
            await ctx.until(bridged(2));
            sippCall(ctx, '9010');
            await ctx.until(bridged(4));
          },
        },
      ]),
    ],
  },
  // Half speed for the park window (see 13); the scenario lasts 21 s of switch time.
  '23_outbound_socket_ivr': {
    timeScale: 0.5,
    connections: [
      {
        capture: '23_outbound_socket_ivr',
        side: 'outbound',
        notes: [
          {
            match: /^outbound-socket side/,
            run: async (ctx) => {
              // The inbound side subscribed (event json ALL) before the call came in.
              await ctx.until(() => ctx.repliesOn('23_outbound_socket_ivr_inbound') >= 3);
              const sw = ctx.fsim.sw;
              const stop = sw.onEndpointEvent((ev) => {
                if (ev.type !== 'answered' || ev.uuid !== ctx.calls[0]) return;
                stop();
                // RFC2833 1, 2, 3, # from 1.5 s after the ACK, 1.2 s apart; BYE 8 s after the '#'.
                [...'123#'].forEach((d, i) => sw.clock.after(1500 + i * 1200, () => void sw.sendDtmf(ev.uuid, d)));
                sw.clock.after(1500 + 3 * 1200 + 8000, () => void sw.hangupCall(ev.uuid));
              });
              sippCall(ctx, '9002');
            },
          },
        ],
      },
      inbound('23_outbound_socket_ivr_inbound'),
    ],
  },
};
