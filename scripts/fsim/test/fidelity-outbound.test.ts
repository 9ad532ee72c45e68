// Fidelity: Outbound event socket (the dialplan socket app connecting to our listener).
// Each capture of ../shared/fixtures/esl/ is replayed against fsim (helpers/replay.ts) and fsim's
// bytes are compared with FreeSWITCH's in form (helpers/form.ts); any difference fails.
import t from 'tap';
import { checkScenario } from './helpers/replay.ts';
import { SCENARIOS } from './helpers/fidelity-scenarios.ts';

const CAPTURES = [
  '13_outbound_socket_9002',
  '21b_sip_x_headers_outbound_socket_connect',
  '23_outbound_socket_ivr',
];

for (const name of CAPTURES) {
  t.test(name, async (t) => {
    const sc = SCENARIOS[name];
    if (!sc) throw new Error(`no scenario for ${name}`);
    await checkScenario(t, sc);
  });
}
