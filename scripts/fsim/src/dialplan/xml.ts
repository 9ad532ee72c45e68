// A small, strict XML parser for FreeSWITCH configuration files.
//
// Strict means well-formed XML 1.0 for the subset config files use: one root element (or a fragment
// of elements when asked), attributes in single or double quotes, comments, CDATA, processing
// instructions, the five predefined entities and character references. DOCTYPE is refused. Every
// element keeps its 1-based line, children keep document order, and errors carry line and column.

export interface XmlElement {
  readonly name: string;
  /** Attributes in document order, values entity-decoded and whitespace-normalised (XML 1.0 3.3.3). */
  readonly attrs: ReadonlyMap<string, string>;
  readonly children: readonly XmlElement[];
  /** Character data directly inside this element (text and CDATA, not that of children), concatenated. */
  readonly text: string;
  /** 1-based line of the element's `<`. */
  readonly line: number;
}

export class XmlSyntaxError extends Error {
  constructor(
    readonly reason: string,
    readonly line: number,
    readonly column: number,
  ) {
    super(`${reason} (line ${line}, column ${column})`);
    this.name = 'XmlSyntaxError';
  }
}

interface MutableElement {
  name: string;
  attrs: Map<string, string>;
  children: MutableElement[];
  text: string;
  line: number;
}

const NAME_START = /[A-Za-z_:\p{L}]/u;
const NAME_CHAR = /[-.0-9A-Za-z_:\u00B7\p{L}\p{M}\p{N}]/u;
const PREDEFINED: Readonly<Record<string, string>> = { lt: '<', gt: '>', amp: '&', quot: '"', apos: "'" };

function isSpace(c: string | undefined): boolean {
  return c === ' ' || c === '\t' || c === '\n' || c === '\r';
}

class Parser {
  private pos = 0;
  private readonly lineStarts: number[] = [0];

  constructor(private readonly src: string) {
    for (let i = 0; i < src.length; i++) if (src.charCodeAt(i) === 10) this.lineStarts.push(i + 1);
  }

