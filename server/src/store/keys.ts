// Every Redis key the service uses, built here and nowhere else, so the layout can be read (and
// changed) in one place. All keys share a prefix so several deployments can share one Redis.

export interface RedisKeys {
  /** JSON snapshot of a live call (CallRecord). */
  call(id: string): string;
  /** Set of live call ids. */
  readonly liveCalls: string;
  /** Stream of completed calls' CDRs. */
  readonly cdrStream: string;
  /** Marks a call's CDR as written, so two instances never write it twice. */
  cdrWritten(id: string): string;
}

export function redisKeys(prefix = 'hotline'): RedisKeys {
  if (!/^[A-Za-z0-9_-]+$/.test(prefix)) throw new Error(`invalid Redis key prefix "${prefix}"`);
  return {
    call: (id) => `${prefix}:call:${id}`,
    liveCalls: `${prefix}:calls:live`,
    cdrStream: `${prefix}:cdr`,
    cdrWritten: (id) => `${prefix}:cdr:written:${id}`,
  };
}
