// Knowledge-base REST (热线百科), under /api/kb. Agents and above search and read published entries
// (kb:read); editors and the admin write (kb:write): drafts, publish with the effective dates,
// unpublish, delete, import and export (CSV or JSON, all or nothing), the synonym table, the audit.
// Every write is audited with the token's user (auth/access.ts auditName); a refused write changes
// nothing. Also serves the editor page (/kb) of the built softphone-web.
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type { FastifyPluginAsync, FastifyReply } from 'fastify';
import { z } from 'zod';
import { auditName } from '../auth/access.ts';
import { KbError, type KbService } from '../kb-control.ts';
import { kbEntryFields } from '../kb/entry.ts';
import { principalOf } from '../plugins/app/authz.ts';
import type { ZodTypeProvider } from '../plugins/app/zod.ts';
import { calendarDateSchema } from '../validation.ts';

export interface KbRoutesOptions {
  kb: KbService;
  /** The built softphone-web (dist): the editor page. */
  staticDir: string;
}

const tags = ['kb'];
const idParam = z.strictObject({ id: z.string().regex(/^[A-Za-z0-9_.:-]{1,64}$/, { error: 'expected an entry id: letters, digits, _ . : - (1 to 64)' }) });
// The editable fields; id and status belong to the workflow (POST creates, publish/unpublish).
const draftBody = kbEntryFields.omit({ id: true, status: true });
const createBody = draftBody.extend({ id: idParam.shape.id.optional() });
const publishBody = z.strictObject({ validFrom: calendarDateSchema.describe('first Beijing day shown'), validTo: calendarDateSchema.nullable().optional().describe('last Beijing day shown; null: no end') });
const format = z.enum(['csv', 'json']).default('json');
const MAX_IMPORT_BYTES = 20 * 1024 * 1024;

function asHttp(err: unknown): unknown {
  if (!(err instanceof KbError)) return err;
  return Object.assign(err, { statusCode: err.code === 'not-found' ? 404 : err.code === 'conflict' ? 409 : 400 });
}

async function http<T>(work: Promise<T>): Promise<T> {
  try {
    return await work;
  } catch (err) {
    throw asHttp(err);
  }
}

