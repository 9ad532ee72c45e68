// Client commands: every payload is checked against its zod schema and every command is answered
// through the ack callback, with { ok: true, ... } or { error: { code, message } }.
import type { Socket } from 'socket.io';
import type { z } from 'zod';
import type { Logger } from '../log.ts';
import { isRedisUnavailable } from '../store/redis-client.ts';
import type { Ack, AckError } from './events.ts';

export class CommandError extends Error {
  constructor(
    readonly code: AckError['code'],
    message: string,
  ) {
    super(message);
    this.name = 'CommandError';
  }
}

const describe = (err: z.ZodError): string => err.issues.map((i) => `${i.path.join('.') || 'payload'}: ${i.message}`).join('; ');

/** Register `event` on the socket: validate, run, answer. Extra arguments or a missing ack are refused. */
export function command<S extends z.ZodType, R extends object>(
  socket: Socket,
  event: string,
  schema: S,
  run: (payload: z.output<S>) => Promise<R>,
  log: Logger,
): void {
  socket.on(event, (...args: unknown[]) => {
    const ack = args[args.length - 1];
    // Without a callback there is no one to answer: a client bug, not worth a reply.
    if (typeof ack !== 'function') return void log.debug({ event, socketId: socket.id }, 'command without ack ignored');
    const reply = ack as (a: Ack<R>) => void;
    if (args.length !== 2) return reply({ error: { code: 'invalid', message: 'expected one payload and an ack' } });
    const parsed = schema.safeParse(args[0]);
    if (!parsed.success) return reply({ error: { code: 'invalid', message: describe(parsed.error) } });
    run(parsed.data).then(
      (result) => reply({ ok: true, ...result }),
      (err: unknown) => {
        if (err instanceof CommandError) return reply({ error: { code: err.code, message: err.message } });
        // Redis away: the client retries; the outage itself is logged by the health probe.
        if (isRedisUnavailable(err)) return reply({ error: { code: 'internal', message: 'storage (Redis) unavailable: retry shortly' } });
        log.error({ err, event, socketId: socket.id }, 'realtime command failed');
        reply({ error: { code: 'internal', message: 'internal error' } });
      },
    );
  });
}
