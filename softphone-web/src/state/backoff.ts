// Reconnect delays: exponential with a cap and jitter, so a whole call center reconnecting after a
// network blip does not hit the service in lockstep.
export function backoffMs(attempt: number, random: () => number = Math.random, baseMs = 500, capMs = 15_000): number {
  const ceiling = Math.min(capMs, baseMs * 2 ** Math.max(0, attempt));
  // Half fixed, half random: never immediate, never longer than the cap.
  return Math.round(ceiling / 2 + (random() * ceiling) / 2);
}

/** One retry loop: run again after a growing delay until it succeeds (then the delays start over). */
export class Retry {
  private attempt = 0;
  private timer: ReturnType<typeof setTimeout> | undefined;

  constructor(private readonly run: () => void) {}

  /** Run again after the next delay (replacing any pending run). */
  schedule(): void {
    this.cancel();
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.run();
    }, backoffMs(this.attempt++));
  }

  /** It worked: the next failure waits the shortest delay again. */
  succeeded(): void {
    this.attempt = 0;
  }

  cancel(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
  }
}
