// The consoles' (wallboard, supervisor) sign-in: the same POST /api/login as the softphone, kept in
// sessionStorage under its own key so an agent's tab and a console tab never share a token.
export interface ConsoleSession {
  token: string;
  expiresAt: number;
  role: string;
  username: string;
}

const KEY = 'console.session';

export type ConsoleLogin = { ok: true; session: ConsoleSession } | { ok: false; error: 'unauthorized' | 'rate-limited' | 'forbidden' | 'network' | 'server' };

export async function consoleLogin(username: string, password: string, roles: readonly string[]): Promise<ConsoleLogin> {
  let res: Response;
  try {
    res = await fetch('/api/login', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username, password }) });
  } catch {
    return { ok: false, error: 'network' };
  }
  if (res.status === 401 || res.status === 400) return { ok: false, error: 'unauthorized' };
  if (res.status === 429) return { ok: false, error: 'rate-limited' };
  if (!res.ok) return { ok: false, error: 'server' };
  const body = (await res.json()) as { token: string; expiresAt: number; role: string };
  if (!roles.includes(body.role)) return { ok: false, error: 'forbidden' };
  const session = { token: body.token, expiresAt: body.expiresAt, role: body.role, username };
  saveConsoleSession(session);
  return { ok: true, session };
}

export function loadConsoleSession(roles: readonly string[], now = Date.now()): ConsoleSession | undefined {
  try {
    const s = JSON.parse(sessionStorage.getItem(KEY) ?? 'null') as ConsoleSession | null;
    return s && s.expiresAt > now + 5000 && roles.includes(s.role) ? s : undefined;
  } catch {
    return undefined;
  }
}

export function saveConsoleSession(s: ConsoleSession | undefined): void {
  if (s) sessionStorage.setItem(KEY, JSON.stringify(s));
  else sessionStorage.removeItem(KEY);
}
