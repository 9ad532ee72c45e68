// What `load` reads inside the service process, over the V8 inspector (the service runs with
// --inspect on loopback, as in the soak bench): an event-loop delay histogram installed for the run
// (perf_hooks.monitorEventLoopDelay, 1 ms resolution), and the heap after a forced garbage
// collection. Nothing in server/src is needed for it.
import { growth, Inspector, takeSummary, type HeapSummary, type TypeGrowth } from '../soak-heap.ts';
import { round } from '../util.ts';

const RESOLUTION_MS = 1;
const H = 'globalThis.__loadBenchDelay';

export interface LagFigures {
  /** Event-loop lag: the delay of a 1 ms timer beyond its 1 ms. */
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
}

export class ServiceProbe {
  private constructor(private readonly inspector: Inspector) {}

  static async connect(port: number): Promise<ServiceProbe> {
    const inspector = await Inspector.connect(port);
    // `require` exists in the inspector's command-line API even in an ES module program.
    const r = await inspector.send<{ result: { value?: string } }>('Runtime.evaluate', {
      expression: `(${H} = require('node:perf_hooks').monitorEventLoopDelay({ resolution: ${RESOLUTION_MS} }), ${H}.enable(), 'ok')`,
      includeCommandLineAPI: true,
      returnByValue: true,
    });
    if (r.result.value !== 'ok') throw new Error('could not install the event-loop delay histogram in the service');
    return new ServiceProbe(inspector);
  }

  async pid(): Promise<number> {
    return this.inspector.evaluate<number>('process.pid');
  }

  async resetLag(): Promise<void> {
    await this.inspector.evaluate(`${H}.reset()`);
  }

  async lag(): Promise<LagFigures> {
    const ns = await this.inspector.evaluate<[number, number, number]>(`[${H}.percentile(50), ${H}.percentile(99), ${H}.max]`);
    const ms = (x: number): number => round(Math.max(0, x / 1e6 - RESOLUTION_MS));
    return { p50Ms: ms(ns[0]), p99Ms: ms(ns[1]), maxMs: ms(ns[2]) };
  }

  /** heapUsed (bytes) after a full garbage collection. */
  async heapAfterGc(): Promise<number> {
    await this.inspector.send('HeapProfiler.collectGarbage');
    return this.inspector.evaluate<number>('process.memoryUsage().heapUsed');
  }

  /** A heap snapshot summarised by type (soak-heap.ts). */
  heapSummary(): Promise<HeapSummary> {
    return takeSummary(this.inspector);
  }

  static growth(a: HeapSummary, b: HeapSummary): TypeGrowth[] {
    return growth(a, b, 15);
  }

  close(): void {
    this.inspector.close();
  }
}
