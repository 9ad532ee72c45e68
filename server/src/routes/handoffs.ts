// Partner hotlines' handoffs over REST, for 110 (and 119, 120, 122, 12388) systems that integrate
// by machine and for the dispatcher console: announce a case before transferring the caller, follow
// it, take the caller back, and read the two-way diversion figures (JSON or CSV).
import type { FastifyPluginAsync } from 'fastify';
import { z } from 'zod';
import { principalOf } from '../plugins/app/authz.ts';
import { announceSchema } from '../handoff/handoff.ts';
import { partnersFor, type Partner } from '../handoff/partners.ts';
import { HandoffError, type DayFigures, type HandoffService } from '../handoff/service.ts';
import type { ZodTypeProvider } from '../plugins/app/zod.ts';
import { calendarDateSchema } from '../validation.ts';

export interface HandoffRoutesOptions {
  handoffs: HandoffService;
  partners: readonly Partner[];
  now?: () => number;
  /** Today's date (YYYY-MM-DD) in the center's time zone. */
  today: () => string;
}

const STATUS = { 'not-found': 404, conflict: 409, invalid: 400, forbidden: 403 } as const;
const fail = (err: HandoffError) => Object.assign(new Error(err.message), { statusCode: STATUS[err.code] });
const handoffView = z.looseObject({ id: z.string(), partner: z.string(), state: z.string(), caseId: z.string() });
const idParams = z.strictObject({ id: z.string().regex(/^[A-Za-z0-9-]{1,64}$/, { error: 'expected a handoff id' }) });
const partnerId = z.string().regex(/^[0-9]{3,6}$/, { error: 'expected a partner id' });
const dayParam = calendarDateSchema;

/** CSV with a BOM, so spreadsheet programs read the UTF-8 as such. */
export function figuresCsv(rows: readonly DayFigures[]): string {
  const head = 'partner,day,direction,announced,transferred,accepted,returned,three_way,mean_answer_sec';
  const lines = rows.flatMap((f) => (['in', 'out'] as const).map((d) => [f.partner, f.day, d, f[d].announced, f[d].transferred, f[d].accepted, f[d].returned, f[d].threeWay, f[d].meanAnswerSec ?? ''].join(',')));
  return `\uFEFF${[head, ...lines].join('\r\n')}\r\n`;
}

const handoffRoutes: FastifyPluginAsync<HandoffRoutesOptions> = async (fastify, opts) => {
  const app = fastify.withTypeProvider<ZodTypeProvider>();
  const now = opts.now ?? Date.now;
  const mine = (req: Parameters<typeof principalOf>[0]) => partnersFor(opts.partners, principalOf(req));
  const allowed = (req: Parameters<typeof principalOf>[0], partner: string): void => {
    if (!mine(req).some((p) => p.id === partner)) throw Object.assign(new Error(`partner ${partner} is not yours`), { statusCode: 403 });
  };

  app.post(
    '/api/handoffs',
    { config: { access: 'handoffs:write', store: true }, schema: { tags: ['handoffs'], summary: 'Announce a case before transferring its caller to 12345', body: announceSchema, response: { 201: handoffView } } },
    async (req, reply) => {
      allowed(req, req.body.partner);
      const p = principalOf(req);
      try {
        return reply.code(201).send(await opts.handoffs.announce(req.body, `${p.role}:${p.username}`));
      } catch (err) {
        throw err instanceof HandoffError ? fail(err) : err;
      }
    },
  );

  app.get(
    '/api/handoffs',
    { config: { access: 'handoffs:read', store: true }, schema: { tags: ['handoffs'], summary: "The last 24 hours' handoffs of the partners you may see", querystring: z.strictObject({ partner: partnerId.optional() }), response: { 200: z.strictObject({ partners: z.array(z.looseObject({ id: z.string() })), handoffs: z.array(handoffView) }) } } },
    async (req) => {
      const partners = mine(req).filter((p) => !req.query.partner || p.id === req.query.partner);
      const lists = await Promise.all(partners.map((p) => opts.handoffs.list(p.id, now() - 86_400_000)));
      return { partners: partners.map((p) => ({ id: p.id, name: p.name, preAnnounce: p.preAnnounce })), handoffs: lists.flat().sort((a, b) => b.createdMs - a.createdMs) };
    },
  );

  app.get(
    '/api/handoffs/figures',
    { config: { access: 'handoffs:read', store: true }, schema: { tags: ['handoffs'], summary: 'Two-way diversion figures per partner, direction and day (format=csv: UTF-8 with BOM)', querystring: z.strictObject({ day: dayParam.optional(), format: z.enum(['json', 'csv']).default('json') }) } },
    async (req, reply) => {
      const day = req.query.day ?? opts.today();
      const rows = await Promise.all(mine(req).map((p) => opts.handoffs.figures(p.id, day)));
      if (req.query.format === 'csv') return reply.type('text/csv; charset=utf-8').header('content-disposition', `attachment; filename="diversion-${day}.csv"`).send(figuresCsv(rows));
      return { day, figures: rows };
    },
  );

  app.get(
    '/api/handoffs/:id',
    { config: { access: 'handoffs:read', store: true }, schema: { tags: ['handoffs'], summary: 'One handoff and how far it got', params: idParams, response: { 200: handoffView } } },
    async (req) => {
      const h = await opts.handoffs.get(req.params.id);
      if (!h) throw Object.assign(new Error(`no handoff ${req.params.id}`), { statusCode: 404 });
      allowed(req, h.partner);
      return h;
    },
  );

  app.post(
    '/api/handoffs/:id/take-back',
    { config: { access: 'handoffs:write', store: true }, schema: { tags: ['handoffs'], summary: 'Take a caller nobody answered back to the partner', params: idParams, response: { 200: handoffView } } },
    async (req) => {
      const h = await opts.handoffs.get(req.params.id);
      if (!h) throw Object.assign(new Error(`no handoff ${req.params.id}`), { statusCode: 404 });
      allowed(req, h.partner);
      try {
        return await opts.handoffs.takeBack(h.id);
      } catch (err) {
        throw err instanceof HandoffError ? fail(err) : err;
      }
    },
  );
};

export default handoffRoutes;
