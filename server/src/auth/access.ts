// Who may do what: the one table both the REST routes (plugins/app/authz.ts) and the Socket.IO
// namespaces (realtime/handshake.ts) read. A permission names an action; each lists the roles that
// hold it. Some permissions are scoped further by what they act on (agentScope below).
//
// Roles, by what their users need and nothing more:
//   agent       its own state and its own calls (/agent namespace, its softphone's phone settings)
//   supervisor  reads agents, queues and SLA figures; forces the state of agents in its groups;
//               watches the wallboard (/ops) and the 110 diversion (/dispatcher)
//   dispatcher  its partner hotlines' handoffs (/api/handoffs, /dispatcher), scoped by its groups
//   ops         reads figures: agents (read-only), queues, SLA, the wallboard (/ops)
//   editor      the knowledge base: writes entries, publishes them, imports, exports, synonyms
//   admin       manages agents (create, change, delete, any agent's state) and reads agents,
//               queues and SLA; users and queues are files the admin deploys. No live caller data:
//               the admin does not open /ops or /dispatcher. Also edits the knowledge base.
import type { Principal } from './tokens.ts';
import type { Role } from './users.ts';

export const ACCESS = {
  'agents:read': ['supervisor', 'ops', 'admin'],
  'agents:manage': ['admin'],
  // Scoped by agentScope: an agent its own record, a supervisor its groups, an admin any agent.
  'agents:state': ['agent', 'supervisor', 'admin'],
  'queues:read': ['supervisor', 'ops', 'admin'],
  'sla:read': ['supervisor', 'ops', 'admin'],
  'softphone:config': ['agent'],
  'realtime:agent': ['agent'],
  'realtime:dispatcher': ['dispatcher', 'supervisor'],
  'realtime:ops': ['ops', 'supervisor'],
  // Scoped by partner: a dispatcher its partners (its groups name them), a supervisor all.
  'handoffs:read': ['dispatcher', 'supervisor'],
  'handoffs:write': ['dispatcher'],
  // Reports (CSV) and the staffing forecast: figures only, no caller data.
  'reports:read': ['supervisor', 'ops', 'admin'],
  'forecast:read': ['supervisor', 'ops', 'admin'],
  // The department directory: agents search it to transfer callers; admins keep it.
  'directory:read': ['agent', 'supervisor', 'admin'],
  'directory:manage': ['admin'],
  // Listen, whisper, barge, move waiting callers, message agents: scoped to the supervisor's groups.
  'supervise': ['supervisor'],
  // Knowledge base: agents and above search and read what is published; editors (and the admin) write.
  'kb:read': ['agent', 'supervisor', 'ops', 'admin', 'editor'],
  'kb:write': ['editor', 'admin'],
} as const satisfies Record<string, readonly Role[]>;

export type Permission = keyof typeof ACCESS;

/** Each permission in words, for 403 messages and the API documentation. */
export const ACTIONS: Record<Permission, string> = {
  'agents:read': 'read agents',
  'agents:manage': 'create, change or delete agents',
  'agents:state': 'change agent states',
  'queues:read': 'read queues',
  'sla:read': 'read SLA figures',
  'softphone:config': 'get softphone settings',
  'realtime:agent': 'open /agent',
  'realtime:dispatcher': 'open /dispatcher',
  'realtime:ops': 'open /ops',
  'handoffs:read': 'read partner handoffs and diversion figures',
  'handoffs:write': 'announce or take back partner handoffs',
  'reports:read': 'download reports',
  'forecast:read': 'read the staffing forecast',
  'directory:read': 'search the department directory',
  'directory:manage': 'create, change or delete directory entries',
  'supervise': 'supervise calls and agents',
  'kb:read': 'search the knowledge base',
  'kb:write': 'edit the knowledge base',
};

/** The permission that opens each Socket.IO namespace. */
export const NAMESPACE_ACCESS = {
  '/agent': 'realtime:agent',
  '/dispatcher': 'realtime:dispatcher',
  '/ops': 'realtime:ops',
} as const satisfies Record<string, Permission>;

export const rolesWith = (permission: Permission): readonly Role[] => ACCESS[permission];

export const allows = (role: Role, permission: Permission): boolean => (ACCESS[permission] as readonly Role[]).includes(role);

/** `role ops may not create, change or delete agents (allowed: admin)`: the 403 message, naming who may. */
export function refusalOf(role: Role, permission: Permission): string {
  return `role ${role} may not ${ACTIONS[permission]} (allowed: ${rolesWith(permission).join(', ')})`;
}

/** Who did it, for audit trails: taken from the token, never from a request body. */
export const auditName = (p: Principal): string => `${p.role}:${p.username}`;

/**
 * Whether the principal may change this agent's state: undefined when it may, else why not.
 * An agent only itself; a supervisor agents sharing one of its groups; an admin any agent.
 */
export function agentScope(p: Principal, agent: { readonly id: string; readonly groups?: readonly string[] | undefined }): string | undefined {
  switch (p.role) {
    case 'admin':
      return undefined;
    case 'agent':
      return p.agentId === agent.id ? undefined : `an agent may only change its own state (you are ${p.agentId ?? 'no agent'})`;
    case 'supervisor': {
      const mine = p.groups ?? [];
      if ((agent.groups ?? []).some((g) => mine.includes(g))) return undefined;
      return `agent ${agent.id} is in none of your groups (${mine.join(', ') || 'none'})`;
    }
    default:
      return `role ${p.role} may not change agent states`;
  }
}
