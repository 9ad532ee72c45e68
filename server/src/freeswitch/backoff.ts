// Reconnect delays: exponential from initialMs to maxMs, with a random share (jitter) so that many
// service instances cut off by one FreeSWITCH restart do not all come back in the same instant.

export interface BackoffOptions {
  readonly initialMs: number;
  readonly maxMs: number;
  /** 0..1: the share of each delay drawn at random. */
  readonly jitter: number;
}

export function backoffDelay(attempt: number, opts: BackoffOptions, random: () => number = Math.random): number {
  const exp = Math.min(opts.maxMs, opts.initialMs * 2 ** Math.max(0, attempt));
  const spread = exp * opts.jitter;
  return Math.round(exp - spread + random() * spread);
}