  where(pos: number): { line: number; column: number } {
    let lo = 0;
    let hi = this.lineStarts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if ((this.lineStarts[mid] ?? 0) <= pos) lo = mid;
      else hi = mid - 1;
    }
    return { line: lo + 1, column: pos - (this.lineStarts[lo] ?? 0) + 1 };
  }

  fail(reason: string, pos = this.pos): never {
    const w = this.where(pos);
    throw new XmlSyntaxError(reason, w.line, w.column);
  }

  private startsWith(s: string): boolean {
    return this.src.startsWith(s, this.pos);
  }

  private skipSpace(): void {
    while (isSpace(this.src[this.pos])) this.pos++;
  }

  document(fragment: boolean): XmlElement[] {
    if (this.src.charCodeAt(0) === 0xfeff) this.pos = 1;
    const roots: MutableElement[] = [];
    for (;;) {
      this.skipSpace();
      if (this.pos >= this.src.length) break;
      if (this.startsWith('<?')) this.pi();
      else if (this.startsWith('<!--')) this.comment();
      else if (this.startsWith('<!DOCTYPE')) this.fail('DOCTYPE is not supported');
      else if (this.startsWith('<![CDATA[')) this.fail('CDATA outside the root element');
      else if (this.startsWith('</')) this.fail('closing tag without an open element');
      else if (this.src[this.pos] === '<') {
        if (roots.length > 0 && !fragment) this.fail('more than one root element');
        roots.push(this.element());
      } else this.fail('text outside the root element');
    }
    if (roots.length === 0 && !fragment) this.fail('no root element');
    return roots;
  }

  private pi(): void {
    const start = this.pos;
    const end = this.src.indexOf('?>', this.pos + 2);
    if (end < 0) this.fail('unclosed <?', start);
    this.pos = end + 2;
  }

  private comment(): void {
    const start = this.pos;
    const end = this.src.indexOf('--', this.pos + 4);
    if (end < 0) this.fail('unclosed <!--', start);
    if (this.src[end + 2] !== '>') this.fail("'--' inside a comment", end);
    this.pos = end + 3;
  }

  private name(): string {
    const start = this.pos;
    const first = this.src[this.pos];
    if (first === undefined || !NAME_START.test(first)) this.fail('expected a name');
    this.pos++;
    for (;;) {
      const c = this.src[this.pos];
      if (c === undefined || !NAME_CHAR.test(c)) break;
      this.pos++;
    }
    return this.src.slice(start, this.pos);
  }

  private decode(raw: string, rawStart: number, attribute: boolean): string {
    let out = '';
    let i = 0;
    while (i < raw.length) {
      const c = raw[i] as string;
      if (c === '&') {
        const semi = raw.indexOf(';', i + 1);
        if (semi < 0) this.fail("'&' without ';' (write &amp;)", rawStart + i);
        const ent = raw.slice(i + 1, semi);
        let rep: string | undefined;
        if (ent.startsWith('#x')) {
          const n = /^[0-9a-fA-F]+$/.test(ent.slice(2)) ? parseInt(ent.slice(2), 16) : NaN;
          rep = Number.isFinite(n) && n > 0 && n <= 0x10ffff ? String.fromCodePoint(n) : undefined;
        } else if (ent.startsWith('#')) {
          const n = /^[0-9]+$/.test(ent.slice(1)) ? parseInt(ent.slice(1), 10) : NaN;
          rep = Number.isFinite(n) && n > 0 && n <= 0x10ffff ? String.fromCodePoint(n) : undefined;
        } else rep = PREDEFINED[ent];
        if (rep === undefined) this.fail(`unknown entity &${ent};`, rawStart + i);
        out += rep;
        i = semi + 1;
      } else if (attribute && c === '<') {
        this.fail("'<' in an attribute value", rawStart + i);
      } else if (attribute && (c === '\t' || c === '\n')) {
        out += ' ';
        i++;
      } else if (c === '\r') {
        // XML end-of-line handling: \r\n and lone \r become \n (a space in attributes).
        out += attribute ? ' ' : '\n';
        i += raw[i + 1] === '\n' ? 2 : 1;
      } else {
        out += c;
        i++;
      }
    }
    return out;
  }

  private element(): MutableElement {
    const start = this.pos;
    this.pos++; // <
    const name = this.name();
    const el: MutableElement = { name, attrs: new Map(), children: [], text: '', line: this.where(start).line };
    for (;;) {
      const hadSpace = isSpace(this.src[this.pos]);
      this.skipSpace();
      if (this.startsWith('/>')) {
        this.pos += 2;
        return el;
      }
      if (this.src[this.pos] === '>') {
        this.pos++;
        break;
      }
      if (this.pos >= this.src.length) this.fail(`unclosed tag <${name}>`, start);
      if (!hadSpace) this.fail('expected whitespace between attributes');
      const attrPos = this.pos;
      const an = this.name();
      this.skipSpace();
      if (this.src[this.pos] !== '=') this.fail(`attribute ${an} without a value`);
      this.pos++;
      this.skipSpace();
      const q = this.src[this.pos];
      if (q !== '"' && q !== "'") this.fail(`attribute ${an}: value must be quoted`);
      const vEnd = this.src.indexOf(q, this.pos + 1);
      if (vEnd < 0) this.fail(`attribute ${an}: unterminated value`, attrPos);
      const raw = this.src.slice(this.pos + 1, vEnd);
      if (el.attrs.has(an)) this.fail(`duplicate attribute ${an}`, attrPos);
      el.attrs.set(an, this.decode(raw, this.pos + 1, true));
      this.pos = vEnd + 1;
    }
    // content
    for (;;) {
      if (this.pos >= this.src.length) this.fail(`unclosed element <${name}>`, start);
      if (this.startsWith('</')) {
        const closePos = this.pos;
        this.pos += 2;
        const cn = this.name();
        if (cn !== name) this.fail(`closing tag </${cn}> does not match <${name}> opened on line ${el.line}`, closePos);
        this.skipSpace();
        if (this.src[this.pos] !== '>') this.fail(`expected '>' to close </${cn}>`);
        this.pos++;
        return el;
      }
      if (this.startsWith('<!--')) this.comment();
      else if (this.startsWith('<![CDATA[')) {
        const cStart = this.pos;
        const end = this.src.indexOf(']]>', this.pos + 9);
        if (end < 0) this.fail('unclosed <![CDATA[', cStart);
        el.text += this.src.slice(this.pos + 9, end);
        this.pos = end + 3;
      } else if (this.startsWith('<?')) this.pi();
      else if (this.startsWith('<!')) this.fail('unexpected <!');
      else if (this.src[this.pos] === '<') el.children.push(this.element());
      else {
        const tStart = this.pos;
        let end = this.src.indexOf('<', this.pos);
        if (end < 0) end = this.src.length;
        const raw = this.src.slice(tStart, end);
        const bad = raw.indexOf(']]>');
        if (bad >= 0) this.fail("']]>' in text", tStart + bad);
        el.text += this.decode(raw, tStart, false);
        this.pos = end;
      }
    }
  }
}

/** Parse a document with exactly one root element. Throws XmlSyntaxError. */
export function parseXml(text: string): XmlElement {
  const roots = new Parser(text).document(false);
  const root = roots[0];
  if (!root) throw new XmlSyntaxError('no root element', 1, 1);
  return root;
}

/** Parse a sequence of top-level elements (comments, PIs and whitespace allowed between them). */
export function parseXmlFragment(text: string): XmlElement[] {
  return new Parser(text).document(true);
}

export function childrenNamed(el: XmlElement, name: string): XmlElement[] {
  return el.children.filter((c) => c.name === name);
}
