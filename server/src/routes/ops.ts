// Ops REST: reports (CSV, UTF-8 with BOM, or JSON), the staffing forecast, the wallboard's figures,
// and the wallboard, supervisor and dispatcher pages of the built softphone-web (the pages hold no data: they
// log in and open /ops like any client).
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type { FastifyPluginAsync, FastifyReply } from 'fastify';
import { z } from 'zod';
import { addDays } from '../forecast/forecast.ts';
import type { OpsService } from '../ops/ops-service.ts';
import { agentRowsCsv, callRowsCsv } from '../ops/reports.ts';
import type { ZodTypeProvider } from '../plugins/app/zod.ts';
import { localDate } from '../sla/windows.ts';
import { calendarDateSchema } from '../validation.ts';

export interface OpsRoutesOptions {
  ops: OpsService;
  /** The built softphone-web (dist); pages are served from it when built. */
  staticDir: string;
  now?: () => number;
}

const scope = z
  .string()
  .regex(/^(center|queue:[\p{L}\p{N}_.-]{1,64})$/u, { error: 'expected "center" or "queue:<name>"' })
  .default('center')
  .describe('"center" (the default) or "queue:<name>"');
const format = z.enum(['csv', 'json']).default('csv').describe('csv (UTF-8 with BOM, the default) or json');
const date = calendarDateSchema.optional().describe('A Beijing calendar day, YYYY-MM-DD (default: today)');

const MAX_DAYS = 92;
const NOT_READY_REASONS = ['break', 'meal', 'training', 'meeting', 'ring-no-answer', 'phone-failure'];

const opsRoutes: FastifyPluginAsync<OpsRoutesOptions> = async (fastify, { ops, staticDir, now = Date.now }) => {
  const app = fastify.withTypeProvider<ZodTypeProvider>();
  const today = (): string => localDate(now());
  const csv = (name: string, body: string) => ({ name, body });
  const send = (reply: FastifyReply, fmt: 'csv' | 'json', file: { name: string; body: string }, rows: unknown) =>
    fmt === 'json'
      ? reply.send({ rows })
      : reply.header('content-type', 'text/csv; charset=utf-8').header('content-disposition', `attachment; filename="${file.name}"`).send(file.body);

  app.get(
    '/api/reports/intervals',
    {
      config: { access: 'reports:read', store: true },
      schema: { tags: ['reports'], summary: 'Per 15-minute interval of one day: offered, answered, within 15 s, abandons, ASA, AHT, callbacks, overflows, transfers, three-way', querystring: z.strictObject({ scope, date, format }) },
    },
    async (req, reply) => {
      const d = req.query.date ?? today();
      const rows = await ops.intervalRows(req.query.scope, d);
      return send(reply, req.query.format, csv(`intervals-${req.query.scope.replace(':', '-')}-${d}.csv`, callRowsCsv(rows)), rows);
    },
  );

  app.get(
    '/api/reports/days',
    {
      config: { access: 'reports:read', store: true },
      schema: { tags: ['reports'], summary: 'Per Beijing day from..to (at most 92 days): the interval figures summed', querystring: z.strictObject({ scope, from: date, to: date, format }) },
    },
    async (req, reply) => {
      const to = req.query.to ?? today();
      const from = req.query.from ?? to;
      if (from > to) return reply.code(400).send({ statusCode: 400, error: 'Bad Request', message: 'from: expected a day on or before to' });
      if (addDays(from, MAX_DAYS - 1) < to) return reply.code(400).send({ statusCode: 400, error: 'Bad Request', message: `from..to: at most ${MAX_DAYS} days` });
      const rows = await ops.dayRows(req.query.scope, from, to);
      return send(reply, req.query.format, csv(`days-${req.query.scope.replace(':', '-')}-${from}-${to}.csv`, callRowsCsv(rows)), rows);
    },
  );

  app.get(
    '/api/reports/agents',
    {
      config: { access: 'reports:read', store: true },
      schema: { tags: ['reports'], summary: 'Per agent for one day: calls, talk, wrap-up, ready and not-ready time by reason, ring-no-answer', querystring: z.strictObject({ date, format }) },
    },
    async (req, reply) => {
      const d = req.query.date ?? today();
      const rows = await ops.agentRows(d);
      return send(reply, req.query.format, csv(`agents-${d}.csv`, agentRowsCsv(rows, NOT_READY_REASONS)), rows);
    },
  );

  app.get(
    '/api/forecast',
    {
      config: { access: 'forecast:read', store: true },
      schema: {
        tags: ['reports'],
        summary: 'Agents needed per 15-minute interval to answer the target share within the threshold (Erlang C, or Erlang A with measured patience), for a day and the next',
        querystring: z.strictObject({ scope, date }),
      },
    },
    async (req) => {
      const d = req.query.date ?? today();
      return { forecasts: await Promise.all([d, addDays(d, 1)].map((x) => ops.forecast(req.query.scope, x))) };
    },
  );

  app.get('/api/ops/board', { config: { access: 'sla:read', store: true }, schema: { tags: ['sla'], summary: "The wallboard's figures (as pushed on /ops board:update)" } }, async () => ops.board());

  // The pages: one HTML file each in the built bundle; its scripts and styles are the static files.
  const page = (file: string) => async (_req: unknown, reply: FastifyReply) => {
    const html = await readFile(path.join(staticDir, file), 'utf8').catch(() => undefined);
    if (html === undefined) return reply.code(404).send({ statusCode: 404, error: 'Not Found', message: `${file} is not built (npm run build -w softphone-web)` });
    return reply.header('content-type', 'text/html; charset=utf-8').header('cache-control', 'no-cache').send(html);
  };
  for (const url of ['/wallboard', '/ops']) app.get(url, { config: { access: 'public' }, schema: { hide: true } }, page('wallboard.html'));
  app.get('/supervisor', { config: { access: 'public' }, schema: { hide: true } }, page('supervisor.html'));
  app.get('/dispatcher', { config: { access: 'public' }, schema: { hide: true } }, page('dispatcher.html'));
};

export default opsRoutes;
