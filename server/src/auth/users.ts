// Who may log in: a JSON users file (zod-validated at start), or the embedded demo users when no
// file is configured. Roles decide which realtime namespaces and commands a token opens.
import { readFile } from 'node:fs/promises';
import { z } from 'zod';
import { HASH_PATTERN } from './passwords.ts';

export const ROLES = ['agent', 'supervisor', 'dispatcher', 'ops', 'admin', 'editor'] as const;
export type Role = (typeof ROLES)[number];

/** Agent groups name teams (a supervisor's, an agent's); plain words, as they end up in tokens and records. */
export const groupNameSchema = z.string().regex(/^[A-Za-z0-9_-]{1,64}$/, { error: 'expected a group name of letters, digits, "-" or "_"' });

export const userSchema = z
  .strictObject({
    username: z.string().regex(/^[A-Za-z0-9._-]{1,64}$/, { error: 'expected letters, digits, ".", "-" or "_"' }),
    role: z.enum(ROLES),
    // The ACD agent this login drives; required for role agent.
    agentId: z.string().min(1).max(64).optional(),
    passwordHash: z.string().regex(HASH_PATTERN, { error: 'expected scrypt$N$r$p$salt$key (auth/passwords.ts hashPassword)' }),
    // A supervisor's agent groups: it may force the state of agents in any of them (auth/access.ts).
    groups: z.array(groupNameSchema).max(100).optional(),
    // The agent's SIP password on FreeSWITCH (directory), handed to its own softphone for WebRTC registration.
    sipPassword: z.string().min(1).max(128).optional(),
  })
  .refine((u) => u.role !== 'agent' || u.agentId, { error: 'expected agentId for an agent', path: ['agentId'] });

export type User = z.output<typeof userSchema>;

export const usersFileSchema = z
  .strictObject({ users: z.array(userSchema).min(1) })
  .refine((f) => new Set(f.users.map((u) => u.username)).size === f.users.length, { error: 'expected unique usernames', path: ['users'] });

// Every demo user's password is "demo12345" (hash computed once with hashPassword). Agents 1000-1009
// match the demo phones `npm start` registers.
const DEMO_HASH = 'scrypt$16384$8$1$FZsWZJyJpn9UwnPPAm1WQA==$vo+8hXpOemFp1tSqflL8BFWeQobZKUVg1N8p/ldtvXs=';
export const DEMO_PASSWORD = 'demo12345';
export const DEMO_GROUP = 'demo';
export const DEMO_USERS: readonly User[] = [
  ...Array.from({ length: 10 }, (_, i) => ({ username: String(1000 + i), role: 'agent' as const, agentId: String(1000 + i), passwordHash: DEMO_HASH })),
  ...(['ops', 'admin', 'editor'] as const).map((role) => ({ username: role, role, passwordHash: DEMO_HASH })),
  // A dispatcher's groups name the partner hotlines whose console it opens (handoff/partners.ts).
  { username: 'dispatcher', role: 'dispatcher', groups: ['110'], passwordHash: DEMO_HASH },
  ...['119', '120', '122', '12388'].map((p) => ({ username: `dispatcher${p}`, role: 'dispatcher' as const, groups: [p], passwordHash: DEMO_HASH })),
  // The demo agents (scripts/lib/demo-agents.ts) are in group "demo".
  { username: 'supervisor', role: 'supervisor', groups: [DEMO_GROUP], passwordHash: DEMO_HASH },
];

export async function loadUsers(path: string | undefined): Promise<readonly User[]> {
  if (path === undefined) return DEMO_USERS;
  let data: unknown;
  try {
    data = JSON.parse(await readFile(path, 'utf8'));
  } catch (err) {
    throw new Error(`auth users file ${path}: ${(err as Error).message}`, { cause: err });
  }
  const parsed = usersFileSchema.safeParse(data);
  if (!parsed.success) throw new Error(`auth users file ${path}: ${z.prettifyError(parsed.error)}`);
  return parsed.data.users;
}
