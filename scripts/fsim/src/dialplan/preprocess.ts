// FreeSWITCH's configuration preprocessor (preprocess() in switch_xml.c, 1.10), line by line:
//   1. $${name} is replaced by the global variable `name` (empty when unset) anywhere on the line,
//      comments included;
//   2. a line containing `<include>`, `</include>` or `<?` is dropped whole (so keep those tags on
//      lines of their own);
//   3. a line containing `<X-PRE-PROCESS` (any case) is consumed whole: cmd="set" data="name=value"
//      sets a global variable, cmd="include" data="glob" splices the matching files (relative to
//      the directory of the file being read, sorted, recursively). This also happens inside
//      <!-- comments -->, exactly as FreeSWITCH does: comment such lines out by deleting them;
//   4. every other line is copied.
// Unlike FreeSWITCH, fsim also checks that every file is well-formed XML on its own, refuses the
// commands it cannot run (exec, exec-set, env-set, stun-set) and fails on a missing include that
// has no wildcard (FreeSWITCH logs it and goes on).

import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import { DialplanError } from './errors.ts';
import { parseXml, XmlSyntaxError } from './xml.ts';

export interface SourceLine {
  readonly file: string;
  readonly line: number;
}

export interface Preprocessed {
  /** The preprocessed text. */
  readonly text: string;
  /** Source of each line of `text` (index 0 = line 1). */
  readonly lines: readonly SourceLine[];
  /** Every file read, in reading order. */
  readonly files: readonly string[];
}

export interface PreprocessState {
  /** Global variables; X-PRE-PROCESS set writes here unless the name is in `overrides`. */
  readonly globals: Map<string, string>;
  /** Names whose value was fixed by the caller (fsim config): `set` in files does not change them. */
  readonly overrides: ReadonlySet<string>;
}

const MAX_DEPTH = 100;

/** Check that a file is well-formed XML on its own; throws DialplanError naming file and line. */
export function checkWellFormed(file: string, text?: string): void {
  const src = text ?? readFileSync(file, 'utf8');
  try {
    parseXml(src);
  } catch (e) {
    if (e instanceof XmlSyntaxError) throw new DialplanError(`not well-formed XML: ${e.reason}`, { file, line: e.line, column: e.column });
    throw e;
  }
}

/** switch_find_end_paren for '{' '}': index of the matching '}' or -1. */
function findEndBrace(s: string, open: number): number {
  let depth = 0;
  for (let i = open; i < s.length; i++) {
    if (s[i] === '{') depth++;
    else if (s[i] === '}') {
      depth--;
      if (depth === 0) return i;
    }
  }
  return -1;
}

/** expand_vars: $${name} from the globals, nested braces matched, unset -> empty. */
export function expandPreprocessVars(line: string, globals: ReadonlyMap<string, string>): string {
  if (!line.includes('$${')) return line;
  let out = '';
  let i = 0;
  while (i < line.length) {
    if (line.startsWith('$${', i)) {
      const end = findEndBrace(line, i + 2);
      if (end >= 0) {
        out += globals.get(line.slice(i + 3, end)) ?? '';
        i = end + 1;
        continue;
      }
    }
    out += line[i];
    i++;
  }
  return out;
}

