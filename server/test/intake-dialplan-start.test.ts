// freeswitch.intake = "dialplan" lets the switch play the welcome, so the IVR flows may only play
// that welcome and queue: a service configured so with flows that need a menu refuses to start,
// naming the node, rather than queueing every caller past its menu (and closes what it had opened:
// the test process would otherwise not end).
import t from 'tap';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { loadConfig } from '../src/config.ts';
import { createLogger } from '../src/log.ts';
import { createService } from '../src/service.ts';
import { freePort } from '../../scripts/lib/free-port.ts';
import { startTestRedis } from '../../scripts/lib/test-redis.ts';

t.test('intake by the dialplan with a menu flow: the service does not start', async (t) => {
  const redis = await startTestRedis();
  t.teardown(() => redis.stop());
  const dir = await mkdtemp(path.join(tmpdir(), 'intake-flows-'));
  const flowsPath = path.join(dir, 'flows.json');
  await writeFile(flowsPath, JSON.stringify({
    version: 1,
    lines: { main: 'main' },
    flows: { main: { start: 'welcome', nodes: { welcome: { type: 'play', prompt: 'w.wav', next: 'lang' }, lang: { type: 'menu', prompt: 'lang.wav', options: { 1: 'q' }, onFail: 'q' }, q: { type: 'queue', queue: 'general' } } } },
  }));
  const env = { HOTLINE_HTTP_PORT: '0', HOTLINE_LOG_LEVEL: 'silent', HOTLINE_REDIS_URL: redis.url, HOTLINE_FS_PORT: String(await freePort()), HOTLINE_FS_OUTBOUND_PORT: '0', HOTLINE_IVR_FLOWS_PATH: flowsPath };
  for (const intake of ['dialplan', 'socket']) {
    const config = loadConfig({ env: { ...env, HOTLINE_FS_INTAKE: intake } });
    const started = await createService(config, createLogger(config.log)).then(
      async (service) => {
        t.teardown(() => service.stop());
        await service.start();
      },
      (err: unknown) => err as Error,
    );
    if (intake === 'dialplan') t.match(started?.message, /flow "main" node "lang" is a menu, which the dialplan's intake cannot do: set freeswitch.intake to "socket"/, 'refused, naming the node');
    else t.equal(started, undefined, 'the same flows run with intake by socket');
  }
});
