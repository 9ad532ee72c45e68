// uuid_deflect: sofia sends REFER to the phone; the phone's NOTIFYs (sipfrag 100 Trying, then
// 200 OK) come back as CUSTOM sofia::notify_refer events, not tied to the channel (a UniqueID
// header, no channel data); the api answers with the final sipfrag, and the phone's BYE ends the
// call with BLIND_TRANSFER (capture 25). The api waits for the final NOTIFY: its reply comes as late
// as the phone reports the transfer's outcome (PlaceCallOptions.referNotifyAfterMs), checked by the
// differential test against the real switch.
import type { Header } from '../types.ts';
import type { Channel } from './channel.ts';
import type { SwitchCore } from './switch-core.ts';

/** How long a caller's phone takes between its NOTIFY 100 Trying and its final NOTIFY (set at placeCall). */
export const referNotifyDelayMs = new WeakMap<Channel, number>();

export async function deflect(sw: SwitchCore, ch: Channel, _target: string): Promise<string> {
  if (!ch.answered) return '-ERR Cannot deflect an unanswered channel\n';
  if (ch.endpoint !== 'sofia') return '-ERR Unsupported endpoint\n';
  const v = ch.vars;
  const host = v.get('sip_from_host') ?? '127.0.0.1';
  const dialog: Header[] = [
    ['content-type', 'message/sipfrag'], ['event-package', 'refer'], ['event-id', v.get('sip_cseq') ?? '1'],
    ['contact', `${v.get('sip_contact_user') ?? v.get('sip_from_user') ?? ''}@${v.get('sip_contact_host') ?? host}`],
    ['from', `${v.get('sip_from_user') ?? ''}@${host}`], ['from-tag', v.get('sip_from_tag') ?? ''],
    ['to', `${v.get('sip_to_user') ?? ch.profile?.destinationNumber ?? ''}@${v.get('sip_to_host') ?? host}`],
    ['to-tag', v.get('sip_to_tag') ?? ''], ['call-id', v.get('sip_call_id') ?? ''],
  ];
  const notify = (state: Header[], frag: string): void => {
    sw.fire(sw.eb.plain('CUSTOM', [...dialog, ...state, ['UniqueID', ch.uuid]], frag, 'sofia::notify_refer', 'sofia::notify_refer'));
  };
  v.set('sip_refer_status_code', '202');
  notify([['subscription-substate', 'active'], ['subscription-expires', '60']], 'SIP/2.0 100 Trying\r\n');
  v.set('sip_refer_target_provisional_status_code', '100');
  const delay = referNotifyDelayMs.get(ch) ?? 0;
  if (delay > 0) await sw.clock.sleep(delay);
  notify([['subscription-substate', 'terminated'], ['subscription-reason', 'noresource']], 'SIP/2.0 200 OK\r\n');
  v.set('sip_refer_target_status_code', '200');
  v.set('sip_refer_reply', 'SIP/2.0 200 OK');
  // The call ends once the transfer has succeeded.
  sw.hangup(ch, 'BLIND_TRANSFER');
  return '+OK:SIP/2.0 200 OK\r\n\n';
}
