// The agent hash and audit entries <-> records. The layout is documented in agent-store.ts; the
// router's claim script reads the same fields, so names here are a contract.
import type { AgentProfile, AgentRecord, AgentState, NotReadyReason } from '../acd/agent-state.ts';

export interface StoredAgent extends AgentRecord {
  readonly rev: number;
}

/** An audit stream entry as stored: transitions, admin changes ('create', 'update', 'delete'), and the router's claims. */
export interface AuditRecord {
  /** Stream entry id. */
  readonly id: string;
  readonly event: string;
  readonly from: string;
  readonly to: string;
  readonly reason: string;
  readonly at: number;
  readonly by: string;
  readonly callId?: string;
  readonly wrapUntil?: number;
}

export type AgentProfilePatch = Partial<Omit<AgentProfile, 'id'>>;

const num = (v: string | undefined): number | undefined => (v === undefined || v === '' ? undefined : Number(v));
const str = (v: string | undefined): string | undefined => (v === undefined || v === '' ? undefined : v);

function parseGroups(json: string | undefined): string[] {
  try {
    const v: unknown = JSON.parse(json ?? '[]');
    return Array.isArray(v) ? v.filter((g): g is string => typeof g === 'string') : [];
  } catch {
    return [];
  }
}

function parseSkills(json: string | undefined): Record<string, number> {
  try {
    const v: unknown = JSON.parse(json ?? '{}');
    return typeof v === 'object' && v !== null ? (v as Record<string, number>) : {};
  } catch {
    return {};
  }
}

export function agentFromHash(id: string, h: Record<string, string>): StoredAgent | undefined {
  if (!h.state) return undefined;
  const optional = { reason: str(h.reason) as NotReadyReason | undefined, idleSince: num(h.idleSince), callId: str(h.callId), wrapUntil: num(h.wrapUntil) };
  const agent: Record<string, unknown> = {
    id,
    name: h.name ?? '',
    phone: h.phone ?? '',
    skills: parseSkills(h.skills),
    groups: parseGroups(h.groups),
    state: h.state as AgentState,
    since: num(h.since) ?? 0,
    wrapExtended: h.wrapExtended === '1',
    rev: num(h.rev) ?? 0,
  };
  for (const [k, v] of Object.entries(optional)) if (v !== undefined) agent[k] = v;
  return agent as unknown as StoredAgent;
}

export function hashOf(a: AgentRecord): { set: string[]; del: string[] } {
  const set = ['id', a.id, 'name', a.name, 'phone', a.phone, 'skills', JSON.stringify(a.skills), 'groups', JSON.stringify(a.groups ?? []), 'state', a.state, 'since', String(a.since), 'wrapExtended', a.wrapExtended ? '1' : '0'];
  const del: string[] = [];
  for (const [k, v] of [['reason', a.reason], ['idleSince', a.idleSince], ['callId', a.callId], ['wrapUntil', a.wrapUntil]] as const) {
    if (v === undefined) del.push(k);
    else set.push(k, String(v));
  }
  return { set, del };
}

export function auditFromStream(id: string, fields: string[]): AuditRecord {
  const f: Record<string, string> = {};
  for (let i = 0; i + 1 < fields.length; i += 2) f[fields[i]!] = fields[i + 1]!;
  const entry: Record<string, unknown> = { id, event: f.event ?? '', from: f.from ?? '', to: f.to ?? '', reason: f.reason ?? '', at: num(f.at) ?? 0, by: f.by ?? '' };
  if (str(f.callId)) entry.callId = f.callId;
  if (num(f.wrapUntil) !== undefined) entry.wrapUntil = num(f.wrapUntil);
  return entry as unknown as AuditRecord;
}


export type AuditFields = Record<string, string | number | undefined>;

export function flat(fields: AuditFields): string[] {
  return Object.entries(fields).flatMap(([k, v]) => (v === undefined ? [] : [k, String(v)]));
}
