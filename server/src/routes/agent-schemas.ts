// zod schemas of the agent and queue REST API: validation, types and the OpenAPI document in one place.
import { z } from 'zod';
import { AGENT_STATES, MANUAL_NOT_READY_REASONS, NOT_READY_REASONS } from '../acd/agent-state.ts';
import { groupNameSchema } from '../auth/users.ts';

// Ids, skills and dial targets end up in Redis keys and FreeSWITCH dial strings: keep them plain.
export const agentIdSchema = z.string().regex(/^[A-Za-z0-9_-]{1,64}$/, { error: 'expected 1-64 letters, digits, "-" or "_"' });
export const skillNameSchema = z.string().regex(/^[a-z0-9][a-z0-9_-]{0,63}$/, { error: 'expected a skill name of lower-case letters, digits, "-" or "_"' });
export const skillsSchema = z
  .record(skillNameSchema, z.number({ error: 'expected a skill level 1-10' }).int({ error: 'expected a skill level 1-10' }).min(1, { error: 'expected a skill level 1-10' }).max(10, { error: 'expected a skill level 1-10' }))
  .refine((s) => Object.keys(s).length > 0, { error: 'expected at least one skill' })
  .describe('Skill name -> level 1 (lowest) to 10');
export const phoneSchema = z
  .string()
  .regex(/^[A-Za-z0-9_.@:/+=-]{1,128}$/, { error: 'expected a FreeSWITCH dial target such as user/1001' })
  .describe('FreeSWITCH dial target the router rings: user/<extension> (e.g. user/1001) or a prefix the site allows (HOTLINE_DIAL_AGENT_PHONE_PREFIXES) and a number; anything else is refused with 400');
const nameSchema = z.string().trim().min(1, { error: 'expected a name' }).max(64, { error: 'expected at most 64 characters' });
// Who asks is never part of a body: the audit records the token's user (auth/access.ts auditName).
const groupsSchema = z.array(groupNameSchema).max(20, { error: 'expected at most 20 groups' }).describe('Teams the agent is in: supervisors force the state of agents in their groups');

export const agentParams = z.object({ id: agentIdSchema });

export const createAgentBody = z.strictObject({ id: agentIdSchema, name: nameSchema, phone: phoneSchema, skills: skillsSchema, groups: groupsSchema.optional() });

export const patchAgentBody = z
  .strictObject({ name: nameSchema.optional(), phone: phoneSchema.optional(), skills: skillsSchema.optional(), groups: groupsSchema.optional() })
  .refine((p) => p.name !== undefined || p.phone !== undefined || p.skills !== undefined || p.groups !== undefined, { error: 'expected at least one of name, phone, skills, groups' });

export const STATE_ACTIONS = ['login', 'ready', 'not-ready', 'logout', 'end-wrap-up', 'extend-wrap-up'] as const;
export const stateBody = z
  .strictObject({
    action: z.enum(STATE_ACTIONS),
    reason: z.enum(MANUAL_NOT_READY_REASONS).optional().describe('Required with not-ready, refused otherwise'),
  })
  .superRefine((b, ctx) => {
    if (b.action === 'not-ready' && !b.reason) ctx.addIssue({ code: 'custom', path: ['reason'], message: `expected a reason for not-ready: ${MANUAL_NOT_READY_REASONS.join(', ')}` });
    if (b.action !== 'not-ready' && b.reason) ctx.addIssue({ code: 'custom', path: ['reason'], message: 'a reason only goes with not-ready' });
  });

export const agentView = z
  .object({
    id: z.string(),
    name: z.string(),
    phone: z.string(),
    skills: z.record(z.string(), z.number()),
    groups: z.array(z.string()).readonly().default([]),
    state: z.enum(AGENT_STATES),
    reason: z.enum(NOT_READY_REASONS).optional().describe('Not-ready reason'),
    since: z.number().describe('When the current state began (ms since epoch)'),
    idleSince: z.number().optional().describe('When the agent last became idle (ms): longest idle is offered first'),
    callId: z.string().optional(),
    wrapUntil: z.number().optional().describe('End of wrap-up (ms)'),
    wrapExtended: z.boolean().describe('This wrap-up was already extended (once allowed)'),
  })
  .describe('An agent and its live state');

export const auditView = z.object({
  id: z.string().describe('Audit stream entry id'),
  event: z.string().describe('The command (login, notReady, endCall...), or create/update/delete; empty for router claims'),
  from: z.string(),
  to: z.string(),
  reason: z.string(),
  at: z.number().describe('ms since epoch'),
  by: z.string(),
  callId: z.string().optional(),
  wrapUntil: z.number().optional(),
});

export const transitionView = z.object({
  event: z.string(),
  from: z.enum(AGENT_STATES),
  to: z.enum(AGENT_STATES),
  reason: z.string(),
  at: z.number(),
  by: z.string(),
  callId: z.string().optional(),
  wrapUntil: z.number().optional(),
});

export const errorView = z
  .object({ statusCode: z.number(), error: z.string(), message: z.string(), requestId: z.string().optional() })
  .describe('What was refused and why');

const readyAgentView = z.object({ id: z.string(), idleMs: z.number().describe('Idle so far (ms)') });

export const queuesView = z.object({
  queues: z.array(
    z.object({
      name: z.string(),
      skill: z.string().describe('Skill that serves the queue'),
      waiting: z.number().describe('Calls waiting (not counting calls being offered)'),
      longestWaitMs: z.number().describe('Wait so far of the longest-waiting call; 0 when none'),
      classes: z
        .array(
          z.object({
            priority: z.number(),
            class: z.string().describe('from110, elder, repeat or normal'),
            calls: z.array(z.object({ callId: z.string(), waitMs: z.number() })).describe('In routing order'),
          }),
        )
        .describe('Priority classes, highest first'),
      readyAgents: z.array(readyAgentView).describe('Ready agents with the skill, longest idle first'),
    }),
  ),
  skills: z.array(z.object({ skill: z.string(), readyAgents: z.array(readyAgentView) })).describe('Ready agents per skill held by any agent or served by any queue'),
});
