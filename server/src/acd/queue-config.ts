// Queue definitions: which skill serves a queue, how the agent pool widens while a caller waits,
// when a caller overflows, how often position is announced, and which key asks for a callback.
import { z } from 'zod';

const queueName = z.string().regex(/^[a-z0-9][a-z0-9_-]{0,63}$/, 'expected a queue name of lower-case letters, digits, "-" or "_"');

export const tierSchema = z
  .object({
    /** From this many seconds of waiting on... */
    afterSec: z.number().int().min(0).max(3600),
    /** ...agents with at least this skill level are eligible. */
    minLevel: z.number().int().min(1).max(10),
  })
  .strict();

export const queueConfigSchema = z
  .object({
    name: queueName,
    /** Skill an agent needs; defaults to the queue's name. */
    skill: z.string().regex(/^[a-z0-9][a-z0-9_-]{0,63}$/).optional(),
    /** Best agents first, widening with the wait: [{afterSec 0, minLevel 7}, {afterSec 20, minLevel 1}]. */
    tiers: z.array(tierSchema).min(1).default([{ afterSec: 0, minLevel: 1 }]),
    /** After this many seconds of waiting the caller overflows (0: never). */
    maxWaitSec: z.number().int().min(0).max(7200).default(0),
    /** Where an overflowing caller goes: another queue (t0 kept) or an external number. */
    overflow: z.union([z.object({ queue: queueName }).strict(), z.object({ number: z.string().regex(/^[0-9+*#]{2,32}$/) }).strict()]).optional(),
    /** Announce position and estimated wait every N seconds (0: never). */
    announceEverySec: z.number().int().min(0).max(600).default(30),
    /** Key a waiting caller presses to be called back instead of waiting ('' disables). */
    callbackKey: z.string().regex(/^([0-9*#]|)$/).default('1'),
  })
  .strict()
  .superRefine((q, ctx) => {
    const after = q.tiers.map((t) => t.afterSec);
    if (after.some((a, i) => i > 0 && a <= after[i - 1]!)) ctx.addIssue({ code: 'custom', path: ['tiers'], message: 'expected tiers in increasing afterSec order' });
    if (q.maxWaitSec > 0 && !q.overflow) ctx.addIssue({ code: 'custom', path: ['overflow'], message: 'expected an overflow target when maxWaitSec is set' });
  });

export const queuesFileSchema = z.array(queueConfigSchema).superRefine((qs, ctx) => {
  const names = new Set(qs.map((q) => q.name));
  qs.forEach((q, i) => {
    if (q.overflow && 'queue' in q.overflow && !names.has(q.overflow.queue)) ctx.addIssue({ code: 'custom', path: [i, 'overflow', 'queue'], message: `overflows to undefined queue "${q.overflow.queue}"` });
  });
  if (names.size !== qs.length) ctx.addIssue({ code: 'custom', path: [], message: 'expected unique queue names' });
});

export type QueueConfig = z.output<typeof queueConfigSchema>;

export const DEFAULT_QUEUES: z.input<typeof queuesFileSchema> = [
  { name: 'general', tiers: [{ afterSec: 0, minLevel: 1 }] },
  { name: 'enterprise', tiers: [{ afterSec: 0, minLevel: 5 }, { afterSec: 20, minLevel: 1 }], maxWaitSec: 120, overflow: { queue: 'general' } },
  { name: 'elder', skill: 'general', tiers: [{ afterSec: 0, minLevel: 6 }, { afterSec: 10, minLevel: 1 }], announceEverySec: 45 },
  { name: 'from110', skill: 'general', tiers: [{ afterSec: 0, minLevel: 7 }, { afterSec: 5, minLevel: 1 }], callbackKey: '' },
];

export function skillOf(q: QueueConfig): string {
  return q.skill ?? q.name;
}

/** Minimum skill level eligible after `waitSec` of waiting. */
export function minLevelAt(q: QueueConfig, waitSec: number): number {
  let level = q.tiers[0]?.minLevel ?? 1;
  for (const t of q.tiers) if (waitSec >= t.afterSec) level = t.minLevel;
  return level;
}
