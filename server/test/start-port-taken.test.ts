// A service whose outbound-socket port is taken refuses to start with the cause, and closes what
// it had started by then: the ESL connection (and its reconnects to a switch not there), the ACD's
// and the SLA's timers. A CI run of the switch suite once sat ten minutes on such a start (the port
// taken by a parallel test file's switch) because those kept the test process up.
import net from 'node:net';
import { once } from 'node:events';
import t from 'tap';
import { loadConfig } from '../src/config.ts';
import { createLogger } from '../src/log.ts';
import { createService } from '../src/service.ts';
import { freePort } from '../../scripts/lib/free-port.ts';
import { startTestRedis } from '../../scripts/lib/test-redis.ts';

const timers = (): number => process.getActiveResourcesInfo().filter((r) => r === 'Timeout').length;

t.test('the outbound port taken: start refused with EADDRINUSE, nothing left running', async (t) => {
  const redis = await startTestRedis();
  t.teardown(() => redis.stop());
  const taken = net.createServer();
  taken.listen(0, '127.0.0.1');
  await once(taken, 'listening');
  t.teardown(() => taken.close());
  const port = (taken.address() as net.AddressInfo).port;
  const config = loadConfig({
    env: { HOTLINE_HTTP_PORT: '0', HOTLINE_LOG_LEVEL: 'silent', HOTLINE_REDIS_URL: redis.url, HOTLINE_FS_PORT: String(await freePort()), HOTLINE_FS_OUTBOUND_PORT: String(port) },
  });
  const before = timers();
  const refused = await createService(config, createLogger(config.log)).then(
    async (service) => {
      await service.stop();
      return undefined;
    },
    (err: unknown) => err as Error,
  );
  t.match(refused?.message, /EADDRINUSE/, 'refused, with the cause');
  // The ESL node's reconnect backoff and the ACD's once-a-second tick are timers: none may be left.
  await new Promise((r) => setTimeout(r, 1500));
  t.ok(timers() <= before, `no timer left behind (${timers()} active, ${before} before the start)`);
});
