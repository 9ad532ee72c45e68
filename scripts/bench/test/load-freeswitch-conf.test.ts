// The mod_callcenter side of `npm run bench -- load-freeswitch`: the conf the bench writes into its
// copy of dialplan/ (load-freeswitch/conf.ts) loads on the real FreeSWITCH 1.10.12: the module is
// up, the queue exists, every agent is Available in it, and 12345 reaches the bench's extension
// rather than the service's socket. Without the bundle the test is skipped loudly, except in CI.
import t from 'tap';
import { freeswitchAvailability, startFreeswitch } from '../../../server/test/switch/helpers/freeswitch.ts';
import { CallBook } from '../load-freeswitch/call-book.ts';
import { callcenterPrepare, CC_QUEUE, WELCOME } from '../load-freeswitch/conf.ts';
import { ports } from '../load-freeswitch/side.ts';

const fsOk = freeswitchAvailability();
const AGENTS = ['1000', '1001', '1002'];

t.test('the bench mod_callcenter conf loads on the real switch', { skip: !fsOk.ok && !process.env.CI ? `SKIPPED LOUDLY: ${fsOk.ok ? '' : fsOk.why}` : false }, async (t) => {
  const fs = await startFreeswitch({ ports: await ports(), agents: AGENTS, prepare: callcenterPrepare({ agents: AGENTS, sessionsPerSecond: 500 }) });
  t.teardown(() => fs.kill());
  const esl = new CallBook({ port: fs.ports.esl, password: fs.eslPassword, did: '12345', welcome: WELCOME });
  await esl.start();
  t.teardown(() => esl.stop());

  t.match(await esl.api('module_exists mod_callcenter'), /true/, 'mod_callcenter loaded');
  t.match(await esl.api('callcenter_config queue list'), new RegExp(`^${CC_QUEUE}\\|longest-idle-agent\\|`, 'm'), 'the queue, longest idle agent first');
  const agents = (await esl.api('callcenter_config queue list agents ' + CC_QUEUE)).split('\n').filter((l) => /^\d{4}\|/.test(l));
  t.same(agents.map((l) => l.split('|')[0]).sort(), AGENTS, 'every agent in the queue');
  t.ok(agents.every((l) => l.includes('|Available|')), 'all of them Available');
  t.ok(agents.every((l) => l.includes(`|user/${l.split('|')[0]}|`)), 'dialled as user/<id>, as the service dials them');
  const route = await esl.api('xml_locate dialplan context name public');
  t.ok(route.indexOf('bench_callcenter') >= 0 && route.indexOf('bench_callcenter') < route.indexOf('hotline_service'), "12345's extension comes before the service's socket");
  t.same(await fs.errors(), [], 'no error in the switch log');
});
