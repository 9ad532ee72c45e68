// Issue #11, defect 5: a call placed just after the service started could get line=main on its CDR
// although the dialplan tagged it enterprise. CHANNEL_CREATE (before routing) reached the service
// late or not at all (the inbound connection was still subscribing), the line the outbound socket
// brought was dropped for a call the registry had not seen yet, and the resync opened it as main.
// Now the hand-over from the dialplan is the one place the line comes from, and it opens the record.
import net from 'node:net';
import t from 'tap';
import { loadConfig } from '../../src/config.ts';
import { createLogger } from '../../src/log.ts';
import { createService } from '../../src/service.ts';
import { Redis } from 'ioredis';
import { freePort } from '../../../scripts/lib/free-port.ts';
import { switchSuite } from './helpers/suite.ts';
import { until } from './helpers/world.ts';

const suite = switchSuite(t);

suite.raw('the inbound connection comes up only after the call was handed over: the line stays enterprise', async (t, site) => {
  const bare = await site.bare(t);
  // The service's inbound ESL goes through a port nobody listens on yet: it sees no CHANNEL_CREATE.
  const nodes = JSON.parse(bare.env.HOTLINE_FS_NODES!) as { port: number }[];
  const eslPort = nodes[0]!.port;
  const late = await freePort();
  const env = { ...bare.env, HOTLINE_FS_NODES: JSON.stringify([{ ...nodes[0], port: late }]) };
  const config = loadConfig({ env });
  const service = await createService(config, createLogger(config.log));
  await service.start();
  t.teardown(() => service.stop());
  const c = await bare.call({ from: '13800000051', to: '123457', hangupAfterMs: 8000 });
  const uuid = await c.uuid();
  // The service's welcome prompt: the dialplan handed the call over to the outbound socket.
  await until('the dialplan handed the call over', () => bare.tap.played(uuid).length > 0, 20_000);
  await new Promise((r) => setTimeout(r, 1500));
  // Now the inbound connection can reach the switch: it connects, resyncs, finds the call.
  const open = new Set<net.Socket>();
  const proxy = net.createServer((sock) => {
    const up = net.connect(eslPort, '127.0.0.1');
    open.add(sock).add(up);
    sock.pipe(up).pipe(sock);
    sock.on('error', () => up.destroy());
    up.on('error', () => sock.destroy());
  });
  await new Promise<void>((r) => proxy.listen(late, '127.0.0.1', () => r()));
  // close() waits for open connections: end them (the service may still hold one).
  t.teardown(() => {
    proxy.close();
    for (const s of open) s.destroy();
  });
  await until('service connected', () => service.calls?.nodeStatus()[0]?.connected, 20_000);
  await c.done;
  const redis = new Redis(bare.redisUrl);
  t.teardown(() => redis.quit());
  const cdr = await until('CDR', async () => {
    const entries = await redis.xrange(`${config.redis.keyPrefix}:cdr`, '-', '+');
    const e = entries.find(([, f]) => f[1] === uuid);
    return e && (JSON.parse(e[1][3]!) as { line: string });
  }, 20_000);
  t.equal(cdr.line, 'enterprise', 'the CDR has the line the dialplan tagged');
}, { timeout: 120_000 });
