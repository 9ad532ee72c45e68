// CSV as RFC 4180 writes it and Excel reads it: comma-separated, CRLF between records, a field in
// double quotes when it holds a comma, quote, CR or LF (a quote doubled inside), UTF-8 with a byte
// order mark so that Excel on a Chinese Windows does not read the file as GBK.
//
// Cells that start with = + - @ (or a tab / CR) are formulas to a spreadsheet: an entry whose answer
// began "=HYPERLINK(...)" would run when an editor opens the export. toCsv prefixes such a cell with
// an apostrophe (OWASP's CSV-injection advice) and parseCsv's caller can strip it (unescapeCell).

export const UTF8_BOM = '\uFEFF';

const NEEDS_QUOTES = /[",\r\n]/;
const FORMULA_START = /^[=+\-@\t\r]/;

export function escapeCell(value: string): string {
  const v = FORMULA_START.test(value) ? `'${value}` : value;
  return NEEDS_QUOTES.test(v) || v !== v.trim() ? `"${v.replace(/"/g, '""')}"` : v;
}

/** Undo escapeCell's formula guard: "'=..." -> "=...". */
export const unescapeCell = (value: string): string => (value.startsWith("'") && FORMULA_START.test(value.slice(1)) ? value.slice(1) : value);

/** Rows to CSV text, with the BOM and CRLF line ends. */
export function toCsv(rows: readonly (readonly string[])[]): string {
  return UTF8_BOM + rows.map((r) => r.map(escapeCell).join(',')).join('\r\n') + '\r\n';
}

export class CsvSyntaxError extends Error {
  override readonly name = 'CsvSyntaxError';
}

/**
 * CSV text to rows of raw cells (a leading BOM dropped; CRLF, LF or CR line ends; quoted fields may
 * span lines). Blank lines (and a line of one empty quoted cell) are skipped. Throws CsvSyntaxError on a stray quote, naming the line.
 */
export function parseCsv(text: string): string[][] {
  const s = text.startsWith(UTF8_BOM) ? text.slice(1) : text;
  const rows: string[][] = [];
  let row: string[] = [];
  let cell = '';
  let line = 1;
  let i = 0;
  const endRow = (): void => {
    row.push(cell);
    if (row.length > 1 || row[0] !== '') rows.push(row);
    row = [];
    cell = '';
  };
  while (i < s.length) {
    const c = s[i]!;
    if (c === '"' && cell === '') {
      // A quoted field: up to the closing quote, "" standing for one quote.
      const startLine = line;
      i++;
      for (;;) {
        if (i >= s.length) throw new CsvSyntaxError(`line ${startLine}: a quoted field is not closed`);
        const q = s[i]!;
        if (q === '"') {
          if (s[i + 1] === '"') {
            cell += '"';
            i += 2;
            continue;
          }
          i++;
          break;
        }
        if (q === '\n') line++;
        cell += q;
        i++;
      }
      const next = s[i];
      if (next !== undefined && next !== ',' && next !== '\r' && next !== '\n') throw new CsvSyntaxError(`line ${line}: text after a closing quote`);
      continue;
    }
    if (c === ',') {
      row.push(cell);
      cell = '';
      i++;
    } else if (c === '\r' || c === '\n') {
      endRow();
      if (c === '\r' && s[i + 1] === '\n') i++;
      line++;
      i++;
    } else if (c === '"') {
      throw new CsvSyntaxError(`line ${line}: a quote inside an unquoted field`);
    } else {
      cell += c;
      i++;
    }
  }
  if (cell !== '' || row.length > 0) endRow();
  return rows;
}
