// Queues' live state for supervisors: who waits in which priority class and for how long, and which
// agents are ready to take them. Read-only: it reads the same Redis sets the router claims from.
import type { FastifyPluginAsync } from 'fastify';
import type { QueueConfig } from '../acd/queue-config.ts';
import type { ZodTypeProvider } from '../plugins/app/zod.ts';
import type { AgentStore } from '../store/agent-store.ts';
import { PRIORITY, PRIORITY_CLASSES, type QueueStore } from '../store/queue-store.ts';
import { queuesView } from './agent-schemas.ts';

export interface QueueRoutesOptions {
  queues: QueueStore;
  agents: AgentStore;
  /** Configured queues (for their skill, and to list them before their first call); others appear once a call waited. */
  queueConfigs?: readonly Pick<QueueConfig, 'name' | 'skill'>[];
  /** ms since epoch; waits are measured against it. */
  clock?: () => number;
}

const className = new Map<number, string>(Object.entries(PRIORITY).map(([name, p]) => [p, name]));

const queueRoutes: FastifyPluginAsync<QueueRoutesOptions> = async (fastify, { queues, agents, queueConfigs = [], clock = Date.now }) => {
  const app = fastify.withTypeProvider<ZodTypeProvider>();
  const skillOfQueue = new Map(queueConfigs.map((q) => [q.name, q.skill ?? q.name]));

  async function readyOf(skill: string, now: number) {
    return (await agents.readyAgents(skill)).map((a) => ({ id: a.id, idleMs: Math.max(0, now - a.idleSince) }));
  }

  app.get(
    '/api/queues',
    { config: { access: 'queues:read', store: true }, schema: { tags: ['queues'], summary: 'Live state: waiting calls by priority class, longest wait, ready agents per skill', response: { 200: queuesView } } },
    async () => {
      const now = clock();
      const names = [...new Set([...skillOfQueue.keys(), ...(await queues.queues())])].sort();
      const out = await Promise.all(
        names.map(async (name) => {
          const skill = skillOfQueue.get(name) ?? name;
          // list() is already in routing order; get() adds the class and t0. A call answered in between is skipped.
          const calls = (await Promise.all((await queues.list(name)).map((id) => queues.get(id)))).filter((c) => c !== undefined);
          const classes = PRIORITY_CLASSES.map((priority) => ({
            priority,
            class: className.get(priority) ?? String(priority),
            calls: calls.filter((c) => c.priority === priority).map((c) => ({ callId: c.callId, waitMs: Math.max(0, Math.round(now - c.t0Us / 1000)) })),
          }));
          const waits = classes.flatMap((c) => c.calls.map((x) => x.waitMs));
          return { name, skill, waiting: waits.length, longestWaitMs: waits.length ? Math.max(...waits) : 0, classes, readyAgents: await readyOf(skill, now) };
        }),
      );
      const skillNames = new Set(out.map((q) => q.skill));
      for (const a of await agents.list()) for (const s of Object.keys(a.skills)) skillNames.add(s);
      const skills = await Promise.all([...skillNames].sort().map(async (skill) => ({ skill, readyAgents: await readyOf(skill, now) })));
      return { queues: out, skills };
    },
  );
};

export default queueRoutes;
