// Fidelity: Inbound calls from SIPp-like callers, under event plain|json ALL.
// Each capture of ../shared/fixtures/esl/ is replayed against fsim (helpers/replay.ts) and fsim's
// bytes are compared with FreeSWITCH's in form (helpers/form.ts); any difference fails.
import t from 'tap';
import { checkScenario } from './helpers/replay.ts';
import { SCENARIOS } from './helpers/fidelity-scenarios.ts';

const CAPTURES = [
  '02_event_plain_ALL_call_9000',
  '03_event_json_ALL_call_9000',
  '18_hold_unhold',
  '19_broadcast_break',
  '20_record',
  '21_sip_x_headers_inbound',
  '25_uuid_deflect',
  '26_heartbeat_and_show_channels',
];

for (const name of CAPTURES) {
  t.test(name, async (t) => {
    const sc = SCENARIOS[name];
    if (!sc) throw new Error(`no scenario for ${name}`);
    await checkScenario(t, sc);
  });
}
