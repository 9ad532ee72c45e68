// FreeSWITCH string expansion, ported from switch_channel_expand_variables_check (switch_channel.c /
// switch_event.c, 1.10) and the regex helpers of switch_regex.c:
//
//   ${name}            channel variable; when unset, the caller-profile field then the global variable
//                      (the caller of expandVariables decides that order in `lookup`, globals in opts)
//   $${name}           global variable only (at run time; in config files the preprocessor did it)
//   ${name:off}        substring from `off` (negative: from the end)
//   ${name:off:len}    ... at most `len` characters
//   ${name[i]}         element i of an ARRAY::a|:b value
//   ${a_${b}}          nested: the name is expanded first
//   ${api args} / ${api(args)}  API call (only when opts.api is given; otherwise empty)
//   \$                 a literal $ (\$${x} yields ${x} unexpanded); \' drops the backslash
//   a $ not followed by { is literal; an unset variable expands to the empty string.
// There is no ${var:default} form in FreeSWITCH: `:` is the substring syntax.

export type VariableLookup = (name: string) => string | undefined;

export interface ExpandOptions {
  /** Global variables (X-PRE-PROCESS set / `global_setvar`); `${x}` falls back to them, `$${x}` reads only them. */
  readonly global?: VariableLookup;
  /** Runs `${command args}` / `${command(args)}`; return undefined when the command fails. */
  readonly api?: (command: string, args: string) => string | undefined;
}

const MAX_RECURSION = 100;

function needsExpansion(s: string): boolean {
  return s.includes('${') || s.includes('\\$') || s.includes("\\'");
}

function arrayElement(value: string, idx: number): string | undefined {
  if (!value.startsWith('ARRAY::')) return idx === 0 ? value : undefined;
  return value.slice(7).split('|:')[idx];
}

/** FreeSWITCH's ${var} expansion. `lookup` answers channel variables (and caller-profile fields). */
export function expandVariables(text: string, lookup: VariableLookup, opts: ExpandOptions = {}): string {
  return expand(text, lookup, opts, 0);
}

