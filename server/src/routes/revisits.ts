// Revisit tasks over REST: supervisors and admins create them, the ticket system creates them with
// a signed webhook (the scheme of our own outgoing webhooks, webhook-signature.ts, with the ticket
// system's shared secret), and the list and day figures (JSON or CSV) are read by supervisors, ops
// and admins. Lists mask citizens' numbers: only the agent who calls sees one whole.
import type { FastifyPluginAsync, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { auditName } from '../auth/access.ts';
import { principalOf } from '../plugins/app/authz.ts';
import type { ZodTypeProvider } from '../plugins/app/zod.ts';
import { listView, RevisitError, type RevisitFigures, type RevisitService } from '../revisit/service.ts';
import { createRevisitSchema, REVISIT_REASONS, REVISIT_STATES, type CreateRevisit, type RevisitTask } from '../revisit/task.ts';
import { verifySignature } from '../webhook-signature.ts';

export interface RevisitRoutesOptions {
  revisits: RevisitService;
  /** The ticket system's shared secret (desk.ticketWebhookSecret); absent: the signed endpoint refuses everything. */
  ticketSecret?: string;
  now?: () => number;
  /** Today (YYYY-MM-DD) in the revisit time zone. */
  today: () => string;
}

/** Where the ticket system posts: outside /api because it carries no token, only the signature. */
export const TICKET_WEBHOOK_PATH = '/webhooks/ticket-system/revisits';

const STATUS = { 'not-found': 404, conflict: 409, forbidden: 403, invalid: 400 } as const;
const asHttp = (err: unknown): unknown => (err instanceof RevisitError ? Object.assign(new Error(err.message), { statusCode: STATUS[err.code] }) : err);
const taskView = z.looseObject({ id: z.string(), state: z.enum(REVISIT_STATES), reason: z.enum(REVISIT_REASONS), number: z.string(), dueMs: z.number() });
/** The list's view of a task: every field, the number masked. */
const masked = (t: RevisitTask): z.output<typeof taskView> => listView(t) as unknown as z.output<typeof taskView>;
const dayParam = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, { error: 'expected a day YYYY-MM-DD' });
const idParams = z.strictObject({ id: z.uuid({ error: 'expected a revisit id' }) });

/** CSV with a BOM so spreadsheet programs read UTF-8; no citizen data. */
export function revisitFiguresCsv(f: RevisitFigures): string {
  const head = 'day,created,attempted,reached,resolved,not_resolved,not_reached,refused,mean_attempts';
  const row = [f.day, f.created, f.attempted, f.reached, f.resolved, f.notResolved, f.notReached, f.refused, f.meanAttempts ?? ''].join(',');
  return `\uFEFF${head}\r\n${row}\r\n`;
}

const rawBodies = new WeakMap<FastifyRequest, string>();

