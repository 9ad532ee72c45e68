// The XML dialplan: loading (through the preprocessor) and hunting, ported from mod_dialplan_xml.c
// (FreeSWITCH 1.10). See README.md in this folder for the supported subset.

import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { DialplanAction, RoutingInput, RoutingResult } from '../types.ts';
import { DialplanError } from './errors.ts';
import { captureArray, compileFsRegex, expandVariables, substituteCaptures, switchTrue } from './expand.ts';
import type { ExpandOptions, VariableLookup } from './expand.ts';
import { glob, preprocess } from './preprocess.ts';
import type { SourceLine } from './preprocess.ts';
import { datetimeCheck, UNSUPPORTED_TIME_ATTRS } from './time.ts';
import { childrenNamed, parseXmlFragment, XmlSyntaxError } from './xml.ts';
import type { XmlElement } from './xml.ts';
import { FREESWITCH_BUILTIN_GLOBALS } from './builtin-globals.ts';

export interface LoadDialplanOptions {
  /**
   * A FreeSWITCH conf dir: its freeswitch.xml when there is one (contexts are read from
   * <section name="dialplan">), otherwise its vars.xml (if any) followed by dialplan/*.xml.
   */
  readonly dir?: string;
  /** Files preprocessed in this order into one document; used instead of `dir`. */
  readonly files?: readonly string[];
  /**
   * Global variables set before the files are read (e.g. hotline_service_socket from fsim's config).
   * They win: an X-PRE-PROCESS set of the same name in the files is ignored.
   */
  readonly vars?: Readonly<Record<string, string>>;
  /**
   * Globals FreeSWITCH defines itself before it reads the configuration (sounds_dir, certs_dir,
   * local_ip_v4, hostname, ...). Default: FREESWITCH_BUILTIN_GLOBALS (Debian package layout).
   * Files may change them; `vars` win over both.
   */
  readonly builtins?: Readonly<Record<string, string>>;
  /** Clock for time-of-day conditions, epoch milliseconds. Default Date.now. */
  readonly now?: () => number;
  /** Local time's offset from UTC in minutes for time conditions (China: 480). Default: the host's. */
  readonly utcOffsetMinutes?: number;
}

/** What hunting returns: RoutingResult plus the variables the XML dialplan itself set. */
export interface HuntResult extends RoutingResult {
  /**
   * Variables mod_dialplan_xml sets on the channel while hunting: DP_MATCH (captures of the last
   * matching condition whose expression has a group, `ARRAY::m0|:m1...`) and DP_REGEX_MATCH_n.
   * Inline `set`/`export`/`unset` are not here: they are actions with `inline: true`.
   */
  readonly variables: Readonly<Record<string, string>>;
}

export interface Dialplan {
  /**
   * Hunt `input.context` (or context "global" when it does not exist), FreeSWITCH-style.
   * `undefined` means no extension was built: FreeSWITCH hangs up with NO_ROUTE_DESTINATION.
   * Actions keep document order. Regex captures ($1, ${1}) are already substituted; ${var} is not
   * (expand at execution time with `expand`). Actions with `inline: true` were executed by
   * FreeSWITCH during routing (CS_ROUTING), before any other action of the list runs: run them
   * first, in order; hunting already applied inline set/export/unset to later conditions.
   */
  hunt(input: RoutingInput): HuntResult | undefined;
  /** Context names in document order (FreeSWITCH uses the first context of a name). */
  contexts(): string[];
  /** Global variables after preprocessing ($${name} values; ${name} falls back to them). */
  readonly globals: ReadonlyMap<string, string>;
  /** global_setvar: later ${name} lookups see it ($${name} was substituted when the conf loaded). */
  setGlobal(name: string, value: string): void;
  /** Every file read, in order. */
  readonly files: readonly string[];
  /** Things FreeSWITCH would accept but log (bad break/regex values, expressions JS cannot compile). */
  readonly warnings: readonly string[];
  /**
   * Expand ${var} in action data at execution time: channel variables, then globals; `$${x}` reads
   * globals. Compatible with core's Expander type.
   */
  expand(text: string, vars: Readonly<Record<string, string>>, opts?: Pick<ExpandOptions, 'api'>): string;
}

const BREAKS = ['on-true', 'on-false', 'always', 'never'] as const;
type Break = (typeof BREAKS)[number];
const MAX_RECUR = 100;
/** Applications that may run inline and whose effect on variables hunting simulates. */
const SIMULATED_INLINE = new Set(['set', 'export', 'unset']);

interface HuntState {
  readonly input: RoutingInput;
  readonly vars: Map<string, string>;
  readonly dpVars: Map<string, string>;
  readonly actions: DialplanAction[];
  extension: string | undefined;
  readonly now: number;
}

