// A capture as a script to replay: the exact bytes of every read and write (from NAME.jsonl) with
// the NOTE annotations of NAME.txt placed between them, so a scenario can run its stimulus
// (a SIPp caller dialling in, say) at the same point FreeSWITCH saw it.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { FIXTURES } from './capture.ts';

export type Direction = 'client' | 'server';

export type ScriptItem =
  | { readonly kind: 'block'; readonly dir: Direction; readonly t: number; readonly bytes: Buffer }
  | { readonly kind: 'note'; readonly text: string };

interface JsonlRow {
  seq: number;
  t: number;
  dir: string;
  len: number;
  b64: string;
}

/** C->S and L->FS are what our side wrote; S->C and FS->L what FreeSWITCH wrote. */
function directionOf(dir: string): Direction {
  if (dir === 'C->S' || dir === 'L->FS') return 'client';
  if (dir === 'S->C' || dir === 'FS->L') return 'server';
  throw new Error(`unknown direction ${dir}`);
}

export function loadScript(name: string): ScriptItem[] {
  const rows = readFileSync(path.join(FIXTURES, `${name}.jsonl`), 'utf8')
    .split('\n')
    .filter((l) => l.trim())
    .map((l) => JSON.parse(l) as JsonlRow);
  const txt = readFileSync(path.join(FIXTURES, `${name}.txt`), 'utf8');
  // Block headers and notes in file order; block k of the .txt is row k of the .jsonl.
  const marks = [...txt.matchAll(/^#### (?:NOTE: (.*) ####|\[t=\+[\d.]+s\] (\S+) (\d+) bytes ####)$/gm)];
  const items: ScriptItem[] = [];
  let k = 0;
  for (const m of marks) {
    if (m[1] !== undefined) {
      items.push({ kind: 'note', text: m[1] });
      continue;
    }
    const row = rows[k++];
    if (!row) throw new Error(`${name}: more blocks in .txt than rows in .jsonl`);
    if (row.dir !== m[2] || row.len !== Number(m[3])) throw new Error(`${name}: block ${k} differs between .txt and .jsonl`);
    items.push({ kind: 'block', dir: directionOf(row.dir), t: row.t, bytes: Buffer.from(row.b64, 'base64') });
  }
  if (k !== rows.length) throw new Error(`${name}: ${rows.length - k} .jsonl rows without a .txt block`);
  return items;
}

/** All bytes one side wrote, concatenated. */
export function bytesOf(items: readonly ScriptItem[], dir: Direction): Buffer {
  return Buffer.concat(items.flatMap((i) => (i.kind === 'block' && i.dir === dir ? [i.bytes] : [])));
}