function hasGlobMagic(s: string): boolean {
  return /[*?[]/.test(s);
}

function globSegmentToRegExp(seg: string): RegExp {
  let re = '^';
  for (let i = 0; i < seg.length; i++) {
    const c = seg[i] as string;
    if (c === '*') re += '[^/]*';
    else if (c === '?') re += '[^/]';
    else if (c === '[') {
      const end = seg.indexOf(']', i + 2);
      if (end < 0) re += '\\[';
      else {
        let cls = seg.slice(i + 1, end);
        if (cls.startsWith('!')) cls = `^${cls.slice(1)}`;
        re += `[${cls.replace(/\\/g, '\\\\')}]`;
        i = end;
      }
    } else re += c.replace(/[\\^$.*+?()[\]{}|]/g, '\\$&');
  }
  return new RegExp(`${re}$`);
}

/** POSIX glob() for absolute patterns: sorted, no dotfiles for wildcards, no match -> []. */
export function glob(pattern: string): string[] {
  const parts = pattern.split('/').filter((p, i) => p !== '' || i === 0);
  let bases: string[] = [parts[0] === '' ? '/' : (parts[0] as string)];
  for (const seg of parts.slice(1)) {
    const next: string[] = [];
    for (const base of bases) {
      if (!hasGlobMagic(seg)) {
        next.push(join(base, seg));
        continue;
      }
      let entries: string[];
      try {
        entries = readdirSync(base);
      } catch {
        continue;
      }
      const re = globSegmentToRegExp(seg);
      for (const e of entries.sort()) if (!e.startsWith('.') && re.test(e)) next.push(join(base, e));
    }
    bases = next;
  }
  return bases.filter((p) => {
    try {
      return statSync(p).isFile();
    } catch {
      return false;
    }
  });
}

interface Ctx {
  readonly state: PreprocessState;
  readonly chunks: Array<{ text: string; file: string; line: number }>;
  readonly files: string[];
}

function attrAfter(s: string, from: number, key: string): { value: string; end: number } | undefined {
  const lower = s.toLowerCase();
  let k = lower.indexOf(key, from);
  if (k < 0) return undefined;
  k = s.indexOf('=', k);
  if (k < 0) return undefined;
  k = s.indexOf('"', k);
  if (k < 0) return undefined;
  const close = s.indexOf('"', k + 1);
  return close < 0 ? { value: s.slice(k + 1), end: s.length } : { value: s.slice(k + 1, close), end: close + 1 };
}

function preprocessFile(file: string, ctx: Ctx, depth: number): void {
  if (depth > MAX_DEPTH) throw new DialplanError('X-PRE-PROCESS include nested too deep (maximum recursion limit reached)', { file });
  let src: string;
  try {
    src = readFileSync(file, 'utf8');
  } catch (e) {
    throw new DialplanError(`cannot read: ${(e as Error).message}`, { file });
  }
  checkWellFormed(file, src);
  ctx.files.push(file);
  const cwd = dirname(file);
  const rawLines = src.split(/(?<=\n)/);
  for (let i = 0; i < rawLines.length; i++) {
    const raw = rawLines[i] as string;
    const lineNo = i + 1;
    const bp = expandPreprocessVars(raw, ctx.state.globals);
    if (raw.includes('<include>') || raw.includes('</include>') || raw.includes('<?')) continue;
    const tcmd = bp.toLowerCase().indexOf('x-pre-process');
    if (tcmd >= 0) {
      if (bp[tcmd - 1] !== '<') continue;
      const cmd = attrAfter(bp, tcmd, 'cmd');
      if (!cmd) continue;
      const data = attrAfter(bp, cmd.end, 'data');
      if (!data) continue;
      runCommand(cmd.value, data.value, { file, line: lineNo, cwd }, ctx, depth);
      continue;
    }
    const old = bp.indexOf('<!--#');
    if (old >= 0) {
      // Old-style <!--#set/include ...--> commands: not supported by fsim.
      throw new DialplanError('old-style <!--# preprocessor commands are not supported; use <X-PRE-PROCESS>', { file, line: lineNo });
    }
    ctx.chunks.push({ text: bp, file, line: lineNo });
  }
}

function runCommand(cmd: string, data: string, at: { file: string; line: number; cwd: string }, ctx: Ctx, depth: number): void {
  const c = cmd.toLowerCase();
  if (c === 'set') {
    const eq = data.indexOf('=');
    if (eq < 0) return;
    const name = data.slice(0, eq).replace(/ +$/, '');
    const value = data.slice(eq + 1).replace(/^ +/, '');
    if (!ctx.state.overrides.has(name)) ctx.state.globals.set(name, value);
    return;
  }
  if (c === 'include') {
    const pattern = isAbsolute(data) ? data : resolve(at.cwd, data);
    if (!hasGlobMagic(pattern)) {
      try {
        statSync(pattern);
      } catch {
        throw new DialplanError(`X-PRE-PROCESS include: no such file ${data}`, { file: at.file, line: at.line });
      }
      preprocessFile(pattern, ctx, depth + 1);
      return;
    }
    for (const f of glob(pattern)) preprocessFile(f, ctx, depth + 1);
    return;
  }
  if (c === 'exec' || c === 'exec-set' || c === 'env-set' || c === 'stun-set') {
    throw new DialplanError(`X-PRE-PROCESS cmd="${cmd}" is not supported by fsim`, { file: at.file, line: at.line });
  }
  // FreeSWITCH ignores unknown commands.
}

/** Preprocess `files` in order into one text, sharing `state`. */
export function preprocess(files: readonly string[], state: PreprocessState): Preprocessed {
  const ctx: Ctx = { state, chunks: [], files: [] };
  for (const f of files) preprocessFile(resolve(f), ctx, 0);
  // Join the chunks; a chunk without a trailing newline glues onto the next one, as in FreeSWITCH.
  let text = '';
  const lines: SourceLine[] = [];
  let atLineStart = true;
  for (const ch of ctx.chunks) {
    if (atLineStart) lines.push({ file: ch.file, line: ch.line });
    text += ch.text;
    const extra = (ch.text.match(/\n/g)?.length ?? 0) - (ch.text.endsWith('\n') ? 1 : 0);
    for (let k = 0; k < extra; k++) lines.push({ file: ch.file, line: ch.line });
    atLineStart = ch.text.endsWith('\n');
  }
  return { text, lines, files: ctx.files };
}
