// Import and export of knowledge-base entries as CSV and JSON (pure: text in, entries out).
//
//   exportCsv(entries) -> string         UTF-8 BOM, header row, one entry per row, tags joined by '|'
//   importCsv(text)    -> ImportResult   header names pick the columns (any order)
//   exportJson(entries) -> string        a JSON array of entries
//   importJson(text)   -> ImportResult
//
// An import validates every row and reports every problem with its row number (as a spreadsheet
// numbers them: the header is row 1), and returns entries only when there is none: the caller then
// applies all of them or nothing.
import { CsvSyntaxError, parseCsv, toCsv, unescapeCell } from './csv.ts';
import { KbInputError, parseEntry, type KbEntry } from './entry.ts';

export const CSV_COLUMNS = ['id', 'question', 'answer', 'category', 'department', 'region', 'validFrom', 'validTo', 'source', 'tags', 'status'] as const;
type Column = (typeof CSV_COLUMNS)[number];
const REQUIRED: readonly Column[] = ['id', 'question', 'answer'];

export interface ImportProblem {
  readonly row: number;
  readonly message: string;
}

export interface ImportResult {
  /** Empty whenever `problems` is not. */
  readonly entries: readonly KbEntry[];
  readonly problems: readonly ImportProblem[];
}

export function exportCsv(entries: Iterable<KbEntry>): string {
  const rows: string[][] = [[...CSV_COLUMNS]];
  for (const e of entries) rows.push(CSV_COLUMNS.map((c) => cellOf(e, c)));
  return toCsv(rows);
}

function cellOf(e: KbEntry, c: Column): string {
  if (c === 'tags') return e.tags.join('|');
  return e[c] ?? '';
}

export function importCsv(text: string): ImportResult {
  let rows: string[][];
  try {
    rows = parseCsv(text);
  } catch (err) {
    if (err instanceof CsvSyntaxError) return { entries: [], problems: [{ row: 0, message: err.message }] };
    throw err;
  }
  const [header, ...data] = rows;
  if (!header) return { entries: [], problems: [{ row: 1, message: 'no header row' }] };
  const columns = header.map((h) => CSV_COLUMNS.find((c) => c.toLowerCase() === h.trim().toLowerCase()));
  const unknown = header.filter((_, i) => columns[i] === undefined);
  const missing = REQUIRED.filter((c) => !columns.includes(c));
  if (unknown.length || missing.length) {
    const parts = [unknown.length ? `unknown columns: ${unknown.join(', ')}` : '', missing.length ? `missing columns: ${missing.join(', ')}` : ''];
    return { entries: [], problems: [{ row: 1, message: `${parts.filter(Boolean).join('; ')} (expected ${CSV_COLUMNS.join(', ')})` }] };
  }
  return collect(
    data.map((cells, i) => {
      const raw: Record<string, unknown> = {};
      columns.forEach((c, j) => {
        const v = unescapeCell(cells[j] ?? '').trim();
        if (c === 'tags') raw.tags = v.split('|').map((t) => t.trim()).filter(Boolean);
        else if (v !== '') raw[c!] = v;
      });
      if (cells.length > columns.length) return { row: i + 2, error: `${cells.length} cells for ${columns.length} columns` };
      return { row: i + 2, raw };
    }),
  );
}

export const exportJson = (entries: Iterable<KbEntry>): string => JSON.stringify([...entries], null, 2) + '\n';

export function importJson(text: string): ImportResult {
  let data: unknown;
  try {
    data = JSON.parse(text.startsWith('\uFEFF') ? text.slice(1) : text);
  } catch (err) {
    return { entries: [], problems: [{ row: 0, message: `not JSON: ${(err as Error).message}` }] };
  }
  if (!Array.isArray(data)) return { entries: [], problems: [{ row: 0, message: 'expected a JSON array of entries' }] };
  return collect(data.map((raw, i) => ({ row: i + 1, raw })));
}

function collect(rows: readonly ({ row: number; raw: unknown } | { row: number; error: string })[]): ImportResult {
  const entries: KbEntry[] = [];
  const problems: ImportProblem[] = [];
  const seen = new Map<string, number>();
  for (const r of rows) {
    if ('error' in r) {
      problems.push({ row: r.row, message: r.error });
      continue;
    }
    try {
      const e = parseEntry(r.raw);
      const first = seen.get(e.id);
      if (first !== undefined) problems.push({ row: r.row, message: `id ${e.id} repeats row ${first}` });
      else seen.set(e.id, r.row);
      entries.push(e);
    } catch (err) {
      if (!(err instanceof KbInputError)) throw err;
      problems.push({ row: r.row, message: err.message });
    }
  }
  return problems.length ? { entries: [], problems } : { entries, problems };
}
