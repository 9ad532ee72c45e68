// Connect-time checks: a valid JWT whose role may open the namespace, by the same role table as the
// REST routes (auth/access.ts). Refusals reach the client as `connect_error` with `data.code`
// (unauthorized: get a new token; forbidden: wrong role).
import type { Namespace, Socket } from 'socket.io';
import { allows, NAMESPACE_ACCESS, refusalOf } from '../auth/access.ts';
import type { Auth, Principal, Role } from '../auth/auth.ts';

export interface SocketData {
  username: string;
  role: Role;
  agentId?: string;
  groups?: readonly string[];
}

type ErrorWithData = Error & { data: { code: 'unauthorized' | 'forbidden' } };

const refusal = (code: 'unauthorized' | 'forbidden', message: string): ErrorWithData => Object.assign(new Error(message), { data: { code } });

export const principalOf = (socket: Socket): Principal => socket.data as SocketData;

export function requireRole(nsp: Namespace, auth: Pick<Auth, 'verify'>, now: () => number = Date.now): void {
  const permission = NAMESPACE_ACCESS[nsp.name as keyof typeof NAMESPACE_ACCESS];
  if (!permission) throw new Error(`namespace ${nsp.name} is not in the role table (auth/access.ts)`);
  nsp.use((socket, next) => {
    const token = (socket.handshake.auth as { token?: unknown } | undefined)?.token;
    if (typeof token !== 'string' || token.length === 0 || token.length > 4096) return next(refusal('unauthorized', 'a token is required'));
    auth.verify(token).then(
      (p) => {
        if (!allows(p.role, permission)) return next(refusal('forbidden', refusalOf(p.role, permission)));
        if (p.role === 'agent' && !p.agentId) return next(refusal('forbidden', 'agent token without agentId'));
        const data: SocketData = { username: p.username, role: p.role, ...(p.agentId ? { agentId: p.agentId } : {}), ...(p.groups ? { groups: p.groups } : {}) };
        socket.data = data;
        // The connection ends with the token: the client logs in again and reconnects.
        const timer = setTimeout(() => socket.disconnect(true), Math.max(0, p.expiresAt - now()));
        timer.unref();
        socket.once('disconnect', () => clearTimeout(timer));
        next();
      },
      () => next(refusal('unauthorized', 'invalid or expired token')),
    );
  });
}