const kbRoutes: FastifyPluginAsync<KbRoutesOptions> = async (fastify, { kb, staticDir }) => {
  const app = fastify.withTypeProvider<ZodTypeProvider>();
  const write = { access: 'kb:write' as const, store: true };
  const by = (req: Parameters<typeof principalOf>[0]) => auditName(principalOf(req));

  app.get(
    '/api/kb/search',
    {
      config: { access: 'kb:read' },
      schema: {
        tags,
        summary: 'Search the entries shown today (Chinese words, synonyms, pinyin initials such as "gjj")',
        querystring: z.strictObject({
          q: z.string().max(500).describe('the query (cut at 200 characters)'),
          limit: z.coerce.number().int().min(1).max(50).default(10),
          category: z.string().max(50).optional(),
          region: z.string().max(50).optional(),
        }),
      },
    },
    async (req) => {
      const { q, limit, category, region } = req.query;
      const r = kb.search(q, { limit, ...(category ? { category } : {}), ...(region ? { region } : {}) });
      return { total: r.total, groups: r.groups, hits: r.hits.map((h) => ({ score: Math.round(h.score * 1000) / 1000, entry: h.entry })) };
    },
  );

  app.get(
    '/api/kb/entries',
    {
      config: { access: 'kb:write' },
      schema: {
        tags,
        summary: 'All entries, drafts included, for the editor: filter by text (id, question, answer, tags...) and status',
        querystring: z.strictObject({
          q: z.string().max(200).optional(),
          status: z.enum(['draft', 'published']).optional(),
          offset: z.coerce.number().int().min(0).default(0),
          limit: z.coerce.number().int().min(1).max(500).default(50),
        }),
      },
    },
    async (req) => kb.list({ ...req.query }),
  );

  app.get(
    '/api/kb/entries/:id',
    { config: { access: 'kb:read' }, schema: { tags, summary: 'One entry (agents: only one shown today)', params: idParam } },
    async (req, reply) => {
      const e = kb.get(req.params.id);
      const editor = ['editor', 'admin'].includes(principalOf(req).role);
      if (!e || (!editor && !kb.visible(e))) return reply.code(404).send({ statusCode: 404, error: 'Not Found', message: `knowledge-base entry ${req.params.id}: no such entry` });
      return { entry: e, visible: kb.visible(e) };
    },
  );

  app.post(
    '/api/kb/entries',
    { config: write, schema: { tags, summary: 'Create a draft (id generated unless given)', body: createBody } },
    async (req, reply) => {
      const { id, ...draft } = req.body;
      const entry = await http(kb.create(draft, by(req), id));
      return reply.code(201).send({ entry });
    },
  );

  app.put(
    '/api/kb/entries/:id',
    { config: write, schema: { tags, summary: 'Change an entry: it becomes a draft until published again', params: idParam, body: draftBody } },
    async (req) => ({ entry: await http(kb.update(req.params.id, req.body, by(req))) }),
  );

  app.post(
    '/api/kb/entries/:id/publish',
    { config: write, schema: { tags, summary: 'Publish: shown to agents from 00:00 Beijing time on validFrom through validTo', params: idParam, body: publishBody } },
    async (req) => {
      const entry = await http(kb.publish(req.params.id, req.body, by(req)));
      return { entry, visible: kb.visible(entry) };
    },
  );

  app.post(
    '/api/kb/entries/:id/unpublish',
    { config: write, schema: { tags, summary: 'Back to draft: hidden from agents at once', params: idParam } },
    async (req) => ({ entry: await http(kb.unpublish(req.params.id, by(req))) }),
  );

  app.delete(
    '/api/kb/entries/:id',
    { config: write, schema: { tags, summary: 'Delete an entry', params: idParam } },
    async (req, reply) => {
      await http(kb.remove(req.params.id, by(req)));
      return reply.code(204).send();
    },
  );

  app.get(
    '/api/kb/export',
    { config: { access: 'kb:write' }, schema: { tags, summary: 'Every entry as CSV (UTF-8 with BOM, Excel opens it) or JSON', querystring: z.strictObject({ format }) } },
    async (req, reply) => {
      const f = req.query.format;
      return reply
        .header('content-type', f === 'csv' ? 'text/csv; charset=utf-8' : 'application/json; charset=utf-8')
        .header('content-disposition', `attachment; filename="kb.${f}"`)
        .send(kb.export(f));
    },
  );

  app.get('/api/kb/synonyms', { config: { access: 'kb:write' }, schema: { tags, summary: 'The synonym table as text (one rule a line: "a b c", or "a b => c d" one-way)' } }, async () => ({
    text: kb.synonyms(),
  }));

  app.put(
    '/api/kb/synonyms',
    { config: write, schema: { tags, summary: 'Replace the synonym table (effective on the next search, no re-indexing)', body: z.strictObject({ text: z.string().max(200_000) }) } },
    async (req) => {
      await kb.setSynonyms(req.body.text, by(req));
      return { text: kb.synonyms() };
    },
  );

  app.get(
    '/api/kb/audit',
    { config: { access: 'kb:write', store: true }, schema: { tags, summary: 'Who changed what, newest first', querystring: z.strictObject({ count: z.coerce.number().int().min(1).max(500).default(50) }) } },
    async (req) => ({ audit: await kb.audit(req.query.count) }),
  );

  // The import reads its body as text (CSV, or JSON parsed by the importer so that its errors come
  // by row): its own scope, so the other routes keep Fastify's JSON parser.
  await fastify.register(async (scope) => {
    scope.removeContentTypeParser(['application/json', 'text/plain']);
    scope.addContentTypeParser(['application/json', 'text/plain', 'text/csv'], { parseAs: 'string', bodyLimit: MAX_IMPORT_BYTES }, (_req, body, done) => done(null, body));
    scope.withTypeProvider<ZodTypeProvider>().post(
      '/api/kb/import',
      {
        config: write,
        bodyLimit: MAX_IMPORT_BYTES,
        schema: {
          tags,
          summary: 'Import entries (new ids added, known ids replaced): all or nothing, every problem by row',
          description: 'Body: the CSV (columns as the export; header names pick them) or a JSON array of entries. 400 with `problems: [{row, message}]` and nothing changed when any row is wrong.',
          querystring: z.strictObject({ format: format.describe('csv or json (default json)') }),
          body: z.string().min(1, { error: 'expected the file as the body' }),
        },
      },
      async (req, reply) => {
        try {
          return await kb.import(req.query.format, req.body, by(req));
        } catch (err) {
          if (err instanceof KbError && err.code === 'invalid') return reply.code(400).send({ statusCode: 400, error: 'Bad Request', message: err.message, problems: err.problems });
          throw err;
        }
      },
    );
  });

  const page = async (_req: unknown, reply: FastifyReply) => {
    const html = await readFile(path.join(staticDir, 'kb.html'), 'utf8').catch(() => undefined);
    if (html === undefined) return reply.code(404).send({ statusCode: 404, error: 'Not Found', message: 'kb.html is not built (npm run build -w softphone-web)' });
    return reply.header('content-type', 'text/html; charset=utf-8').header('cache-control', 'no-cache').send(html);
  };
  app.get('/kb', { config: { access: 'public' }, schema: { hide: true } }, page);
};

export default kbRoutes;
