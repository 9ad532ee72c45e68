// A listener of its own for Prometheus (metrics.port), the way node_exporter and most exporters are
// scraped: GET /metrics and nothing else, on loopback by default, so a scrape needs no account
// and the API port's firewall rules need not mention it. With metrics.token set, a scrape presents
// it as a bearer token (Prometheus: `authorization: {credentials: <token>}`).
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Registry } from 'prom-client';
import { bearerToken, sameSecret } from './auth/bearer.ts';
import type { MetricsConfig } from './config.ts';
import type { Logger } from './log.ts';

export interface MetricsListener {
  readonly url: string;
  close(): Promise<void>;
}

export async function startMetricsListener(config: MetricsConfig & { port: number }, registry: Registry, logger: Logger): Promise<MetricsListener> {
  const log = logger.child({ component: 'metrics-listener' });
  const server = createServer((req, res) => {
    const send = (status: number, body: string, type = 'text/plain; charset=utf-8') => res.writeHead(status, { 'content-type': type }).end(body);
    if (req.method !== 'GET' || (req.url ?? '').split('?')[0] !== '/metrics') return send(404, 'only GET /metrics here\n');
    if (config.token) {
      const token = bearerToken(req.headers.authorization);
      if (!token || !sameSecret(token, config.token)) {
        res.setHeader('www-authenticate', 'Bearer realm="hotline12345 metrics"');
        return send(401, 'missing or wrong bearer token (metrics.token)\n');
      }
    }
    registry.metrics().then(
      (body) => send(200, body, registry.contentType),
      (err: unknown) => {
        log.error({ err }, 'metrics collection failed');
        send(500, 'metrics collection failed\n');
      },
    );
  });
  // Scrapes are short requests: an idle or slow peer is dropped rather than held.
  server.requestTimeout = 10_000;
  server.headersTimeout = 5_000;
  server.keepAliveTimeout = 5_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(config.port, config.host, () => resolve());
  });
  server.on('error', (err) => log.error({ err }, 'metrics listener error'));
  const { address, port } = server.address() as AddressInfo;
  const url = `http://${address.includes(':') ? `[${address}]` : address}:${port}/metrics`;
  log.info({ url }, 'metrics listener');
  return {
    url,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
