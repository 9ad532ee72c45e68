// Heap snapshots for the soak benchmark: taken over the V8 inspector protocol of the service
// process, summarised by type (constructor name for objects, the V8 node type otherwise), and
// compared, so a type that keeps growing shows by name.
import WebSocket from 'ws';

/** A minimal Chrome DevTools Protocol client over the inspector's WebSocket. */
export class Inspector {
  private nextId = 1;
  private readonly pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();
  private readonly listeners = new Map<string, (params: unknown) => void>();

  private constructor(private readonly ws: WebSocket) {
    ws.on('message', (data) => {
      const msg = JSON.parse(String(data)) as { id?: number; result?: unknown; error?: { message: string }; method?: string; params?: unknown };
      if (msg.id !== undefined) {
        const p = this.pending.get(msg.id);
        this.pending.delete(msg.id);
        if (msg.error) p?.reject(new Error(msg.error.message));
        else p?.resolve(msg.result);
      } else if (msg.method) this.listeners.get(msg.method)?.(msg.params);
    });
  }

  /** Connect to the first target of an inspector listening on `port` (node --inspect=HOST:PORT). */
  static async connect(port: number): Promise<Inspector> {
    const targets = (await (await fetch(`http://127.0.0.1:${port}/json/list`)).json()) as { webSocketDebuggerUrl: string }[];
    const url = targets[0]?.webSocketDebuggerUrl;
    if (!url) throw new Error(`no inspector target on port ${port}`);
    const ws = new WebSocket(url, { maxPayload: 1 << 30 });
    await new Promise<void>((resolve, reject) => {
      ws.once('open', () => resolve());
      ws.once('error', reject);
    });
    return new Inspector(ws);
  }

  send<T>(method: string, params: Record<string, unknown> = {}): Promise<T> {
    const id = this.nextId++;
    this.ws.send(JSON.stringify({ id, method, params }));
    return new Promise<T>((resolve, reject) => this.pending.set(id, { resolve: resolve as (v: unknown) => void, reject }));
  }

  on(method: string, f: (params: unknown) => void): void {
    this.listeners.set(method, f);
  }

  /** Evaluate an expression in the service and return its JSON value. */
  async evaluate<T>(expression: string): Promise<T> {
    const r = await this.send<{ result: { value: T } }>('Runtime.evaluate', { expression, returnByValue: true });
    return r.result.value;
  }

  close(): void {
    this.ws.close();
  }
}

export interface TypeTotals {
  count: number;
  bytes: number;
}

export interface HeapSummary {
  totalBytes: number;
  nodes: number;
  byType: Map<string, TypeTotals>;
}

interface RawSnapshot {
  snapshot: { meta: { node_fields: string[]; node_types: [string[], ...unknown[]] } };
  nodes: number[];
  strings: string[];
}

/** Take a heap snapshot (V8 collects garbage first) and sum self sizes by type. */
export async function takeSummary(inspector: Inspector): Promise<HeapSummary> {
  const chunks: string[] = [];
  inspector.on('HeapProfiler.addHeapSnapshotChunk', (p) => chunks.push((p as { chunk: string }).chunk));
  await inspector.send('HeapProfiler.enable');
  await inspector.send('HeapProfiler.takeHeapSnapshot', { reportProgress: false });
  const raw = JSON.parse(chunks.join('')) as RawSnapshot;
  chunks.length = 0;
  return summarise(raw);
}

/** Objects by constructor name; strings, arrays, code and the rest by V8 node type. */
export function summarise(raw: RawSnapshot): HeapSummary {
  const fields = raw.snapshot.meta.node_fields;
  const types = raw.snapshot.meta.node_types[0];
  const width = fields.length;
  const iType = fields.indexOf('type');
  const iName = fields.indexOf('name');
  const iSize = fields.indexOf('self_size');
  const byType = new Map<string, TypeTotals>();
  let totalBytes = 0;
  for (let i = 0; i < raw.nodes.length; i += width) {
    const type = types[raw.nodes[i + iType]!] ?? 'unknown';
    const size = raw.nodes[i + iSize]!;
    const key = type === 'object' || type === 'closure' ? `${type === 'closure' ? 'closure ' : ''}${raw.strings[raw.nodes[i + iName]!] ?? '?'}` : `(${type})`;
    const t = byType.get(key) ?? { count: 0, bytes: 0 };
    t.count++;
    t.bytes += size;
    byType.set(key, t);
    totalBytes += size;
  }
  return { totalBytes, nodes: raw.nodes.length / width, byType };
}

export interface TypeGrowth {
  type: string;
  countStart: number;
  countEnd: number;
  bytesStart: number;
  bytesEnd: number;
  bytesGrowth: number;
}

/** The types whose bytes grew most between two summaries (largest first). */
export function growth(start: HeapSummary, end: HeapSummary, top = 12): TypeGrowth[] {
  const out: TypeGrowth[] = [];
  for (const [type, e] of end.byType) {
    const s = start.byType.get(type) ?? { count: 0, bytes: 0 };
    out.push({ type, countStart: s.count, countEnd: e.count, bytesStart: s.bytes, bytesEnd: e.bytes, bytesGrowth: e.bytes - s.bytes });
  }
  return out.sort((a, b) => b.bytesGrowth - a.bytesGrowth).slice(0, top);
}
