// Fidelity: Outbound event socket (the dialplan socket app connecting to our listener).
// Each capture of ../shared/fixtures/esl/ is replayed against fsim (helpers/replay.ts) and fsim's
// bytes are compared with FreeSWITCH's in form (helpers/form.ts); any difference fails.
import t from 'tap';
import { checkScenario, replay } from './helpers/replay.ts';
import { SCENARIOS } from './helpers/fidelity-scenarios.ts';

const CAPTURES = [
  '13_outbound_socket_9002',
  '21b_sip_x_headers_outbound_socket_connect',
  '23_outbound_socket_ivr',
];

// The socket application parks the channel shortly after the listener's `connect`; the listener
// has to have sent `myevents` by then to see CHANNEL_PARK, as the captures' listener did. The first
// outbound session of a process runs cold (JIT): one unchecked replay first, so that compilation
// does not eat that window.
t.before(async () => {
  const warm = SCENARIOS['21b_sip_x_headers_outbound_socket_connect'];
  if (warm) await replay({ ...warm, timeScale: 0.1 });
});

for (const name of CAPTURES) {
  t.test(name, async (t) => {
    const sc = SCENARIOS[name];
    if (!sc) throw new Error(`no scenario for ${name}`);
    await checkScenario(t, sc);
  });
}
