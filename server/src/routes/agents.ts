// Agents: admin records (create, list, read, change, delete) and state changes asked by an agent
// for itself, a supervisor for its groups or an admin (auth/access.ts). State changes go through the
// same atomic store the router uses. The audit's `by` is the token's user, never a body field.
import type { FastifyPluginAsync } from 'fastify';
import { z } from 'zod';
import { AgentTransitionError, type AgentCommand } from '../acd/agent-state.ts';
import { agentScope, auditName } from '../auth/access.ts';
import { principalOf } from '../plugins/app/authz.ts';
import type { ZodTypeProvider } from '../plugins/app/zod.ts';
import { AgentBusyError, AgentConflictError, AgentExistsError, AgentNotFoundError, AgentPhoneRefusedError, type AgentStore } from '../store/agent-store.ts';
import { agentParams, agentView, auditView, createAgentBody, errorView, patchAgentBody, stateBody, transitionView, type STATE_ACTIONS } from './agent-schemas.ts';

export interface AgentRoutesOptions {
  agents: AgentStore;
  /** Told after every state change made here (the router offers calls to an agent that became ready). */
  onStateChange?: (agentId: string) => void;
  /** How many audit entries GET /api/agents/:id returns. */
  recentTransitions?: number;
}

/** Domain errors become 4xx the app's error handler answers with their message. */
function asHttp(err: unknown): unknown {
  if (err instanceof AgentNotFoundError) return Object.assign(err, { statusCode: 404 });
  if (err instanceof AgentPhoneRefusedError) return Object.assign(err, { statusCode: 400 });
  if (err instanceof AgentTransitionError || err instanceof AgentExistsError || err instanceof AgentBusyError || err instanceof AgentConflictError)
    return Object.assign(err, { statusCode: 409 });
  return err;
}

async function http<T>(work: Promise<T>): Promise<T> {
  try {
    return await work;
  } catch (err) {
    throw asHttp(err);
  }
}

function commandOf(body: z.output<typeof stateBody>): AgentCommand {
  const byAction: Record<(typeof STATE_ACTIONS)[number], AgentCommand> = {
    login: { type: 'login' },
    ready: { type: 'ready' },
    // The schema refuses not-ready without a reason; 'break' is never used.
    'not-ready': { type: 'notReady', reason: body.reason ?? 'break' },
    logout: { type: 'logout' },
    'end-wrap-up': { type: 'endWrapUp' },
    'extend-wrap-up': { type: 'extendWrapUp' },
  };
  return byAction[body.action];
}

const refusals = { 400: errorView, 404: errorView, 409: errorView };
const forbidden = (message: string) => Object.assign(new Error(message), { statusCode: 403 });

const agentRoutes: FastifyPluginAsync<AgentRoutesOptions> = async (fastify, { agents, recentTransitions = 20, onStateChange }) => {
  const app = fastify.withTypeProvider<ZodTypeProvider>();
  const tags = ['agents'];

  app.post(
    '/api/agents',
    { config: { access: 'agents:manage', store: true }, schema: { tags, summary: 'Create an agent (starts logged out)', body: createAgentBody, response: { 201: agentView, 400: errorView, 409: errorView } } },
    async (req, reply) => {
      const agent = await http(agents.create(req.body, auditName(principalOf(req))));
      return reply.code(201).send(agent);
    },
  );

  app.get(
    '/api/agents',
    { config: { access: 'agents:read', store: true }, schema: { tags, summary: 'Every agent with its live state', response: { 200: z.object({ agents: z.array(agentView) }) } } },
    async () => ({ agents: await agents.list() }),
  );

  app.get(
    '/api/agents/:id',
    {
      config: { access: 'agents:read', store: true },
      schema: {
        tags,
        summary: 'One agent: live state and its latest transitions (newest first)',
        params: agentParams,
        response: { 200: z.object({ agent: agentView, transitions: z.array(auditView) }), 400: errorView, 404: errorView },
      },
    },
    async (req) => {
      const [agent, transitions] = await Promise.all([agents.get(req.params.id), agents.audit(req.params.id, recentTransitions)]);
      if (!agent) throw asHttp(new AgentNotFoundError(req.params.id));
      return { agent, transitions };
    },
  );

  app.patch(
    '/api/agents/:id',
    {
      config: { access: 'agents:manage', store: true },
      schema: { tags, summary: 'Change name, phone, skills or groups', params: agentParams, body: patchAgentBody, response: { 200: agentView, ...refusals } },
    },
    async (req) => http(agents.update(req.params.id, req.body, auditName(principalOf(req)))),
  );

  app.delete(
    '/api/agents/:id',
    {
      config: { access: 'agents:manage', store: true },
      schema: {
        tags,
        summary: 'Delete an agent (only when logged out; the audit trail is kept)',
        params: agentParams,
        response: { 204: { type: 'null', description: 'Deleted' }, ...refusals },
      },
    },
    async (req, reply) => {
      await http(agents.delete(req.params.id, auditName(principalOf(req))));
      return reply.code(204).send();
    },
  );

  app.post(
    '/api/agents/:id/state',
    {
      config: { access: 'agents:state', store: true },
      schema: {
        tags,
        summary: 'Change an agent state: login, ready, not-ready (with reason), logout, end-wrap-up, extend-wrap-up',
        description:
          'An agent changes only its own state, a supervisor the state of agents in its groups, an admin any agent (403 otherwise). An illegal transition (e.g. ready while on a call) is refused with 409 and the reason.',
        params: agentParams,
        body: stateBody,
        response: { 200: z.object({ agent: agentView, transition: transitionView }), ...refusals },
      },
    },
    async (req) => {
      const principal = principalOf(req);
      const target = await agents.get(req.params.id);
      if (!target) throw asHttp(new AgentNotFoundError(req.params.id));
      const refusal = agentScope(principal, target);
      if (refusal) throw forbidden(refusal);
      const { agent, audit } = await http(agents.apply(req.params.id, commandOf(req.body), auditName(principal)));
      onStateChange?.(req.params.id);
      return { agent, transition: audit };
    },
  );
};

export default agentRoutes;
