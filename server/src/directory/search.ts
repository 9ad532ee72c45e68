// Searching the directory as an agent types: the name, tags, notes and number as substrings, and
// the name's pinyin initials ("csgl" finds 城市管理, "gjj" 公积金中心) for agents who type faster in
// Latin letters. Entries are a few hundred at most: a scan per query is simpler than an index and
// takes well under a millisecond; only the initials are memoised (pinyin-pro is ~15 µs a word).
import { initialsOf } from '../kb/pinyin.ts';
import type { DirectoryEntry } from './entry.ts';

const memo = new Map<string, string>();
/** Initials of every Chinese character of a name, other characters dropped ('12345城管' -> 'cg'). */
export function nameInitials(name: string): string {
  let v = memo.get(name);
  if (v === undefined) {
    if (memo.size > 10_000) memo.clear();
    const han = name.match(/\p{Script=Han}+/gu) ?? [];
    memo.set(name, (v = han.map(initialsOf).join('')));
  }
  return v;
}

/** How well an entry matches (higher is better), or 0 when it does not. */
export function score(e: DirectoryEntry, query: string): number {
  const q = query.trim().toLowerCase();
  if (!q) return 1;
  const name = e.name.toLowerCase();
  if (name === q) return 100;
  if (name.startsWith(q)) return 80;
  if (name.includes(q)) return 60;
  if (/^[a-z]{1,16}$/.test(q)) {
    const ini = nameInitials(e.name);
    if (ini.startsWith(q)) return 50;
    if (ini.includes(q)) return 40;
  }
  if (/^\+?[0-9]{2,20}$/.test(q) && e.number.includes(q)) return 45;
  if (e.tags.some((t) => t.toLowerCase().includes(q))) return 30;
  if (e.notes?.toLowerCase().includes(q)) return 10;
  return 0;
}

export function search(entries: readonly DirectoryEntry[], query: string, limit: number): DirectoryEntry[] {
  return entries
    .map((e) => ({ e, s: score(e, query) }))
    .filter((x) => x.s > 0)
    .sort((a, b) => b.s - a.s || a.e.name.localeCompare(b.e.name, 'zh-CN'))
    .slice(0, limit)
    .map((x) => x.e);
}
