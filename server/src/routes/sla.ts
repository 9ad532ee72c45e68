// GET /api/sla: the SLA measures of one scope (the whole center or one queue) in its three windows.
// The SLA service comes in as an option, so the route knows nothing of Redis.
import type { FastifyPluginAsync } from 'fastify';
import { z } from 'zod';
import type { ZodTypeProvider } from '../plugins/app/zod.ts';
import type { SlaSnapshot } from '../sla/snapshot.ts';

export interface SlaRoutesOptions {
  sla: { snapshot(scope: string, atMs?: number): Promise<SlaSnapshot> };
  /** The configured queues: `queue:<name>` of any other name answers 404. Absent: not checked. */
  queueNames?: readonly string[];
}

const querySchema = z.strictObject({
  scope: z
    .string()
    .regex(/^(center|queue:[\p{L}\p{N}_.-]{1,64})$/u, { error: 'expected "center" or "queue:<name>"' })
    .default('center')
    .describe('"center" (the default) or "queue:<name>"'),
  at: z.iso
    .datetime({ offset: true, error: 'expected an ISO 8601 date-time, e.g. 2026-11-22T08:00:00+08:00' })
    .optional()
    .describe('The moment the windows end at (default: now)'),
});

const ratio = z.number().nullable();
const notFoundSchema = z.object({ statusCode: z.number().int(), error: z.string(), message: z.string() }).describe('No such queue');
const windowSchema = z.object({
  start: z.string(),
  end: z.string(),
  offered: z.number().int().describe('Calls that reached t0 (offered to the human queue)'),
  counted: z.number().int().describe('offered - shortAbandons'),
  shortAbandons: z.number().int().describe('Unanswered hang-ups within shortAbandonSec of t0 (inclusive)'),
  answered: z.number().int(),
  answeredWithin: z.number().int().describe('Answered within thresholdSec of t0 (inclusive)'),
  abandoned: z.number().int().describe('Counted (non-short) abandons'),
  callbacks: z.number().int(),
  overflows: z.number().int(),
  rate15s: ratio.describe('15秒接通率: answeredWithin / counted; null without counted calls'),
  answerRate: ratio.describe('接通率: answered / counted'),
  lossRate: ratio.describe('呼损率: 1 - answerRate'),
  asaSec: ratio.describe('Mean seconds from t0 to answer'),
  avgAbandonSec: ratio.describe('Mean seconds from t0 to a counted abandon'),
});

const snapshotSchema = z
  .object({
    scope: z.string(),
    at: z.string(),
    target: z.number(),
    thresholdSec: z.number(),
    shortAbandonSec: z.number(),
    minCounted: z.number().int(),
    interval: windowSchema.describe('The 15-minute interval holding `at` (Beijing clock), [start, end)'),
    today: windowSchema.extend({ date: z.string() }).describe('The Beijing calendar day holding `at`, up to its interval'),
    rolling24h: windowSchema.describe('Calls with t0 in (at - 24 h, at]'),
    alert: z.object({ firing: z.boolean(), since: z.string().nullable() }),
  })
  .describe('SLA measures of one scope');

const slaRoutes: FastifyPluginAsync<SlaRoutesOptions> = async (fastify, { sla, queueNames }) => {
  const known = queueNames ? new Set(queueNames) : undefined;
  const app = fastify.withTypeProvider<ZodTypeProvider>();
  app.get(
    '/api/sla',
    {
      config: { access: 'sla:read', store: true },
      schema: {
        tags: ['sla'],
        summary: 'Answer-time measures (15秒接通率, 接通率, 呼损率, ASA) for the current interval, today and the rolling 24 h',
        querystring: querySchema,
        response: { 200: snapshotSchema, 404: notFoundSchema },
      },
    },
    async (request, reply) => {
      const { scope, at } = request.query;
      // Zeros for a queue that does not exist would look like a quiet queue: say it is unknown.
      const queue = scope.startsWith('queue:') ? scope.slice('queue:'.length) : undefined;
      if (queue !== undefined && known && !known.has(queue)) {
        return reply.code(404).send({ statusCode: 404, error: 'Not Found', message: `no queue named "${queue}" (configured: ${[...known].join(', ')})` });
      }
      return sla.snapshot(scope, at === undefined ? undefined : Date.parse(at));
    },
  );
};

export default slaRoutes;
