// Fidelity: Inbound ESL protocol (auth, api, errors) against the real captures.
// Each capture of ../shared/fixtures/esl/ is replayed against fsim (helpers/replay.ts) and fsim's
// bytes are compared with FreeSWITCH's in form (helpers/form.ts); any difference fails.
import t from 'tap';
import { checkScenario } from './helpers/replay.ts';
import { SCENARIOS } from './helpers/fidelity-scenarios.ts';

const CAPTURES = [
  '01_auth_ok',
  '01b_auth_bad_password',
  '04_api_status',
  '12_errors',
  '12b_error_command_before_auth',
];

for (const name of CAPTURES) {
  t.test(name, async (t) => {
    const sc = SCENARIOS[name];
    if (!sc) throw new Error(`no scenario for ${name}`);
    await checkScenario(t, sc);
  });
}
