// Knowledge-base wiring: one in-memory search index (kb/knowledge-base.ts) per service instance,
// loaded from Redis at start (store/kb-store.ts) and kept equal to it:
//   - a change made here is written to Redis first, then applied to the local index, so the REST
//     answer already reflects it;
//   - every change is published with the version it made; an instance applies another's change
//     when that version follows the one it holds, and otherwise (a message missed while its
//     connection was down, two writers racing) re-reads Redis and applies only the differences;
//   - a timer compares Redis' version with the local one every few seconds, for a message lost
//     without a disconnect to tell.
// Changes to the index run one at a time (a chain of promises): a re-read never interleaves with
// an update. The editing workflow: an edit saves a draft (an edited published entry is hidden
// until published again: agents never read an answer nobody has approved); publish sets the
// effective dates; unpublish returns it to draft.
import { randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import { KbInputError, parseEntry, visibleOnDay, beijingDayNumber, type KbEntry } from './kb/entry.ts';
import { exportCsv, exportJson, importCsv, importJson, type ImportProblem } from './kb/io.ts';
import { KnowledgeBase, type SearchOptions, type SearchResult } from './kb/knowledge-base.ts';
import { DEFAULT_SYNONYMS, formatSynonyms, parseSynonyms } from './kb/synonyms.ts';
import { createJiebaSegmenter, type Segmenter } from './kb/text.ts';
import type { Shutdown } from './shutdown.ts';
import { decodeChange, KbStore, type KbAuditEntry, type KbChange } from './store/kb-store.ts';
import type { RedisKeys } from './store/keys.ts';

/** The entry fields an editor writes (status and id are the workflow's). */
export type KbDraft = Omit<KbEntry, 'id' | 'status'>;

export class KbError extends Error {
  constructor(
    readonly code: 'not-found' | 'conflict' | 'invalid',
    message: string,
    readonly problems: readonly ImportProblem[] = [],
  ) {
    super(message);
    this.name = 'KbError';
  }
}

export interface KbListQuery {
  readonly q?: string;
  readonly status?: 'draft' | 'published';
  readonly offset: number;
  readonly limit: number;
}

export interface KbService {
  /** Loaded from Redis: resolves once the first load is done. */
  readonly ready: Promise<void>;
  readonly size: number;
  search(query: string, opts: Omit<SearchOptions, 'now'>): SearchResult;
  /** An entry as stored (drafts too). */
  get(id: string): KbEntry | undefined;
  /** Is it shown to agents today? */
  visible(e: KbEntry): boolean;
  list(q: KbListQuery): { total: number; entries: KbEntry[] };
  create(draft: KbDraft, by: string, id?: string): Promise<KbEntry>;
  update(id: string, draft: KbDraft, by: string): Promise<KbEntry>;
  publish(id: string, dates: { validFrom: string; validTo?: string | null | undefined }, by: string): Promise<KbEntry>;
  unpublish(id: string, by: string): Promise<KbEntry>;
  remove(id: string, by: string): Promise<void>;
  /** All or nothing: every problem by row (KbError 'invalid'), or every entry written. */
  import(format: 'csv' | 'json', text: string, by: string): Promise<{ added: number; updated: number }>;
  export(format: 'csv' | 'json'): string;
  synonyms(): string;
  setSynonyms(text: string, by: string): Promise<void>;
  audit(count?: number): Promise<KbAuditEntry[]>;
  /** Applies every change Redis holds now (tests; the timer does it on its own). */
  sync(): Promise<void>;
}

export interface KbControlDeps {
  readonly redis: Redis;
  /** A connection of its own for SUBSCRIBE (a subscribed connection runs no other command). */
  readonly subscriber: Redis;
  readonly keys: RedisKeys;
  readonly logger: Logger;
  readonly shutdown: Shutdown;
  readonly now: () => number;
  /** Default: jieba with the hotline words (0.2 s to load its dictionary). */
  readonly segmenter?: Segmenter;
  /** How often Redis' version is compared with the local one (ms). */
  readonly checkEveryMs?: number;
}

// jieba's dictionary is immutable, 5 MB and 0.2 s to load: instances in one process (tests, the
// embedded launcher) share one segmenter.
let jieba: Segmenter | undefined;
const sharedSegmenter = (): Segmenter => (jieba ??= createJiebaSegmenter());

export function startKb(deps: KbControlDeps): KbService {
  const log = deps.logger.child({ component: 'kb' });
  const store = new KbStore(deps.redis, deps.keys);
  const kb = new KnowledgeBase({ segmenter: deps.segmenter ?? sharedSegmenter() });
  // -1 until the first load: a failed one is retried by the version check.
  let version = -1;
  let synonymsText = formatSynonyms(DEFAULT_SYNONYMS);
  let chain: Promise<unknown> = Promise.resolve();
  const serial = <T>(fn: () => Promise<T> | T): Promise<T> => {
    const p = chain.then(fn);
    chain = p.catch(() => {});
    return p;
  };

  const applySynonyms = (text: string | null): void => {
    synonymsText = text ?? formatSynonyms(DEFAULT_SYNONYMS);
    kb.setSynonyms(text === null ? DEFAULT_SYNONYMS : parseSynonyms(text));
  };

  /** Re-read Redis and apply the differences only (a whole re-index would cost seconds at 30,000). */
  async function reload(): Promise<void> {
    const data = await store.load();
    if (data.damaged.length) log.error({ ids: data.damaged.slice(0, 20), count: data.damaged.length }, 'knowledge-base entries in Redis that fail validation: skipped');
    const seen = new Set<string>();
    let changed = 0;
    for (const e of data.entries) {
      seen.add(e.id);
      const old = kb.get(e.id);
      if (old && JSON.stringify(old) === JSON.stringify(e)) continue;
      kb.upsert(e);
      changed++;
    }
    for (const e of [...kb.entries()]) {
      if (seen.has(e.id)) continue;
      kb.remove(e.id);
      changed++;
    }
    applySynonyms(data.synonyms);
    if (changed || data.version !== version) log.debug({ version: data.version, changed }, 'knowledge base re-read from Redis');
    version = data.version;
  }

  async function apply(c: KbChange): Promise<void> {
    if (c.version <= version) return;
    if (c.version !== version + 1 || c.kind === 'all') return reload();
    if (c.kind === 'synonyms') applySynonyms(await deps.redis.get(deps.keys.kbSynonyms));
    else {
      const e = c.kind === 'put' ? await store.get(c.id) : undefined;
      if (e) kb.upsert(e);
      else kb.remove(c.id);
    }
    version = c.version;
  }

  const ready = serial(async () => {
    const t0 = performance.now();
    await reload();
    log.info({ entries: kb.size, version, ms: Math.round(performance.now() - t0) }, 'knowledge base loaded');
  });
  // Awaited by start(); handled here so a failure before then is no unhandled rejection.
  ready.catch(() => {});

  const channel = deps.keys.kbChanges;
  deps.subscriber.on('message', (ch: string, msg: string) => {
    if (ch !== channel) return;
    const c = decodeChange(msg);
    if (c) void serial(() => apply(c)).catch((err: unknown) => log.warn({ err }, 'knowledge-base change not applied: re-read on the next check'));
  });
  // After a reconnect ioredis subscribes again; what was published meanwhile is lost: re-read.
  let connects = 0;
  deps.subscriber.on('ready', () => {
    if (connects++ > 0) void serial(reload).catch(() => {});
  });
  void deps.subscriber.subscribe(channel).catch((err: unknown) => log.warn({ err }, 'knowledge-base change channel not subscribed: changes arrive by the version check'));
  const timer = setInterval(() => {
    void store
      .version()
      .then((v) => (v !== version ? serial(reload) : undefined))
      .catch(() => {});
  }, deps.checkEveryMs ?? 5_000);
  timer.unref();
  deps.shutdown.add('store', 'kb', async () => {
    clearInterval(timer);
    await deps.subscriber.quit().catch(() => deps.subscriber.disconnect());
  });

  const today = (): number => beijingDayNumber(deps.now());
  // One collator: localeCompare builds one per call, slow over 30,000 entries.
  const collator = new Intl.Collator('zh-CN');
  const must = (id: string): KbEntry => {
    const e = kb.get(id);
    if (!e) throw new KbError('not-found', `knowledge-base entry ${id}: no such entry`);
    return e;
  };
  const valid = (raw: unknown): KbEntry => {
    try {
      return parseEntry(raw);
    } catch (err) {
      if (err instanceof KbInputError) throw new KbError('invalid', err.message);
      throw err;
    }
  };
  /**
   * Our own change, written to Redis: apply it locally before answering. Its message may have come
   * back first (then it is applied already); a version skipped means another writer: re-read.
   */
  const own = (c: KbChange, applyLocal: () => void): Promise<void> =>
    serial(async () => {
      if (c.version <= version) return;
      if (c.version !== version + 1) return reload();
      applyLocal();
      version = c.version;
    });
  const write = async (entries: KbEntry[], by: string, action: string): Promise<void> => {
    const c = await store.put(entries, { at: deps.now(), by, action });
    await own(c, () => void kb.upsert(entries[0]!));
  };

  return {
    ready,
    get size() {
      return kb.size;
    },
    search: (query, opts) => kb.search(query, { ...opts, now: deps.now() }),
    get: (id) => kb.get(id),
    visible: (e) => visibleOnDay(e, today()),
    list({ q, status, offset, limit }) {
      const needle = q?.trim().toLowerCase();
      const all = [...kb.entries()].filter(
        (e) => (!status || e.status === status) && (!needle || [e.id, e.question, e.answer, e.category, e.department, e.region, ...e.tags].some((s) => s.toLowerCase().includes(needle))),
      );
      all.sort((a, b) => collator.compare(a.category, b.category) || collator.compare(a.question, b.question));
      return { total: all.length, entries: all.slice(offset, offset + limit) };
    },
    async create(draft, by, id = `kb-${randomUUID().slice(0, 8)}`) {
      if (kb.get(id) || (await store.get(id))) throw new KbError('conflict', `knowledge-base entry ${id} exists: change it with PUT`);
      const e = valid({ ...draft, id, status: 'draft' });
      await write([e], by, 'create');
      return e;
    },
    async update(id, draft, by) {
      must(id);
      const e = valid({ ...draft, id, status: 'draft' });
      await write([e], by, 'update');
      return e;
    },
    async publish(id, { validFrom, validTo }, by) {
      const e = valid({ ...must(id), status: 'published', validFrom, validTo: validTo ?? null });
      await write([e], by, 'publish');
      return e;
    },
    async unpublish(id, by) {
      const e = valid({ ...must(id), status: 'draft' });
      await write([e], by, 'unpublish');
      return e;
    },
    async remove(id, by) {
      must(id);
      const c = await store.remove(id, { at: deps.now(), by, action: 'delete' });
      await own(c, () => void kb.remove(id));
    },
    async import(format, text, by) {
      const r = format === 'csv' ? importCsv(text) : importJson(text);
      if (r.problems.length) throw new KbError('invalid', `import refused, nothing changed: ${r.problems.length} problem(s)`, r.problems);
      if (!r.entries.length) throw new KbError('invalid', 'import refused: no entries', [{ row: 0, message: 'no entries' }]);
      const updated = r.entries.filter((e) => kb.get(e.id)).length;
      const c = await store.put(r.entries, { at: deps.now(), by, action: `import-${format}`, id: `${r.entries.length} entries` });
      await own(c, () => r.entries.forEach((e) => kb.upsert(e)));
      return { added: r.entries.length - updated, updated };
    },
    export: (format) => (format === 'csv' ? exportCsv(kb.entries()) : exportJson(kb.entries())),
    synonyms: () => synonymsText,
    async setSynonyms(text, by) {
      const c = await store.setSynonyms(text, { at: deps.now(), by, action: 'synonyms' });
      await own(c, () => applySynonyms(text));
    },
    audit: (count) => store.auditTrail(count),
    sync: () => serial(reload),
  };
}