function entryFiles(opts: LoadDialplanOptions): string[] {
  if (opts.files && opts.files.length > 0) return opts.files.map((f) => resolve(f));
  if (opts.dir === undefined) throw new DialplanError('loadDialplan needs `dir` or `files`');
  const dir = resolve(opts.dir);
  const main = join(dir, 'freeswitch.xml');
  if (existsSync(main)) return [main];
  const files: string[] = [];
  const vars = join(dir, 'vars.xml');
  if (existsSync(vars)) files.push(vars);
  files.push(...glob(join(dir, 'dialplan', '*.xml')));
  if (files.length === 0) throw new DialplanError(`no freeswitch.xml, vars.xml or dialplan/*.xml in ${dir}`);
  return files;
}

function findContexts(roots: readonly XmlElement[]): XmlElement[] {
  const out: XmlElement[] = [];
  const fromSection = (section: XmlElement): void => {
    out.push(...childrenNamed(section, 'context'));
  };
  for (const root of roots) {
    if (root.name === 'context') out.push(root);
    else if (root.name === 'section' && root.attrs.get('name') === 'dialplan') fromSection(root);
    else if (root.name === 'document') {
      const section = root.children.find((c) => c.name === 'section' && c.attrs.get('name') === 'dialplan');
      if (section) fromSection(section);
    }
  }
  return out;
}