const revisitRoutes: FastifyPluginAsync<RevisitRoutesOptions> = async (fastify, opts) => {
  const app = fastify.withTypeProvider<ZodTypeProvider>();
  const now = opts.now ?? Date.now;
  const { revisits } = opts;

  const create = async (body: CreateRevisit, by: string) => {
    try {
      const task = await revisits.create(body, by);
      if (!task) throw Object.assign(new Error('a revisit for this call and reason exists already'), { statusCode: 409 });
      return masked(task);
    } catch (err) {
      throw asHttp(err);
    }
  };

  app.post(
    '/api/revisits',
    { config: { access: 'revisits:write', store: true }, schema: { tags: ['revisits'], summary: 'Create a revisit task (called back inside calling hours)', body: createRevisitSchema, response: { 201: taskView } } },
    async (req, reply) => reply.code(201).send(await create(req.body, auditName(principalOf(req)))),
  );

  app.get(
    '/api/revisits',
    {
      config: { access: 'revisits:read', store: true },
      schema: {
        tags: ['revisits'],
        summary: 'Revisit tasks created in a period, newest first (numbers masked)',
        querystring: z.strictObject({
          state: z.enum(REVISIT_STATES).optional(),
          reason: z.enum(REVISIT_REASONS).optional(),
          from: z.iso.datetime({ offset: true }).optional(),
          to: z.iso.datetime({ offset: true }).optional(),
          limit: z.coerce.number().int().min(1).max(500).default(100),
        }),
        response: { 200: z.strictObject({ revisits: z.array(taskView) }) },
      },
    },
    async (req) => {
      const q = req.query;
      const toMs = q.to ? Date.parse(q.to) : now();
      const fromMs = q.from ? Date.parse(q.from) : toMs - 7 * 86_400_000;
      if (fromMs > toMs) throw Object.assign(new Error('from is after to'), { statusCode: 400 });
      const list = await revisits.list({ fromMs, toMs, limit: q.limit, ...(q.state ? { state: q.state } : {}), ...(q.reason ? { reason: q.reason } : {}) });
      return { revisits: list.map(masked) };
    },
  );

  app.get(
    '/api/revisits/figures',
    { config: { access: 'revisits:read', store: true }, schema: { tags: ['revisits'], summary: 'Revisit figures of one local day (format=csv: UTF-8 with BOM)', querystring: z.strictObject({ day: dayParam.optional(), format: z.enum(['json', 'csv']).default('json') }) } },
    async (req, reply) => {
      const f = await revisits.figures(req.query.day ?? opts.today());
      if (req.query.format === 'csv') return reply.type('text/csv; charset=utf-8').header('content-disposition', `attachment; filename="revisits-${f.day}.csv"`).send(revisitFiguresCsv(f));
      return f;
    },
  );

  app.get(
    '/api/revisits/:id',
    { config: { access: 'revisits:read', store: true }, schema: { tags: ['revisits'], summary: 'One revisit task with its attempts (number masked)', params: idParams, response: { 200: taskView } } },
    async (req) => {
      const task = await revisits.get(req.params.id);
      if (!task) throw Object.assign(new Error(`no revisit ${req.params.id}`), { statusCode: 404 });
      return masked(task);
    },
  );

  // The signature covers the raw body: keep it as received, then parse it as JSON ourselves.
  await fastify.register(async (signed) => {
    signed.addContentTypeParser('application/json', { parseAs: 'string' }, (req, body, done) => {
      rawBodies.set(req, body as string);
      try {
        done(null, JSON.parse(body as string));
      } catch {
        done(Object.assign(new Error('body is not valid JSON'), { statusCode: 400 }), undefined);
      }
    });
    signed.withTypeProvider<ZodTypeProvider>().post(
      TICKET_WEBHOOK_PATH,
      {
        // No token: the ticket system proves itself with X-Hotline-Timestamp and X-Hotline-Signature.
        config: { access: 'public', store: true },
        schema: { tags: ['revisits'], summary: 'The ticket system asks for a revisit (signed like our webhooks: HMAC-SHA256 of `<timestamp>.<body>`)', body: createRevisitSchema.extend({ reason: z.enum(REVISIT_REASONS).default('ticket') }), response: { 201: taskView } },
      },
      async (req, reply) => {
        if (!opts.ticketSecret) throw Object.assign(new Error('signed revisit requests are off: set desk.ticketWebhookSecret (HOTLINE_DESK_TICKET_WEBHOOK_SECRET)'), { statusCode: 403 });
        const verdict = verifySignature(opts.ticketSecret, req.headers as Record<string, string | undefined>, rawBodies.get(req) ?? '', now());
        if (!verdict.ok) {
          req.log.warn({ reason: verdict.reason }, 'revisit webhook refused');
          throw Object.assign(new Error(`signature ${verdict.reason}: sign \`<timestamp>.<body>\` with the shared secret (README "Verifying a webhook")`), { statusCode: 401 });
        }
        return reply.code(201).send(await create(req.body, 'ticket-system'));
      },
    );
  });
};

export default revisitRoutes;