function expand(input: string, lookup: VariableLookup, opts: ExpandOptions, recur: number): string {
  if (recur > MAX_RECURSION || input === '' || !needsExpansion(input)) return input;
  const s = input;
  const n = s.length;
  let out = '';
  let nv = false;
  for (let p = 0; p < n; p++) {
    let global = false;
    let vtype = 0;
    if (s[p] === '\\') {
      if (s[p + 1] === '$') {
        nv = true;
        p++;
        if (s[p + 1] === '$') p++;
      } else if (s[p + 1] === "'") {
        continue;
      } else if (s[p + 1] === '\\') {
        out += '\\';
        p++;
        continue;
      }
    }
    if (s[p] === '$' && !nv) {
      if (s[p + 1] === '$') {
        p++;
        global = true;
      }
      if (p + 1 < n) {
        if (s[p + 1] === '{') vtype = global ? 3 : 1;
        else nv = true;
      } else nv = true;
    }
    if (nv) {
      out += s[p] ?? '';
      nv = false;
      continue;
    }
    if (vtype) {
      // p is on the '$' before '{'
      let br = 0;
      let i = p + 1;
      if (s[i] === '{') {
        br = 1;
        i++;
      }
      const nameStart = i;
      let nameEnd = n;
      let e = i;
      while (e < n) {
        const c = s[e];
        if (br === 1 && c === '}') {
          br = 0;
          nameEnd = e;
          e++;
          break;
        }
        if (br > 0) {
          if (e !== nameStart && c === '{') br++;
          else if (br > 1 && c === '}') br--;
        }
        e++;
      }
      if (br !== 0) nameEnd = n;
      let vname = s.slice(nameStart, nameEnd);
      p = e;
      // ${api args} or ${api(args)}
      let args: string | undefined;
      for (let k = 0; k < vname.length; k++) {
        const c = vname[k];
        if (c === ' ' || c === '(') {
          let rest = vname.slice(k + 1);
          if (c === '(') {
            let depth = 1;
            for (let j = 0; j < rest.length; j++) {
              const d = rest[j];
              if (d === '(') depth++;
              else if (depth > 1 && d === ')') depth--;
              else if (depth === 1 && d === ')') {
                rest = rest.slice(0, j);
                break;
              }
            }
          }
          args = rest;
          vname = vname.slice(0, k).replace(/ +$/, '');
          break;
        }
      }
      let sub: string | undefined;
      if (args === undefined) {
        vname = expand(vname, lookup, opts, recur + 1);
        let offset = 0;
        let length = 0;
        const colon = vname.indexOf(':');
        if (colon >= 0) {
          const rest = vname.slice(colon + 1);
          vname = vname.slice(0, colon);
          offset = parseInt(rest, 10) || 0;
          const c2 = rest.indexOf(':');
          if (c2 >= 0) length = parseInt(rest.slice(c2 + 1), 10) || 0;
        }
        let idx = -1;
        const lb = vname.indexOf('[');
        if (lb >= 0 && vname.indexOf(']', lb) >= 0) {
          idx = parseInt(vname.slice(lb + 1), 10) || 0;
          vname = vname.slice(0, lb);
        }
        if (vtype === 1) {
          const v = lookup(vname);
          sub = v !== undefined && idx >= 0 ? arrayElement(v, idx) : v;
        }
        if (sub === undefined) {
          const g = opts.global?.(vname);
          if (g !== undefined) sub = expand(g, lookup, opts, recur + 1);
        }
        if (sub !== undefined) {
          if (offset >= 0) sub = sub.slice(offset);
          else if (-offset <= sub.length) sub = sub.slice(sub.length + offset);
          if (length > 0 && length < sub.length) sub = sub.slice(0, length);
        }
      } else {
        const cmd = expand(vname, lookup, opts, recur + 1);
        const a = expand(args, lookup, opts, recur + 1);
        sub = opts.api?.(cmd, a);
      }
      out += sub ?? '';
      if (p >= n) break;
      if (s[p] === '$') p--;
      else out += s[p] ?? '';
      continue;
    }
    out += s[p] ?? '';
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Regular expressions (PCRE in FreeSWITCH, JavaScript RegExp here).

/** Asterisk-style pattern after a leading `_` (switch_ast2regex): X N Z . ! and [..] classes. */
function ast2regex(pat: string): string {
  let out = '^';
  for (let i = 0; i < pat.length; i++) {
    const c = pat[i] as string;
    if (c === 'X' || c === 'x') out += '\\d';
    else if (c === 'Z' || c === 'z') out += '[1-9]';
    else if (c === 'N' || c === 'n') out += '[2-9]';
    else if (c === '.') out += '\\d+';
    else if (c === '!') out += '\\d*';
    else if (c === '[') {
      const end = pat.indexOf(']', i);
      if (end < 0) out += '\\[';
      else {
        out += pat.slice(i, end + 1);
        i = end;
      }
    } else out += c.replace(/[\\^$.*+?()[\]{}|]/g, '\\$&');
  }
  return out + '$';
}

/**
 * Translate a FreeSWITCH (PCRE) expression to a JavaScript RegExp, as switch_regex_perform reads it:
 * `/re/flags` (i, s), a leading `_` for Asterisk patterns, and the PCRE spellings JS lacks
 * ((?i) at the start, (?P<name>, \A, \Z, \z). Returns undefined when it does not compile
 * (FreeSWITCH logs "COMPILE ERROR" and treats it as no match).
 */
export function compileFsRegex(expression: string): RegExp | undefined {
  let expr = expression;
  let flags = '';
  if (expr.startsWith('_')) expr = ast2regex(expr.slice(1));
  if (expr.startsWith('/')) {
    const body = expr.slice(1);
    const close = body.lastIndexOf('/');
    if (close < 0) return undefined;
    const opts = body.slice(close + 1);
    expr = body.slice(0, close);
    if (opts.includes('i')) flags += 'i';
    if (opts.includes('s')) flags += 's';
  }
  const inline = /^\(\?([is]+)\)/.exec(expr);
  if (inline) {
    for (const f of inline[1] ?? '') if (!flags.includes(f)) flags += f;
    expr = expr.slice(inline[0].length);
  }
  expr = expr.replace(/\(\?P</g, '(?<').replace(/\\A/g, '^').replace(/\\[Zz]/g, '$');
  try {
    return new RegExp(expr, flags);
  } catch {
    return undefined;
  }
}

/**
 * switch_perform_substitution: replace $N and ${N} in `data` with capture N of `match` (empty when
 * the group did not take part or does not exist). Other `$` sequences, including ${var}, are kept.
 */
export function substituteCaptures(data: string, match: RegExpExecArray | null): string {
  let out = '';
  let z = 0; // FreeSWITCH keeps the digit counter across a failed ${N (sic)
  let x = 0;
  while (x < data.length) {
    if (data[x] === '$') {
      x++;
      const brace = data[x] === '{';
      if (brace) x++;
      if (!isDigit(data[x])) {
        if (brace) x--;
        out += data[x - 1] ?? '';
        continue;
      }
      let index = '';
      while (isDigit(data[x]) && z < 9) {
        index += data[x];
        z++;
        x++;
      }
      if (brace) {
        if (data[x] !== '}') {
          x -= z - 1;
          out += data[x - 1] ?? '';
          continue;
        }
        x++;
      }
      z = 0;
      const num = Number(index);
      const rep = num >= 0 && num <= 256 ? match?.[num] : undefined;
      if (rep) out += rep;
    } else {
      out += data[x];
      x++;
    }
  }
  return out;
}

function isDigit(c: string | undefined): boolean {
  return c !== undefined && c >= '0' && c <= '9';
}

/** Values switch_capture_regex pushes into DP_MATCH / DP_REGEX_MATCH_n: ARRAY::m0|:m1... */
export function captureArray(match: RegExpExecArray): string {
  const vals = Array.from(match, (v) => v ?? '');
  return vals.length === 1 ? (vals[0] ?? '') : `ARRAY::${vals.join('|:')}`;
}

/** switch_true: "yes", "on", "true", "t", "enabled", "active", "allow" or a non-zero number. */
export function switchTrue(v: string | undefined): boolean {
  if (v === undefined) return false;
  const s = v.toLowerCase();
  if (['yes', 'on', 'true', 't', 'enabled', 'active', 'allow'].includes(s)) return true;
  return /^-?\d+$/.test(s) && Number(s) !== 0;
}