/** Load FreeSWITCH XML (preprocessor included) and return its XML dialplan. */
export function loadDialplan(opts: LoadDialplanOptions): Dialplan {
  const overrides = new Map(Object.entries(opts.vars ?? {}));
  const globals = new Map([...Object.entries(opts.builtins ?? FREESWITCH_BUILTIN_GLOBALS), ...overrides]);
  const pre = preprocess(entryFiles(opts), { globals, overrides: new Set(overrides.keys()) });
  const src = (line: number): SourceLine | undefined => pre.lines[line - 1];
  let roots: XmlElement[];
  try {
    roots = parseXmlFragment(pre.text);
  } catch (e) {
    if (e instanceof XmlSyntaxError) {
      const at = src(e.line);
      throw new DialplanError(`not well-formed XML after preprocessing: ${e.reason}`, at ? { file: at.file, line: at.line } : {});
    }
    throw e;
  }
  const warnings: string[] = [];
  const here = (el: XmlElement): string => {
    const at = src(el.line);
    return at ? `${at.file}:${at.line}` : `line ${el.line}`;
  };
  const fail = (el: XmlElement, msg: string): never => {
    const at = src(el.line);
    throw new DialplanError(msg, at ? { file: at.file, line: at.line } : {});
  };

  const contextEls = findContexts(roots);
  const byName = new Map<string, XmlElement>();
  for (const ctx of contextEls) {
    const name = ctx.attrs.get('name');
    if (name === undefined) fail(ctx, '<context> without a name');
    else if (!byName.has(name)) byName.set(name, ctx);
    else warnings.push(`${here(ctx)}: a second context "${name}" is ignored (FreeSWITCH uses the first)`);
  }

  const regexCache = new Map<string, RegExp | undefined>();
  const compile = (expr: string): RegExp | undefined => {
    if (!regexCache.has(expr)) regexCache.set(expr, compileFsRegex(expr));
    return regexCache.get(expr);
  };

  // Load-time checks of what hunting reads.
  const checkCondition = (cond: XmlElement): void => {
    for (const a of UNSUPPORTED_TIME_ATTRS) if (cond.attrs.has(a)) fail(cond, `time condition attribute "${a}" is not supported by fsim`);
    const b = cond.attrs.get('break');
    if (b !== undefined && !(BREAKS as readonly string[]).includes(b.toLowerCase())) warnings.push(`${here(cond)}: break="${b}" is not one of ${BREAKS.join('|')} (FreeSWITCH uses on-false)`);
    const r = cond.attrs.get('regex');
    if (r !== undefined && !['all', 'any', 'xor'].includes(r.toLowerCase())) warnings.push(`${here(cond)}: regex="${r}" is not all|any|xor (FreeSWITCH reads it as any)`);
    const exprs = [cond, ...childrenNamed(cond, 'regex')];
    for (const el of exprs) {
      const e = expressionOf(el);
      if (!e.includes('${') && compile(e) === undefined) warnings.push(`${here(el)}: expression /${e}/ does not compile (never matches)`);
    }
    for (const act of [...childrenNamed(cond, 'action'), ...childrenNamed(cond, 'anti-action')]) {
      if (!act.attrs.get('application')) fail(act, `<${act.name}> without an application`);
    }
    for (const nested of childrenNamed(cond, 'condition')) checkCondition(nested);
  };
  for (const ctx of byName.values()) {
    for (const ext of childrenNamed(ctx, 'extension')) for (const cond of childrenNamed(ext, 'condition')) checkCondition(cond);
  }

  const now = opts.now ?? Date.now;
  const offsetDefault = opts.utcOffsetMinutes;

  const globalLookup: VariableLookup = (n) => globals.get(n);

  function hunt(input: RoutingInput): HuntResult | undefined {
    const ctx = byName.get(input.context) ?? byName.get('global');
    if (!ctx) return undefined;
    const st: HuntState = {
      input,
      vars: new Map(Object.entries(input.variables)),
      dpVars: new Map(),
      actions: [],
      extension: undefined,
      now: now(),
    };
    const extensions = childrenNamed(ctx, 'extension');
    let start = 0;
    if (switchTrue(lookupVar(st, 'auto_hunt'))) {
      const i = extensions.findIndex((x) => x.attrs.get('name') === input.destinationNumber);
      if (i >= 0) start = i;
    }
    for (let i = start; i < extensions.length; i++) {
      const x = extensions[i] as XmlElement;
      const proceed = parseExten(x, x.attrs.get('name') ?? 'UNKNOWN', 0, st);
      if (proceed && !switchTrue(x.attrs.get('continue'))) break;
    }
    if (st.extension === undefined) return undefined;
    return { extension: st.extension, actions: st.actions, variables: Object.fromEntries(st.dpVars) };
  }

  function callerField(input: RoutingInput, name: string): string | undefined {
    if (name === 'destination_number') return input.destinationNumber;
    if (name === 'context') return input.context;
    return input.fields[name];
  }

  function lookupVar(st: HuntState, name: string): string | undefined {
    return st.vars.get(name) ?? callerField(st.input, name);
  }

  function expandHunt(st: HuntState, text: string): string {
    return expandVariables(text, (n) => lookupVar(st, n), { global: globalLookup });
  }

  function setVar(st: HuntState, name: string, value: string | undefined, dp = false): void {
    if (value === undefined || value === '') {
      st.vars.delete(name);
      if (dp) st.dpVars.delete(name);
    } else {
      st.vars.set(name, value);
      if (dp) st.dpVars.set(name, value);
    }
  }

  function fieldData(st: HuntState, field: string): string {
    if (field.includes('$')) return expandHunt(st, field);
    return callerField(st.input, field) ?? '';
  }

  function perform(fieldValue: string, expression: string): RegExpExecArray | null {
    const re = compile(expression);
    return re ? re.exec(fieldValue) : null;
  }

  function offsetMinutes(st: HuntState): number {
    const tz = st.vars.get('tod_tz_offset');
    if (tz !== undefined && /^-?\d+$/.test(tz)) return Number(tz) * 60;
    return offsetDefault ?? -new Date(st.now).getTimezoneOffset();
  }

  function execInline(st: HuntState, application: string, data: string): void {
    st.actions.push({ application, data, inline: true });
    if (!SIMULATED_INLINE.has(application)) return;
    const arg = expandHunt(st, data);
    if (application === 'unset') {
      st.vars.delete(arg);
      return;
    }
    let spec = arg;
    let local = true;
    if (application === 'export' && spec.startsWith('nolocal:')) {
      spec = spec.slice(8);
      local = false;
    }
    const eq = spec.indexOf('=');
    const name = eq >= 0 ? spec.slice(0, eq) : spec;
    const value = eq >= 0 ? expandHunt(st, spec.slice(eq + 1)) : undefined;
    if (local) setVar(st, name, value);
    if (application === 'export') {
      const list = st.vars.get('export_vars');
      const names = list ? list.split(',') : [];
      if (!names.includes(name)) setVar(st, 'export_vars', [...names, name].join(','));
    }
  }

  function addAction(st: HuntState, exten: string, act: XmlElement, data: string): void {
    if (st.extension === undefined) st.extension = exten;
    const application = act.attrs.get('application') ?? '';
    const loop = act.attrs.get('loop');
    let count = loop !== undefined ? parseInt(loop, 10) || 0 : 1;
    const inline = switchTrue(act.attrs.get('inline'));
    for (; count > 0; count--) {
      if (inline) execInline(st, application, data);
      else st.actions.push({ application, data });
    }
  }

  function parseExten(x: XmlElement, origName: string, recur: number, st: HuntState): number {
    let proceed = 0;
    let extenName = origName;
    let reqNest = true;
    if (recur) {
      if (recur > MAX_RECUR) return 0;
      extenName = `${origName}_recur_${recur}`;
      const rn = x.attrs.get('require-nested');
      if (rn !== undefined) reqNest = switchTrue(rn);
    }
    const done = (): number => (reqNest ? proceed : 1);

    for (const cond of childrenNamed(x, 'condition')) {
      let anti = true;
      let doBreak: Break = 'on-false';
      const timeMatch = datetimeCheck(cond, st.now, offsetMinutes(st));
      let field = cond.attrs.get('field');
      const b = cond.attrs.get('break')?.toLowerCase();
      if (b !== undefined && (BREAKS as readonly string[]).includes(b)) doBreak = b as Break;
      if (timeMatch === 1) {
        anti = false;
        proceed = 1;
      } else if (timeMatch === 0) proceed = 0;

      let expression: string | undefined;
      let fData = '';
      let match: RegExpExecArray | null = null;
      const rule = cond.attrs.get('regex');
      if (rule !== undefined) {
        const all = rule.toLowerCase() === 'all';
        const xor = rule.toLowerCase() === 'xor';
        let pass = 0;
        let fail = 0;
        let total = 0;
        let expanded = false;
        for (const k of [...st.vars.keys()]) if (k.startsWith('DP_REGEX_MATCH')) setVar(st, k, undefined, true);
        let saved: { expression: string; fieldData: string; match: RegExpExecArray; proceed: number } | undefined;
        for (const rx of childrenNamed(cond, 'regex')) {
          const rtm = datetimeCheck(rx, st.now, offsetMinutes(st));
          const raw = expressionOf(rx);
          expression = expandHunt(st, raw);
          expanded = expression !== raw;
          total++;
          field = rx.attrs.get('field');
          match = null;
          let stop: boolean;
          if (field !== undefined) {
            fData = fieldData(st, field);
            match = perform(fData, expression);
            proceed = match ? match.length : 0;
            if (match) {
              pass++;
              stop = !all && !xor;
            } else {
              fail++;
              stop = all && !xor;
            }
          } else if (rtm === -1 || rtm === 1) {
            pass++;
            proceed = 1;
            stop = !all && !xor;
          } else {
            fail++;
            stop = all;
          }
          if (stop) break;
          if (field !== undefined && expression.includes('(')) {
            setVar(st, `DP_REGEX_MATCH_${total}`, match ? captureArray(match) : undefined, true);
            saved = match ? { expression, fieldData: fData, match, proceed } : undefined;
          }
          match = null; // FreeSWITCH frees (or hands to `saved`) the compiled regex here
        }
        if (expanded) expression = undefined;
        if (xor) {
          if (pass === 1) anti = false;
        } else if ((all && !fail) || (!all && pass)) anti = false;
        if (saved) {
          field = saved.fieldData;
          expression = saved.expression;
          match = saved.match;
          proceed = saved.proceed;
        }
      } else {
        expression = expandHunt(st, expressionOf(cond));
        if (field !== undefined) {
          fData = fieldData(st, field);
          match = perform(fData, expression);
          proceed = match ? match.length : 0;
          if (match) anti = false;
        } else if (timeMatch === -1) {
          anti = false;
          proceed = 1;
        }
      }

      const captures = field !== undefined && expression !== undefined && expression.includes('(');
      if (anti) {
        for (const act of childrenNamed(cond, 'anti-action')) {
          addAction(st, extenName, act, act.text !== '' ? act.text : (act.attrs.get('data') ?? ''));
          proceed = 1;
        }
      } else {
        if (captures) setVar(st, 'DP_MATCH', match ? captureArray(match) : undefined, true);
        for (const act of childrenNamed(cond, 'action')) {
          const data = act.text !== '' ? act.text : (act.attrs.get('data') ?? '');
          addAction(st, extenName, act, captures ? substituteCaptures(data, match) : data);
        }
      }

      if ((!anti && doBreak === 'on-true') || (anti && doBreak === 'on-false') || doBreak === 'always') break;

      if (proceed && childrenNamed(cond, 'condition').length > 0) {
        proceed = parseExten(cond, origName, recur + 1, st);
        if (!proceed) {
          if (doBreak === 'never') continue;
          return done();
        }
      }
    }
    return done();
  }

  return {
    hunt,
    contexts: () => [...byName.keys()],
    globals,
    setGlobal: (name, value) => void globals.set(name, value),
    files: pre.files,
    warnings,
    expand: (text, vars, o) => expandVariables(text, (n) => vars[n], { global: globalLookup, ...(o?.api ? { api: o.api } : {}) }),
  };
}

/** <expression> child text, else the expression attribute, else "". */
function expressionOf(el: XmlElement): string {
  const child = el.children.find((c) => c.name === 'expression');
  if (child) return child.text;
  return el.attrs.get('expression') ?? '';
}
