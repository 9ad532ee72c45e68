// The dispatcher's side of a three-way call over REST (the dispatcher console calls these): bring
// the partner's dispatcher (its callback number, or another of its numbers) or a department into
// the call a handoff became, and say who takes the case. The agent's side is the /agent socket.
import type { FastifyPluginAsync } from 'fastify';
import { z } from 'zod';
import { principalOf } from '../plugins/app/authz.ts';
import { partnersFor, type Partner } from '../handoff/partners.ts';
import type { HandoffService } from '../handoff/service.ts';
import { ThreeWayError, type ThreeWay } from '../handoff/threeway.ts';
import type { ZodTypeProvider } from '../plugins/app/zod.ts';

export interface ThreeWayRoutesOptions {
  handoffs: Pick<HandoffService, 'get'>;
  threeWay: Pick<ThreeWay, 'start' | 'caseOwner'>;
  partners: readonly Partner[];
}

const STATUS = { 'not-found': 404, conflict: 409, invalid: 400, forbidden: 403 } as const;
const idParams = z.strictObject({ id: z.string().regex(/^[A-Za-z0-9-]{1,64}$/, { error: 'expected a handoff id' }) });
const number = z.string().regex(/^\+?[0-9]{3,20}$/, { error: 'expected a number of 3 to 20 digits' });

export const threeWayBody = z.strictObject({
  target: z
    .discriminatedUnion('kind', [
      // The partner's own line: the dispatcher's callback number unless another is given.
      z.strictObject({ kind: z.literal('partner'), number: number.optional() }),
      // A department by its number (the department directory gives it).
      z.strictObject({ kind: z.literal('external'), number }),
    ])
    .default({ kind: 'partner' }),
});
export const caseOwnerBody = z.strictObject({ owner: z.string().regex(/^[0-9]{3,6}$/, { error: 'expected 12345 or a partner id' }) });

const threeWayRoutes: FastifyPluginAsync<ThreeWayRoutesOptions> = async (fastify, opts) => {
  const app = fastify.withTypeProvider<ZodTypeProvider>();

  /** The handoff, if the dispatcher may act on it and it became a call an agent talks on. */
  const callOf = async (req: Parameters<typeof principalOf>[0], id: string): Promise<{ callId: string; partner: string; callback: string }> => {
    const h = await opts.handoffs.get(id);
    if (!h) throw Object.assign(new Error(`no handoff ${id}`), { statusCode: 404 });
    if (!partnersFor(opts.partners, principalOf(req)).some((p) => p.id === h.partner)) throw Object.assign(new Error(`partner ${h.partner} is not yours`), { statusCode: 403 });
    if (!h.callId || h.state !== 'answered') throw Object.assign(new Error(`handoff ${id} is ${h.state}: only a call an agent is talking on can become a three-way`), { statusCode: 409 });
    return { callId: h.callId, partner: h.partner, callback: h.dispatcherCallback };
  };
  const run = async <T>(f: () => Promise<T> | T): Promise<T> => {
    try {
      return await f();
    } catch (err) {
      throw err instanceof ThreeWayError ? Object.assign(new Error(err.message), { statusCode: STATUS[err.code] }) : err;
    }
  };

  app.post(
    '/api/handoffs/:id/three-way',
    {
      config: { access: 'handoffs:write', store: true },
      schema: { tags: ['handoffs'], summary: "Join the partner's dispatcher (or a department) into the call a handoff became; answers once the party is in", params: idParams, body: threeWayBody, response: { 200: z.strictObject({ callId: z.string(), legUuid: z.string() }) } },
    },
    async (req) => {
      const c = await callOf(req, req.params.id);
      const p = principalOf(req);
      const t = req.body.target;
      const target = t.kind === 'external' ? t : { kind: 'partner' as const, partner: c.partner, ...((t.number ?? c.callback) ? { number: t.number ?? c.callback } : {}) };
      const legUuid = await run(() => opts.threeWay.start(c.callId, { kind: 'dispatcher', user: p.username, partner: c.partner }, target));
      return { callId: c.callId, legUuid };
    },
  );

  app.post(
    '/api/handoffs/:id/case-owner',
    {
      config: { access: 'handoffs:write', store: true },
      schema: { tags: ['handoffs'], summary: 'After a three-way: who takes the case (12345 or the partner)', params: idParams, body: caseOwnerBody, response: { 200: z.strictObject({ owner: z.string(), by: z.string(), atMs: z.number() }) } },
    },
    async (req) => {
      const c = await callOf(req, req.params.id);
      const p = principalOf(req);
      const o = await run(() => opts.threeWay.caseOwner(c.callId, { kind: 'dispatcher', user: p.username, partner: c.partner }, req.body.owner, ['12345', c.partner]));
      return { owner: o.owner, by: o.by, atMs: Math.floor(o.atUs / 1000) };
    },
  );
};

export default threeWayRoutes;
