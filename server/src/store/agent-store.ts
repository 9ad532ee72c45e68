// Agents in Redis: admin records and live state in one hash per agent, applied atomically across
// service instances, with the ready sets the router claims from kept in step with the state.
//
// agent(id) hash (the router's claim script reads state, skills, phone; keep these names stable):
//   id, name        text
//   phone           FreeSWITCH dial target, e.g. user/1001
//   skills          JSON object skill -> level 1..10, e.g. {"general":7,"enterprise":3}
//   groups          JSON list of team names, e.g. ["north"] (supervisors' scope; absent: none)
//   state           logged-out | ready | not-ready | reserved | on-call | wrap-up
//   reason          not-ready reason (break, meal, training, meeting, ring-no-answer); absent or '' otherwise
//   since           ms when the current state was entered
//   idleSince       ms when the agent last became idle; kept through reserved (a cancelled offer restores it)
//   callId          the call while reserved, on-call, wrap-up; absent or '' otherwise
//   wrapUntil       ms the wrap-up ends (wrap-up only)
//   wrapExtended    '0' | '1': this wrap-up was extended (once allowed)
//   rev             incremented by every write here; writes compare it (and state, callId) to what they read
// readyAgents(skill, level) sorted sets: member = agent id, score = idleSince. Invariant kept by every write
// here: the agent is a member of the set of each of its skills iff its state is ready.
// agentAudit(id) stream (MAXLEN ~ 10000): event, from, to, reason, at, by, [callId], [wrapUntil].
import type { Redis } from 'ioredis';
import type { AgentAuditEntry, AgentCommand, AgentMachine, AgentProfile, AgentRecord } from '../acd/agent-state.ts';
import { agentFromHash, auditFromStream, flat, hashOf, type AgentProfilePatch, type AuditFields, type AuditRecord, type StoredAgent } from './agent-hash.ts';
import { DELETE_AGENT, WRITE_AGENT } from './agent-scripts.ts';
import type { RedisKeys } from './keys.ts';

export type { AgentProfilePatch, AuditRecord, StoredAgent } from './agent-hash.ts';

/** Skill levels, each with its own ready set (keys.ts). */
export const SKILL_LEVELS = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10] as const;

export class AgentNotFoundError extends Error {
  readonly code = 'AGENT_NOT_FOUND';
  constructor(readonly agentId: string) {
    super(`agent ${agentId}: no such agent`);
    this.name = 'AgentNotFoundError';
  }
}

export class AgentExistsError extends Error {
  readonly code = 'AGENT_EXISTS';
  constructor(readonly agentId: string) {
    super(`agent ${agentId}: already exists`);
    this.name = 'AgentExistsError';
  }
}

/** Delete of an agent still logged in. */
export class AgentBusyError extends Error {
  readonly code = 'AGENT_BUSY';
  constructor(
    readonly agentId: string,
    readonly state: string,
  ) {
    super(`agent ${agentId}: cannot delete while ${state}; log the agent out first`);
    this.name = 'AgentBusyError';
  }
}

/** A phone the site does not allow agents to have (the checker's reason in the message). */
export class AgentPhoneRefusedError extends Error {
  readonly code = 'AGENT_PHONE_REFUSED';
  constructor(
    readonly agentId: string,
    reason: string,
  ) {
    super(`agent ${agentId}: ${reason}`);
    this.name = 'AgentPhoneRefusedError';
  }
}

/** The record kept changing under us; after a few attempts the caller is told to retry. */
export class AgentConflictError extends Error {
  readonly code = 'AGENT_CONFLICT';
  constructor(readonly agentId: string) {
    super(`agent ${agentId}: changed concurrently, try again`);
    this.name = 'AgentConflictError';
  }
}

export interface AgentStoreOptions {
  redis: Redis;
  keys: RedisKeys;
  /** Decides transitions (acd/agent-state.ts); also the clock for admin timestamps. */
  machine: AgentMachine;
  auditMaxLen?: number;
  /** Attempts of one change when another instance keeps winning the race. */
  maxAttempts?: number;
  /** Told after every successful write (realtime deltas). */
  onChange?: (agent: AgentRecord) => void;
  /** Throws (with the reason) when a phone is not one the site allows; create and update call it. */
  checkPhone?: (phone: string) => void;
}

type Outcome = 'OK' | 'EXISTS' | 'GONE' | 'CONFLICT';
type ScriptRedis = Redis & { hotlineWriteAgent(numKeys: number, ...keysAndArgs: string[]): Promise<Outcome> };
/** A decision on the current record; `refused` carries the machine's error for the caller. */
type Decision = { next: AgentRecord; audit: AuditFields } | { refused: unknown };

export class AgentStore {
  /** expireWrapUps calls so far: every 60th scans all agents instead of the wrapUps index. */
  private expiryCalls = 0;
  private readonly redis: ScriptRedis;
  private readonly keys: RedisKeys;
  private readonly machine: AgentMachine;
  private readonly auditMaxLen: number;
  private readonly maxAttempts: number;
  private readonly onChange: ((agent: AgentRecord) => void) | undefined;
  private readonly checkPhone: ((phone: string) => void) | undefined;

