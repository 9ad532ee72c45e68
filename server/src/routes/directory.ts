// The department directory over REST: agents (and supervisors, admins) search it to transfer a
// caller; admins create, change and delete entries. Who wrote an entry comes from the token.
import type { FastifyPluginAsync } from 'fastify';
import { z } from 'zod';
import { auditName } from '../auth/access.ts';
import { createEntrySchema, updateEntrySchema } from '../directory/entry.ts';
import { DirectoryError, type DirectoryService } from '../directory/service.ts';
import { principalOf } from '../plugins/app/authz.ts';
import type { ZodTypeProvider } from '../plugins/app/zod.ts';

export interface DirectoryRoutesOptions {
  directory: DirectoryService;
}

const entryView = z.strictObject({ id: z.string(), name: z.string(), number: z.string(), hours: z.string(), notes: z.string().optional(), tags: z.array(z.string()), updatedMs: z.number(), updatedBy: z.string() });
const idParams = z.strictObject({ id: z.string().regex(/^[A-Za-z0-9-]{1,64}$/, { error: 'expected a directory entry id' }) });
const notFound = (err: unknown) => (err instanceof DirectoryError ? Object.assign(new Error(err.message), { statusCode: 404 }) : err);

const directoryRoutes: FastifyPluginAsync<DirectoryRoutesOptions> = async (fastify, { directory }) => {
  const app = fastify.withTypeProvider<ZodTypeProvider>();

  app.get(
    '/api/directory',
    {
      config: { access: 'directory:read', store: true },
      schema: {
        tags: ['directory'],
        summary: 'Search the department directory: name, tags, notes, number, or the name\'s pinyin initials (best first)',
        querystring: z.strictObject({ q: z.string().max(64, { error: 'expected a query of at most 64 characters' }).default(''), limit: z.coerce.number({ error: 'expected a limit 1-200' }).int().min(1).max(200).default(50) }),
        response: { 200: z.strictObject({ entries: z.array(entryView) }) },
      },
    },
    async (req) => ({ entries: await directory.find(req.query.q, req.query.limit) }),
  );

  app.get(
    '/api/directory/:id',
    { config: { access: 'directory:read', store: true }, schema: { tags: ['directory'], summary: 'One directory entry', params: idParams, response: { 200: entryView } } },
    async (req) => {
      const e = await directory.get(req.params.id);
      if (!e) throw Object.assign(new Error(`no directory entry ${req.params.id}`), { statusCode: 404 });
      return e;
    },
  );

  app.post(
    '/api/directory',
    { config: { access: 'directory:manage', store: true }, schema: { tags: ['directory'], summary: 'Add a department to the directory', body: createEntrySchema, response: { 201: entryView } } },
    async (req, reply) => reply.code(201).send(await directory.create(req.body, auditName(principalOf(req)))),
  );

  app.patch(
    '/api/directory/:id',
    { config: { access: 'directory:manage', store: true }, schema: { tags: ['directory'], summary: 'Change a directory entry (the fields given)', params: idParams, body: updateEntrySchema, response: { 200: entryView } } },
    async (req) => directory.update(req.params.id, req.body, auditName(principalOf(req))).catch((err: unknown) => Promise.reject(notFound(err))),
  );

  app.delete(
    '/api/directory/:id',
    { config: { access: 'directory:manage', store: true }, schema: { tags: ['directory'], summary: 'Remove a directory entry', params: idParams } },
    async (req, reply) => {
      await directory.remove(req.params.id).catch((err: unknown) => Promise.reject(notFound(err)));
      return reply.code(204).send();
    },
  );
};

export default directoryRoutes;
