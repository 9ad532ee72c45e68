// Bearer tokens for tests: one per role from the embedded demo users, through the same login the
// service offers, so tests exercise the real token check.
import type { Auth, Role } from '../../src/auth/auth.ts';
import { createAuth } from '../../src/auth/auth.ts';
import { DEMO_PASSWORD } from '../../src/auth/users.ts';
import { loadConfig } from '../../src/config.ts';
import { createLogger } from '../../src/log.ts';

/** A demo user of each role (agent 1000 is in group "demo", like the demo supervisor). */
export const ROLE_USERS: Readonly<Record<Role, string>> = { agent: '1000', supervisor: 'supervisor', dispatcher: 'dispatcher', ops: 'ops', admin: 'admin', editor: 'editor' };

/** The demo users with a secret of their own: for tests that build the app without the service. */
export const demoAuth = (): Promise<Auth> => createAuth(loadConfig({ env: {} }).auth, createLogger({ level: 'silent' }));

export async function tokenOf(auth: Pick<Auth, 'login'>, username: string, password = DEMO_PASSWORD): Promise<string> {
  const res = await auth.login(username, password, '127.0.0.1');
  if (!res.ok) throw new Error(`login ${username}: ${res.reason}`);
  return res.token;
}

/** `{ authorization: 'Bearer …' }` for a user, ready to spread into request headers. */
export const bearer = async (auth: Pick<Auth, 'login'>, username: string): Promise<{ authorization: string }> => ({ authorization: `Bearer ${await tokenOf(auth, username)}` });

/** One header per role. */
export async function roleHeaders(auth: Pick<Auth, 'login'>): Promise<Record<Role, { authorization: string }>> {
  const entries = await Promise.all(Object.entries(ROLE_USERS).map(async ([role, user]) => [role, await bearer(auth, user)] as const));
  return Object.fromEntries(entries) as Record<Role, { authorization: string }>;
}

/** The same over HTTP, for a service running in another process. */
export async function bearerAt(baseUrl: string, username: string, password = DEMO_PASSWORD): Promise<{ authorization: string }> {
  const res = await fetch(`${baseUrl}/api/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username, password }) });
  if (res.status !== 200) throw new Error(`login ${username}: ${res.status}`);
  return { authorization: `Bearer ${((await res.json()) as { token: string }).token}` };
}