  constructor(opts: AgentStoreOptions) {
    // One definition per connection; the number of keys varies, so it is the first argument.
    if (!('hotlineWriteAgent' in opts.redis)) opts.redis.defineCommand('hotlineWriteAgent', { lua: WRITE_AGENT });
    this.redis = opts.redis as ScriptRedis;
    this.keys = opts.keys;
    this.machine = opts.machine;
    this.auditMaxLen = opts.auditMaxLen ?? 10_000;
    this.maxAttempts = opts.maxAttempts ?? 5;
    this.onChange = opts.onChange;
    this.checkPhone = opts.checkPhone;
  }

  private allowedPhone(id: string, phone: string): void {
    try {
      this.checkPhone?.(phone);
    } catch (err) {
      throw new AgentPhoneRefusedError(id, (err as Error).message);
    }
  }

  async get(id: string): Promise<StoredAgent | undefined> {
    return agentFromHash(id, await this.redis.hgetall(this.keys.agent(id)));
  }

  /** Every agent, ordered by id. */
  async list(): Promise<StoredAgent[]> {
    const ids = (await this.redis.smembers(this.keys.agents)).sort();
    if (!ids.length) return [];
    const m = this.redis.multi();
    for (const id of ids) m.hgetall(this.keys.agent(id));
    const res = (await m.exec()) ?? [];
    return ids.flatMap((id, i) => agentFromHash(id, (res[i]?.[1] as Record<string, string> | undefined) ?? {}) ?? []);
  }

  /** A new agent starts logged out. Throws AgentExistsError. */
  async create(profile: AgentProfile, by = 'admin'): Promise<StoredAgent> {
    this.allowedPhone(profile.id, profile.phone);
    const now = this.machine.now();
    const agent: AgentRecord = { ...profile, skills: { ...profile.skills }, groups: [...(profile.groups ?? [])], state: 'logged-out', since: now, wrapExtended: false };
    const out = await this.write(undefined, agent, { event: 'create', from: 'logged-out', to: 'logged-out', reason: 'created', at: now, by });
    if (out === 'EXISTS') throw new AgentExistsError(profile.id);
    return { ...agent, rev: 1 };
  }

  /** Name, phone, skills or groups; a ready agent moves between ready sets at once, keeping its idle position. */
  async update(id: string, patch: AgentProfilePatch, by = 'admin'): Promise<StoredAgent> {
    if (patch.phone !== undefined) this.allowedPhone(id, patch.phone);
    return this.mutate(id, (cur) => {
      const given = Object.fromEntries(Object.entries(patch).filter(([, v]) => v !== undefined)) as AgentProfilePatch;
      const next: AgentRecord = { ...cur, ...given };
      const changed = Object.keys(given).join(', ') || 'nothing';
      return { next, audit: { event: 'update', from: cur.state, to: cur.state, reason: `changed ${changed}`, at: this.machine.now(), by } };
    });
  }

  /** Only a logged-out agent can be removed (AgentBusyError otherwise). */
  async delete(id: string, by = 'admin'): Promise<void> {
    const cur = await this.get(id);
    if (!cur) throw new AgentNotFoundError(id);
    const audit = flat({ event: 'delete', from: cur.state, to: cur.state, reason: 'deleted', at: this.machine.now(), by });
    const keys = [this.keys.agent(id), this.keys.agentAudit(id), this.keys.agents, ...this.readyKeys(cur)];
    const out = (await this.redis.eval(DELETE_AGENT, keys.length, ...keys, id, String(this.auditMaxLen), ...audit)) as string;
    if (out === 'GONE') throw new AgentNotFoundError(id);
    if (out !== 'OK') throw new AgentBusyError(id, out);
  }

  /**
   * Apply a state command atomically. If another instance changed the agent between our read and
   * our write, the command is decided again on the new state: of two conflicting commands exactly one
   * wins, and the other is refused by the machine (AgentTransitionError) as if it had come second.
   */
  async apply(id: string, command: AgentCommand, by?: string, now?: number): Promise<{ agent: StoredAgent; audit: AgentAuditEntry }> {
    let audit: AgentAuditEntry | undefined;
    const agent = await this.mutate(id, (cur) => {
      const t = this.machine.apply(cur, command, { by, now });
      audit = t.audit;
      return { next: t.agent, audit: { ...t.audit } };
    });
    return { agent, audit: audit! };
  }

