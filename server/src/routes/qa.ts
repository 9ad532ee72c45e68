// Quality REST (issue #14): recordings (played only by roles that may hear callers, every playback
// audited with the user), the day's QA sample, scoring on the site's scorecard, the day's scores
// per agent; and the QA page of the built softphone-web (it holds no data: it logs in like any
// client and reads these routes with its bearer).
import { createReadStream } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import type { FastifyPluginAsync, FastifyReply } from 'fastify';
import { z } from 'zod';
import { auditName } from '../auth/access.ts';
import { principalOf } from '../plugins/app/authz.ts';
import type { ZodTypeProvider } from '../plugins/app/zod.ts';
import { QaError, type QaService } from '../quality/qa-service.ts';
import type { OpsAuditEntry } from '../store/ops-store.ts';
import { localDate } from '../sla/windows.ts';
import { calendarDateSchema } from '../validation.ts';

export interface QaRoutesOptions {
  qa: QaService;
  /** Where playbacks are audited (the supervisors' audit stream). */
  audit: (entry: OpsAuditEntry) => Promise<void>;
  staticDir: string;
  now?: () => number;
}

const callId = z.string().regex(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i, { error: 'expected a call id (uuid)' });
const date = calendarDateSchema.optional().describe('A Beijing calendar day, YYYY-MM-DD (default: today)');

function failed(reply: FastifyReply, err: unknown) {
  if (err instanceof QaError) return reply.code(err.kind === 'not-found' ? 404 : 400).send({ statusCode: err.kind === 'not-found' ? 404 : 400, error: err.kind === 'not-found' ? 'Not Found' : 'Bad Request', message: err.message });
  throw err;
}

const qaRoutes: FastifyPluginAsync<QaRoutesOptions> = async (fastify, { qa, audit, staticDir, now = Date.now }) => {
  const app = fastify.withTypeProvider<ZodTypeProvider>();
  const today = (): string => localDate(now());

  app.get(
    '/api/recordings/:callId',
    {
      config: { access: 'recordings:play', store: true },
      schema: { tags: ['qa'], summary: 'A call\'s recording (WAV, stereo: caller left, agent right); every playback is audited', params: z.strictObject({ callId }) },
    },
    async (req, reply) => {
      let file: string;
      try {
        file = await qa.recordingOf(req.params.callId);
      } catch (err) {
        return failed(reply, err);
      }
      const size = await stat(file).then((s) => s.size, () => undefined);
      if (size === undefined) return reply.code(404).send({ statusCode: 404, error: 'Not Found', message: `the recording of call ${req.params.callId} is gone (retention)` });
      // Audited before a byte leaves: a playback that cannot be audited does not happen.
      await audit({ at: now(), by: auditName(principalOf(req)), action: 'recording:play', target: req.params.callId });
      return reply.header('content-type', 'audio/wav').header('content-length', String(size)).header('cache-control', 'no-store').send(createReadStream(file));
    },
  );

  app.get(
    '/api/qa/scorecard',
    { config: { access: 'qa:read' }, schema: { tags: ['qa'], summary: 'The scorecard: items and their weights' } },
    async () => ({ items: qa.scorecard }),
  );

  app.get(
    '/api/qa/sample',
    {
      config: { access: 'qa:read', store: true },
      schema: { tags: ['qa'], summary: 'The QA sample of a day: per agent every complaint, every unsatisfied rating and a random share', querystring: z.strictObject({ date }) },
    },
    async (req) => {
      const d = req.query.date ?? today();
      return { date: d, items: await qa.sampleOf(d) };
    },
  );

  app.post(
    '/api/qa/scores',
    {
      config: { access: 'qa:score', store: true },
      schema: {
        tags: ['qa'],
        summary: 'Score a call on the scorecard (each item 0-100); the weighted total is returned',
        body: z.strictObject({ callId, items: z.record(z.string().max(32), z.number().min(0).max(100)), comment: z.string().max(500).optional() }),
      },
    },
    async (req, reply) => {
      try {
        return await qa.score(req.body.callId, req.body.items, auditName(principalOf(req)), req.body.comment);
      } catch (err) {
        return failed(reply, err);
      }
    },
  );

  app.get(
    '/api/qa/report',
    {
      config: { access: 'qa:read', store: true },
      schema: { tags: ['qa', 'reports'], summary: 'Per agent for a day: calls sampled, scored, mean score', querystring: z.strictObject({ date }) },
    },
    async (req) => ({ rows: await qa.agentRows(req.query.date ?? today()) }),
  );

  app.get('/qa', { config: { access: 'public' }, schema: { hide: true } }, async (_req, reply) => {
    const html = await readFile(path.join(staticDir, 'qa.html'), 'utf8').catch(() => undefined);
    if (html === undefined) return reply.code(404).send({ statusCode: 404, error: 'Not Found', message: 'qa.html is not built (npm run build -w softphone-web)' });
    return reply.header('content-type', 'text/html; charset=utf-8').header('cache-control', 'no-cache').send(html);
  });
};

export default qaRoutes;
