// Dial strings as originate and bridge take them: {a=b,c=d}endpoint/... with [x=y] per leg,
// legs separated by , (simultaneous) or | (sequential); only the first leg of each is used here.
export interface DialLeg {
  readonly vars: Record<string, string>;
  readonly kind: 'user' | 'gateway' | 'sofia' | 'loopback' | 'error';
  /** user id, gateway name, profile name or loopback extension. */
  readonly target: string;
  /** dialled number (gateway), SIP URI (sofia) or context (loopback). */
  readonly detail: string;
  readonly raw: string;
}

function parseVarBlock(s: string, out: Record<string, string>): void {
  // FreeSWITCH splits on commas not inside quotes; values may be 'quoted'.
  for (const part of s.split(/,(?=(?:[^']*'[^']*')*[^']*$)/)) {
    const i = part.indexOf('=');
    if (i <= 0) continue;
    out[part.slice(0, i).trim()] = part.slice(i + 1).trim().replace(/^'(.*)'$/, '$1');
  }
}

export function parseDialString(input: string): DialLeg[] {
  let s = input.trim();
  const global: Record<string, string> = {};
  while (s.startsWith('{') || s.startsWith('<')) {
    const close = s.indexOf(s[0] === '{' ? '}' : '>');
    if (close < 0) break;
    parseVarBlock(s.slice(1, close), global);
    s = s.slice(close + 1);
  }
  const legs: DialLeg[] = [];
  for (const raw0 of s.split(/[,|]/)) {
    let raw = raw0.trim();
    if (!raw) continue;
    const vars = { ...global };
    if (raw.startsWith('[')) {
      const close = raw.indexOf(']');
      if (close > 0) {
        parseVarBlock(raw.slice(1, close), vars);
        raw = raw.slice(close + 1);
      }
    }
    const parts = raw.split('/');
    const [tech, a = '', ...rest] = parts;
    if (tech === 'user') legs.push({ vars, kind: 'user', target: a.split('@')[0] ?? a, detail: a, raw });
    else if (tech === 'sofia' && a === 'gateway') legs.push({ vars, kind: 'gateway', target: rest[0] ?? '', detail: rest.slice(1).join('/'), raw });
    else if (tech === 'sofia') legs.push({ vars, kind: 'sofia', target: a, detail: rest.join('/'), raw });
    else if (tech === 'loopback') legs.push({ vars, kind: 'loopback', target: a, detail: rest[0] ?? 'default', raw });
    else legs.push({ vars, kind: 'error', target: tech ?? '', detail: raw, raw });
  }
  return legs;
}

/** Splits "app(arg)" / "app:arg" style originate extensions. */
export function parseInlineApp(s: string): { app: string; arg: string } {
  const m = /^&?([\w-]+)(?:\((.*)\))?$/.exec(s.trim());
  if (m) return { app: m[1] ?? '', arg: m[2] ?? '' };
  const i = s.indexOf(' ');
  return i < 0 ? { app: s.replace(/^&/, ''), arg: '' } : { app: s.slice(0, i).replace(/^&/, ''), arg: s.slice(i + 1) };
}
