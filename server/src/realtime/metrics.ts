// Socket.IO figures for Prometheus, read at scrape time from the namespaces' feeds: clients
// connected per namespace and slow clients dropped.
import { Counter, Gauge, type Registry } from 'prom-client';
import type { Realtime } from './server.ts';

export function registerRealtimeMetrics(registry: Registry, realtime: Pick<Realtime, 'clients' | 'dropped'>): void {
  // A second service on the same registry (tests) replaces the first one's source.
  for (const name of ['hotline_realtime_clients', 'hotline_realtime_dropped_clients_total']) registry.removeSingleMetric(name);
  new Gauge({
    name: 'hotline_realtime_clients',
    help: 'Socket.IO clients connected to this instance, by namespace',
    labelNames: ['namespace'],
    registers: [registry],
    collect() {
      for (const [namespace, n] of Object.entries(realtime.clients())) this.set({ namespace }, n);
    },
  });
  new Counter({
    name: 'hotline_realtime_dropped_clients_total',
    help: 'Socket.IO clients dropped because their unsent data passed realtime.maxBufferedBytes',
    registers: [registry],
    collect() {
      this.reset();
      this.inc(realtime.dropped);
    },
  });
}
