// The knowledge base in Redis (keys.ts kbEntries, kbSynonyms, kbVersion, kbChanges, kbAudit):
//   kbEntries   hash id -> entry JSON: the truth every instance loads its search index from
//   kbSynonyms  the synonym table as text (absent: the built-in table)
//   kbVersion   bumped in the same transaction as every change
//   kbChanges   pub/sub: "<version> put <id>", "<version> del <id>", "<version> all" (an import),
//               "<version> synonyms", sent after the change
//   kbAudit     stream: at, by, action, id
// Pub/sub delivers at most once: an instance that was disconnected when a message went out misses
// it, so instances also compare kbVersion with the version they last loaded (kb-control.ts).
import type { Redis } from 'ioredis';
import { parseEntry, type KbEntry } from '../kb/entry.ts';
import type { RedisKeys } from './keys.ts';

export type KbChange = ({ kind: 'put' | 'del'; id: string } | { kind: 'all' } | { kind: 'synonyms' }) & { version: number };

export interface KbAuditEntry {
  readonly at: number;
  readonly by: string;
  readonly action: string;
  readonly id: string;
  readonly detail?: string;
}

export const encodeChange = (c: KbChange): string => `${c.version} ${c.kind}${'id' in c ? ` ${c.id}` : ''}`;

export function decodeChange(msg: string): KbChange | undefined {
  const [v, kind, id] = msg.split(' ', 3);
  const version = Number(v);
  if (!Number.isSafeInteger(version)) return undefined;
  if ((kind === 'put' || kind === 'del') && id) return { kind, id, version };
  if (kind === 'all' || kind === 'synonyms') return { kind, version };
  return undefined;
}

/** The INCR's reply in a transaction's results; a failed command throws. */
function versionOf(res: [Error | null, unknown][] | null, at: number): number {
  for (const [err] of res ?? []) if (err) throw err;
  return Number(res?.[at]?.[1]);
}

export class KbStore {
  constructor(
    private readonly redis: Redis,
    private readonly keys: RedisKeys,
  ) {}

  async version(): Promise<number> {
    return Number((await this.redis.get(this.keys.kbVersion)) ?? 0);
  }

  /** Every entry, with the version they were read at (one transaction: a consistent pair). */
  async load(): Promise<{ version: number; entries: KbEntry[]; synonyms: string | null; damaged: string[] }> {
    const res = (await this.redis.multi().get(this.keys.kbVersion).hgetall(this.keys.kbEntries).get(this.keys.kbSynonyms).exec()) ?? [];
    for (const [err] of res) if (err) throw err;
    const version = Number((res[0]?.[1] as string | null) ?? 0);
    const hash = (res[1]?.[1] as Record<string, string> | null) ?? {};
    const entries: KbEntry[] = [];
    const damaged: string[] = [];
    for (const [id, json] of Object.entries(hash)) {
      const e = this.#parse(json);
      if (e) entries.push(e);
      else damaged.push(id);
    }
    return { version, entries, synonyms: (res[2]?.[1] as string | null) ?? null, damaged };
  }

  async get(id: string): Promise<KbEntry | undefined> {
    const json = await this.redis.hget(this.keys.kbEntries, id);
    return json === null ? undefined : this.#parse(json);
  }

  async count(): Promise<number> {
    return this.redis.hlen(this.keys.kbEntries);
  }

  /** Write entries (one, or an import's all: in one transaction), then tell the other instances. */
  async put(entries: readonly KbEntry[], audit: Omit<KbAuditEntry, 'id'> & { id?: string }): Promise<KbChange> {
    const m = this.redis.multi();
    const fields: string[] = [];
    for (const e of entries) fields.push(e.id, JSON.stringify(e));
    m.hset(this.keys.kbEntries, ...fields).incr(this.keys.kbVersion);
    this.#audit(m, { ...audit, id: audit.id ?? (entries.length === 1 ? entries[0]!.id : `${entries.length} entries`) });
    const version = versionOf(await m.exec(), 1);
    return this.#publish(entries.length === 1 ? { kind: 'put', id: entries[0]!.id, version } : { kind: 'all', version });
  }

  async remove(id: string, audit: Omit<KbAuditEntry, 'id'>): Promise<KbChange> {
    const m = this.redis.multi().hdel(this.keys.kbEntries, id).incr(this.keys.kbVersion);
    this.#audit(m, { ...audit, id });
    return this.#publish({ kind: 'del', id, version: versionOf(await m.exec(), 1) });
  }

  async setSynonyms(text: string, audit: Omit<KbAuditEntry, 'id'>): Promise<KbChange> {
    const m = this.redis.multi().set(this.keys.kbSynonyms, text).incr(this.keys.kbVersion);
    this.#audit(m, { ...audit, id: 'synonyms' });
    return this.#publish({ kind: 'synonyms', version: versionOf(await m.exec(), 1) });
  }

  /** Newest first. */
  async auditTrail(count = 50): Promise<KbAuditEntry[]> {
    const rows = (await this.redis.xrevrange(this.keys.kbAudit, '+', '-', 'COUNT', count)) as [string, string[]][];
    return rows.map(([, f]) => {
      const o: Record<string, string> = {};
      for (let i = 0; i + 1 < f.length; i += 2) o[f[i]!] = f[i + 1]!;
      return { at: Number(o.at), by: o.by ?? '', action: o.action ?? '', id: o.id ?? '', ...(o.detail ? { detail: o.detail } : {}) };
    });
  }

  #audit(m: ReturnType<Redis['multi']>, a: KbAuditEntry): void {
    const fields = ['at', String(a.at), 'by', a.by, 'action', a.action, 'id', a.id, ...(a.detail ? ['detail', a.detail] : [])];
    m.xadd(this.keys.kbAudit, 'MAXLEN', '~', '100000', '*', ...fields);
  }

  async #publish(c: KbChange): Promise<KbChange> {
    await this.redis.publish(this.keys.kbChanges, encodeChange(c));
    return c;
  }

  #parse(json: string): KbEntry | undefined {
    try {
      return parseEntry(JSON.parse(json));
    } catch {
      return undefined;
    }
  }
}
