// The two HTTP calls the softphone makes: login for a JWT, then its phone configuration.
import type { SoftphoneConfig } from '../../../server/src/realtime/events.ts';

export interface Session {
  token: string;
  expiresAt: number;
  agentId: string;
  username: string;
}

export type LoginError = 'unauthorized' | 'rate-limited' | 'not-agent' | 'network' | 'server';
export type LoginResult = { ok: true; session: Session } | { ok: false; error: LoginError; console?: string };

/** Where a non-agent account's console lives; the sign-in form sends such a login there. */
export const CONSOLE_PAGES: Readonly<Record<string, string>> = { ops: '/wallboard', supervisor: '/supervisor', dispatcher: '/dispatcher', editor: '/kb' };

export async function login(username: string, password: string): Promise<LoginResult> {
  let res: Response;
  try {
    res = await fetch('/api/login', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username, password }) });
  } catch {
    return { ok: false, error: 'network' };
  }
  if (res.status === 401 || res.status === 400) return { ok: false, error: 'unauthorized' };
  if (res.status === 429) return { ok: false, error: 'rate-limited' };
  if (!res.ok) return { ok: false, error: 'server' };
  const body = (await res.json()) as { token: string; expiresAt: number; role: string; agentId?: string };
  // Supervisors and dispatchers have their own consoles; the softphone needs an agent's phone.
  if (!body.agentId) {
    const page = CONSOLE_PAGES[body.role];
    if (!page) return { ok: false, error: 'not-agent' };
    // The console page signs in from its own session key (console/session.ts): hand the token over.
    sessionStorage.setItem('console.session', JSON.stringify({ token: body.token, expiresAt: body.expiresAt, role: body.role, username }));
    return { ok: false, error: 'not-agent', console: page };
  }
  return { ok: true, session: { token: body.token, expiresAt: body.expiresAt, agentId: body.agentId, username } };
}

export class HttpError extends Error {
  constructor(readonly status: number) {
    super(`HTTP ${status}`);
  }
}

export async function fetchConfig(token: string): Promise<SoftphoneConfig> {
  const res = await fetch('/api/softphone/config', { headers: { authorization: `Bearer ${token}` } });
  if (!res.ok) throw new HttpError(res.status);
  return (await res.json()) as SoftphoneConfig;
}

// The session lives in sessionStorage: a reload keeps the agent signed in, closing the tab does not.
const KEY = 'softphone.session';

export function loadSession(now = Date.now()): Session | undefined {
  try {
    const s = JSON.parse(sessionStorage.getItem(KEY) ?? 'null') as Session | null;
    return s && s.expiresAt > now + 5000 ? s : undefined;
  } catch {
    return undefined;
  }
}

export function saveSession(s: Session | undefined): void {
  if (s) sessionStorage.setItem(KEY, JSON.stringify(s));
  else sessionStorage.removeItem(KEY);
}
