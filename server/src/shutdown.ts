// Graceful shutdown as ordered phases. Modules register closers in the phase they belong to; the
// order of registration does not matter, the phase does. The whole run is bounded: a closer that
// hangs cannot keep a SIGTERMed process alive past config.shutdown.graceMs.
import type { Logger } from './log.ts';

/**
 * intake    stop taking new calls (outbound-socket server refuses, router stops offering)
 * inflight  let calls in progress and queued commands finish or hand them over
 * switch    close the ESL connections
 * store     close Redis
 * transport close HTTP and Socket.IO
 */
export const shutdownPhases = ['intake', 'inflight', 'switch', 'store', 'transport'] as const;
export type ShutdownPhase = (typeof shutdownPhases)[number];

export interface ShutdownResult {
  /** Every closer finished within the bound (some may have failed; they are logged). */
  completed: boolean;
  /** Closers still running when the bound ran out. */
  pending: string[];
  failed: string[];
}

export interface Shutdown {
  add(phase: ShutdownPhase, name: string, close: () => unknown): void;
  /** Runs once; later calls get the same promise. */
  run(boundMs: number): Promise<ShutdownResult>;
  readonly started: boolean;
}

export function createShutdown(log: Logger): Shutdown {
  const closers: { phase: ShutdownPhase; name: string; close: () => unknown }[] = [];
  let running: Promise<ShutdownResult> | undefined;

  async function runPhases(pending: Set<string>, failed: string[]): Promise<void> {
    let step = 0;
    for (const phase of shutdownPhases) {
      const inPhase = closers.filter((c) => c.phase === phase);
      // Closers of one phase are independent of each other: run them together.
      await Promise.all(
        inPhase.map(async ({ name, close }) => {
          pending.add(name);
          const started = Date.now();
          try {
            await close();
            // step: the order closers finished in, readable even where log lines interleave.
            log.info({ phase, closer: name, ms: Date.now() - started, step: ++step }, 'closed');
          } catch (err) {
            failed.push(name);
            log.error({ phase, closer: name, err }, 'closer failed');
          } finally {
            pending.delete(name);
          }
        }),
      );
    }
  }

  return {
    add(phase, name, close) {
      if (running) throw new Error(`cannot add closer ${name}: shutdown has started`);
      closers.push({ phase, name, close });
    },
    get started() {
      return running !== undefined;
    },
    run(boundMs) {
      running ??= (async () => {
        const pending = new Set<string>();
        const failed: string[] = [];
        let timer: NodeJS.Timeout | undefined;
        const bound = new Promise<false>((resolve) => {
          timer = setTimeout(() => resolve(false), boundMs);
        });
        const completed = await Promise.race([runPhases(pending, failed).then(() => true as const), bound]);
        clearTimeout(timer);
        if (!completed) log.error({ pending: [...pending], boundMs }, 'shutdown bound reached');
        return { completed, pending: [...pending], failed };
      })();
      return running;
    },
  };
}
