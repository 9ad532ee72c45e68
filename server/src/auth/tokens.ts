// JWTs (HS256) carrying who the user is and what it may do. Verified at every Socket.IO connect.
import { randomBytes } from 'node:crypto';
import { SignJWT, jwtVerify } from 'jose';
import { ROLES, type Role } from './users.ts';

export interface Principal {
  readonly username: string;
  readonly role: Role;
  readonly agentId?: string;
  /** A supervisor's agent groups: the agents whose state it may force (auth/access.ts). */
  readonly groups?: readonly string[];
}

const ISSUER = 'hotline12345';

export interface TokenSigner {
  sign(p: Principal): Promise<{ token: string; expiresAt: number }>;
  /** Throws on a bad signature, an expired token or a malformed claim set. */
  verify(token: string): Promise<Principal & { expiresAt: number }>;
}

export function tokenSigner(opts: { secret?: string; ttlSec: number; now?: () => number }): TokenSigner {
  // No configured secret (demo, tests): a fresh one per start; tokens end with the process.
  const key = opts.secret ? new TextEncoder().encode(opts.secret) : new Uint8Array(randomBytes(32));
  const now = opts.now ?? Date.now;
  return {
    async sign(p) {
      const iat = Math.floor(now() / 1000);
      const exp = iat + opts.ttlSec;
      const token = await new SignJWT({ role: p.role, ...(p.agentId ? { agentId: p.agentId } : {}), ...(p.groups?.length ? { groups: [...p.groups] } : {}) })
        .setProtectedHeader({ alg: 'HS256' })
        .setSubject(p.username)
        .setIssuer(ISSUER)
        .setIssuedAt(iat)
        .setExpirationTime(exp)
        .sign(key);
      return { token, expiresAt: exp * 1000 };
    },
    async verify(token) {
      const { payload } = await jwtVerify(token, key, { issuer: ISSUER, algorithms: ['HS256'], currentDate: new Date(now()) });
      const role = payload.role;
      if (typeof payload.sub !== 'string' || typeof role !== 'string' || !(ROLES as readonly string[]).includes(role) || typeof payload.exp !== 'number')
        throw new Error('malformed token claims');
      const agentId = typeof payload.agentId === 'string' ? payload.agentId : undefined;
      const groups = Array.isArray(payload.groups) && payload.groups.every((g) => typeof g === 'string') ? (payload.groups as string[]) : undefined;
      return { username: payload.sub, role: role as Role, expiresAt: payload.exp * 1000, ...(agentId ? { agentId } : {}), ...(groups ? { groups } : {}) };
    },
  };
}
