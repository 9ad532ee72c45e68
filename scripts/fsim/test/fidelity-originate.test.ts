// Fidelity: Originate, bridge, transfer, kill, DTMF and conference from the inbound socket.
// Each capture of ../shared/fixtures/esl/ is replayed against fsim (helpers/replay.ts) and fsim's
// bytes are compared with FreeSWITCH's in form (helpers/form.ts); any difference fails.
import t from 'tap';
import { checkScenario } from './helpers/replay.ts';
import { SCENARIOS } from './helpers/fidelity-scenarios.ts';

const CAPTURES = [
  '05_bgapi_originate_loopback',
  '06_api_originate_sipp_uas',
  '07b_dtmf_uuid_send_dtmf_loopback',
  '08_uuid_bridge',
  '09_uuid_transfer',
  '10_conference_3party',
  '11_uuid_kill',
  '15_originate_no_answer',
  '15b_originate_user_not_registered',
  '16_originate_busy',
  '22_sip_x_headers_outbound',
];

for (const name of CAPTURES) {
  t.test(name, async (t) => {
    const sc = SCENARIOS[name];
    if (!sc) throw new Error(`no scenario for ${name}`);
    await checkScenario(t, sc);
  });
}
