// The differences the differential test accepts: each is a known, justified gap between fsim and
// the real FreeSWITCH, listed with its reason in ../FIDELITY-GAPS.md (section "Differential test").
// A difference matched by none of these fails the test.
export interface KnownGap {
  /** The FIDELITY-GAPS.md entry. */
  readonly id: string;
  /** Scenario name (substring); any when absent. */
  readonly scenario?: string;
  readonly pattern: RegExp;
}

export const KNOWN_GAPS: readonly KnownGap[] = [
  { id: 'D1', pattern: /CHANNEL_CALLSTATE \(#\d+\): Channel-State "CS_\w+" vs "CS_\w+"$/ },
  { id: 'D2', scenario: 'bridged to an agent', pattern: /CHANNEL_EXECUTE_COMPLETE (\(#\d+ on the real switch\) missing in fsim, after CALL_UPDATE CHANNEL_UNBRIDGE|in fsim, after CHANNEL_UNBRIDGE CHANNEL_HANGUP)/ },
  { id: 'D4', scenario: 'CANCEL', pattern: /CHANNEL_HANGUP \(#\d+\): variable_sip_hangup_disposition "recv_cancel" vs undefined$/ },
  { id: 'D5', scenario: 'agent leg cancelled', pattern: /variable_(DIALSTATUS|originate_disposition) ("CANCEL" vs "ORIGINATOR_CANCEL"|"failure" vs undefined|"INVALIDARGS" vs undefined)$/ },
  { id: 'D6', scenario: 'conference', pattern: /(CODEC \(#\d+ on the real switch\) missing in fsim|events without a channel: real .*PRESENCE_IN)/ },
  { id: 'D7', scenario: 'eavesdrop', pattern: /(CODEC|CALL_UPDATE) \(#\d+ on the real switch\) missing in fsim/ },
  { id: 'D11', scenario: 'pressed before play_and_get_digits', pattern: /DTMF (\(#\d+ on the real switch\) missing in fsim, after CHANNEL_EXECUTE PLAYBACK_START|in fsim, after PLAYBACK_START PLAYBACK_STOP)$/ },
  { id: 'D8', scenario: 'internal profile', pattern: /^events without a channel: real \[CUSTOM\/sofia::pre_register CUSTOM\/sofia::register CUSTOM\/sofia::register_attempt MESSAGE_QUERY\] vs fsim \[\]$/ },
];

export function explain(scenario: string, difference: string): string | undefined {
  return KNOWN_GAPS.find((g) => (!g.scenario || scenario.includes(g.scenario)) && g.pattern.test(difference))?.id;
}
