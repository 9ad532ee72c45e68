// Supervision REST for the supervisor console: listen to, whisper to or barge into an agent's call
// (the supervisor's own phone rings and joins), change the mode, stop; move a waiting caller to
// another queue or to the head of its class; message one agent or all of the supervisor's agents.
// Agent-facing actions are scoped to the supervisor's groups; every action is audited with the
// token's user (auth/access.ts auditName), never a body field.
import type { FastifyPluginAsync } from 'fastify';
import { z } from 'zod';
import { agentScope, auditName } from '../auth/access.ts';
import { SUPERVISION_MODES } from '../freeswitch/eavesdrop.ts';
import { SupervisionError, type Supervision } from '../ops/supervision.ts';
import { principalOf } from '../plugins/app/authz.ts';
import type { ZodTypeProvider } from '../plugins/app/zod.ts';
import { errorView } from './agent-schemas.ts';

export interface SuperviseRoutesOptions {
  supervision: Supervision;
  agents: { get(id: string): Promise<{ readonly id: string; readonly groups?: readonly string[] | undefined } | undefined>; list(): Promise<readonly { readonly id: string; readonly groups?: readonly string[] | undefined }[]> };
}

const agentId = z.string().regex(/^[A-Za-z0-9_-]{1,64}$/, { error: 'expected an agent id' });
const mode = z.enum(SUPERVISION_MODES, { error: `expected one of ${SUPERVISION_MODES.join(', ')}` });
const sessionView = z.object({ agentId: z.string(), callId: z.string(), mode: z.string(), since: z.number() }).nullable();
const refusals = { 400: errorView, 403: errorView, 404: errorView, 409: errorView };

function asHttp(err: unknown): unknown {
  if (err instanceof SupervisionError) return Object.assign(err, { statusCode: err.code === 'not-found' ? 404 : 409 });
  return err;
}

async function http<T>(work: Promise<T>): Promise<T> {
  try {
    return await work;
  } catch (err) {
    throw asHttp(err);
  }
}

const forbidden = (message: string) => Object.assign(new Error(message), { statusCode: 403 });
const view = (s: { agentId: string; callId: string; mode: string; since: number } | undefined) => (s ? { agentId: s.agentId, callId: s.callId, mode: s.mode, since: s.since } : null);

const superviseRoutes: FastifyPluginAsync<SuperviseRoutesOptions> = async (fastify, { supervision, agents }) => {
  const app = fastify.withTypeProvider<ZodTypeProvider>();
  const tags = ['supervision'];
  const config = { access: 'supervise' as const, store: true };

  app.get('/api/supervise', { config, schema: { tags, summary: "The supervisor's own listen/whisper/barge session, if any", response: { 200: z.object({ session: sessionView }) } } }, async (req) => ({
    session: view(await supervision.session(principalOf(req).username)),
  }));

  app.post(
    '/api/supervise/listen',
    {
      config,
      schema: {
        tags,
        summary: "Ring the supervisor's phone into an agent's current call: listen (hears both), whisper (the agent hears the supervisor, the caller does not) or barge (all three)",
        body: z.strictObject({ agentId, mode: mode.default('listen') }),
        response: { 200: z.object({ session: sessionView }), ...refusals },
      },
    },
    async (req) => {
      const p = principalOf(req);
      const target = await agents.get(req.body.agentId);
      if (!target) throw asHttp(new SupervisionError('not-found', `agent ${req.body.agentId}: no such agent`));
      const refusal = agentScope(p, target);
      if (refusal) throw forbidden(refusal);
      return { session: view(await http(supervision.start(auditName(p), p.username, req.body.agentId, req.body.mode))) };
    },
  );

  app.post(
    '/api/supervise/mode',
    { config, schema: { tags, summary: 'Switch the running session between listen, whisper and barge', body: z.strictObject({ mode }), response: { 200: z.object({ session: sessionView }), ...refusals } } },
    async (req) => {
      const p = principalOf(req);
      return { session: view(await http(supervision.mode(auditName(p), p.username, req.body.mode))) };
    },
  );

  app.post('/api/supervise/stop', { config, schema: { tags, summary: "Hang up the supervisor's phone leg", response: { 200: z.object({}), ...refusals } } }, async (req) => {
    const p = principalOf(req);
    await http(supervision.stop(auditName(p), p.username));
    return {};
  });

  app.post(
    '/api/queues/calls/:callId/move',
    {
      config,
      schema: {
        tags,
        summary: 'Move a waiting caller to another queue (its class and t0 kept) or to the head of its priority class',
        params: z.strictObject({ callId: z.string().regex(/^[A-Za-z0-9-]{1,64}$/, { error: 'expected a call id' }) }),
        body: z.union([z.strictObject({ queue: z.string().regex(/^[\p{L}\p{N}_.-]{1,64}$/u, { error: 'expected a queue name' }) }), z.strictObject({ head: z.literal(true) })], { error: 'expected {"queue": "<name>"} or {"head": true}' }),
        response: { 200: z.object({ queue: z.string() }), ...refusals },
      },
    },
    async (req) => http(supervision.moveCaller(auditName(principalOf(req)), req.params.callId, req.body)),
  );

  app.post(
    '/api/agents/messages',
    {
      config,
      schema: {
        tags,
        summary: "A message shown on one agent's softphone, or on those of all the supervisor's agents",
        body: z.strictObject({ to: z.union([agentId, z.literal('all')]), text: z.string().trim().min(1, { error: 'expected a message' }).max(500, { error: 'expected at most 500 characters' }) }),
        response: { 200: z.object({ id: z.string(), to: z.array(z.string()) }), ...refusals },
      },
    },
    async (req) => {
      const p = principalOf(req);
      if (req.body.to === 'all') {
        const mine = (await agents.list()).filter((a) => agentScope(p, a) === undefined).map((a) => a.id);
        const n = await http(supervision.message(auditName(p), p.username, { all: mine }, req.body.text));
        return { id: n.id, to: [...n.to] };
      }
      const target = await agents.get(req.body.to);
      if (!target) throw asHttp(new SupervisionError('not-found', `agent ${req.body.to}: no such agent`));
      const refusal = agentScope(p, target);
      if (refusal) throw forbidden(refusal);
      const n = await http(supervision.message(auditName(p), p.username, { agent: req.body.to }, req.body.text));
      return { id: n.id, to: [...n.to] };
    },
  );
};

export default superviseRoutes;
