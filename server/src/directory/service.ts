// The department directory as a domain service: admins keep it, agents search it to transfer a
// caller. The store, the clock and new ids are injected; no framework here.
import type { DirectoryEntry, CreateEntry, UpdateEntry } from './entry.ts';
import { search } from './search.ts';

export class DirectoryError extends Error {
  constructor(
    readonly code: 'not-found',
    message: string,
  ) {
    super(message);
    this.name = 'DirectoryError';
  }
}

export interface DirectoryStorePort {
  all(): Promise<DirectoryEntry[]>;
  get(id: string): Promise<DirectoryEntry | undefined>;
  /** Write an entry; `mustExist`: only if it is still there (an update racing a delete loses). */
  put(e: DirectoryEntry, mustExist: boolean): Promise<boolean>;
  remove(id: string): Promise<boolean>;
}

export interface DirectoryDeps {
  readonly store: DirectoryStorePort;
  readonly now: () => number;
  readonly newId: () => string;
}

export class DirectoryService {
  constructor(private readonly deps: DirectoryDeps) {}

  /** Entries matching the query (all when empty), best first. */
  async find(query = '', limit = 50): Promise<DirectoryEntry[]> {
    return search(await this.deps.store.all(), query, limit);
  }

  get(id: string): Promise<DirectoryEntry | undefined> {
    return this.deps.store.get(id);
  }

  async create(input: CreateEntry, by: string): Promise<DirectoryEntry> {
    const e: DirectoryEntry = { id: this.deps.newId(), ...input, updatedMs: this.deps.now(), updatedBy: by };
    await this.deps.store.put(e, false);
    return e;
  }

  async update(id: string, patch: UpdateEntry, by: string): Promise<DirectoryEntry> {
    const cur = await this.deps.store.get(id);
    if (!cur) throw new DirectoryError('not-found', `no directory entry ${id}`);
    const e: DirectoryEntry = { ...cur, ...patch, updatedMs: this.deps.now(), updatedBy: by };
    if (!(await this.deps.store.put(e, true))) throw new DirectoryError('not-found', `no directory entry ${id}`);
    return e;
  }

  async remove(id: string): Promise<void> {
    if (!(await this.deps.store.remove(id))) throw new DirectoryError('not-found', `no directory entry ${id}`);
  }
}