  /**
   * Move every agent whose wrap-up ended by `now` to ready. Returns the agents moved (by this
   * call), as written.
   * `indexOnly`: read the wrapUps index alone (a wrap-up's own timer; the review's calls scan too).
   */
  async expireWrapUps(now: number, indexOnly = false): Promise<StoredAgent[]> {
    // The wrapUps index is written by the agent's write script, with the record; every 60th call
    // also scans every agent, so a wrap-up the index does not hold (a record written by a version
    // that kept the index in a second command, and crashed between the two) still expires.
    const full = !indexOnly && this.expiryCalls++ % 60 === 0;
    const ids = full
      ? (await this.list()).filter((a) => a.state === 'wrap-up' && (a.wrapUntil ?? 0) <= now).map((a) => a.id)
      : await this.redis.zrangebyscore(this.keys.wrapUps, '-inf', String(now));
    const due = ids.map((id) => ({ id }));
    const moved: StoredAgent[] = [];
    for (const a of due) {
      // Another instance's timer (or the agent ending early) may get there first: that is a refusal here, not an error.
      const done = await this.tryMutate(a.id, (cur) => {
        const t = this.machine.apply(cur, { type: 'wrapUpExpired' }, { by: 'system', now });
        return { next: t.agent, audit: { ...t.audit } };
      });
      if (done === undefined) continue;
      if (!('refused' in done)) moved.push(done.agent);
      else if (!(done.refused instanceof Error && done.refused.name === 'AgentTransitionError')) throw done.refused;
    }
    return moved;
  }

  /** Newest first. */
  async audit(id: string, count = 20): Promise<AuditRecord[]> {
    const entries = (await this.redis.xrevrange(this.keys.agentAudit(id), '+', '-', 'COUNT', count)) as [string, string[]][];
    return entries.map(([entryId, fields]) => auditFromStream(entryId, fields));
  }

  /** Ready agents with a skill, longest idle first, as the router sees them. */
  async readyAgents(skill: string): Promise<{ id: string; idleSince: number }[]> {
    const levelKeys = SKILL_LEVELS.map((l) => this.keys.readyAgents(skill, l));
    // WITHSCORES comes back flat (RESP2) or as [member, score] pairs (RESP3): accept both.
    const reply = (await this.redis.call('ZUNION', String(levelKeys.length), ...levelKeys, 'AGGREGATE', 'MIN', 'WITHSCORES')) as (string | [string, string])[];
    const flatList = reply.flat();
    const out: { id: string; idleSince: number }[] = [];
    for (let i = 0; i + 1 < flatList.length; i += 2) out.push({ id: flatList[i]!, idleSince: Number(flatList[i + 1]) });
    return out;
  }

  private readyKeys(a: Pick<AgentRecord, 'skills'>): string[] {
    return Object.entries(a.skills).map(([s, level]) => this.keys.readyAgents(s, level));
  }

  private async mutate(id: string, decide: (cur: StoredAgent) => Decision): Promise<StoredAgent> {
    const out = await this.tryMutate(id, decide);
    if (out === undefined) throw new AgentNotFoundError(id);
    if ('refused' in out) throw out.refused;
    return out.agent;
  }

  /** Read, decide, compare-and-set; again on conflict. undefined: no such agent. */
  private async tryMutate(id: string, decide: (cur: StoredAgent) => Decision): Promise<{ agent: StoredAgent } | { refused: unknown } | undefined> {
    for (let attempt = 0; attempt < this.maxAttempts; attempt++) {
      const cur = await this.get(id);
      if (!cur) return undefined;
      let d: Decision;
      try {
        d = decide(cur);
      } catch (err) {
        d = { refused: err };
      }
      if ('refused' in d) return d;
      const out = await this.write(cur, d.next, d.audit);
      if (out === 'OK') return { agent: { ...d.next, rev: cur.rev + 1 } };
      if (out === 'GONE') return undefined;
    }
    throw new AgentConflictError(id);
  }

  private async write(prev: StoredAgent | undefined, next: AgentRecord, audit: AuditFields): Promise<Outcome> {
    // Leave every set the agent was in (harmless when it was not ready), then join its sets if ready now.
    const leave = prev ? this.readyKeys(prev) : [];
    const join = next.state === 'ready' ? this.readyKeys(next) : [];
    const keys = [this.keys.agent(next.id), this.keys.agentAudit(next.id), this.keys.agents, this.keys.wrapUps, ...leave, ...join];
    const wrapUp = next.state === 'wrap-up' && next.wrapUntil !== undefined ? String(next.wrapUntil) : prev?.state === 'wrap-up' ? '-' : '';
    const { set, del } = hashOf(next);
    const args = [
      next.id,
      prev ? String(prev.rev) : '',
      prev?.state ?? '',
      prev?.callId ?? '',
      String(leave.length),
      next.state === 'ready' ? String(next.idleSince ?? next.since) : '',
      String(this.auditMaxLen),
      wrapUp,
      String(set.length / 2),
      ...set,
      String(del.length),
      ...del,
      ...flat(audit),
    ];
    // By SHA (defineCommand): agent changes are on the routing path (an agent's "ready" is one),
    // ~150 a second at 50 calls/s, and EVAL would send the script's text and hash it every time.
    const outcome = (await this.redis.hotlineWriteAgent(keys.length, ...keys, ...args)) as Outcome;
    if (outcome === 'OK') this.onChange?.(next);
    return outcome;
  }

}
