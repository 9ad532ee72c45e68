// Every XML file of the project's FreeSWITCH conf (dialplan/) and of the dialplan fixtures is
// well-formed; malformed XML is reported with its file and line.
import t from 'tap';
import { readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { checkWellFormed, DialplanError, loadDialplan, parseXml, XmlSyntaxError } from '../src/dialplan/index.ts';

const repo = fileURLToPath(new URL('../../../', import.meta.url));
const confDir = join(repo, 'dialplan');
const fixturesDir = fileURLToPath(new URL('./fixtures/dialplan/', import.meta.url));

function xmlFiles(dir: string): string[] {
  const out: string[] = [];
  for (const e of readdirSync(dir).sort()) {
    const p = join(dir, e);
    if (statSync(p).isDirectory()) out.push(...xmlFiles(p));
    else if (e.endsWith('.xml')) out.push(p);
  }
  return out;
}

t.test('every XML file under dialplan/ and the dialplan fixtures is well-formed', async (t) => {
  const files = [...xmlFiles(confDir), ...xmlFiles(fixturesDir)];
  t.ok(files.length >= 20, `found ${files.length} files`);
  for (const f of files) t.doesNotThrow(() => checkWellFormed(f), relative(repo, f));
});

t.test('freeswitch.xml reaches every file of the conf dir through its includes', async (t) => {
  const dp = loadDialplan({ dir: confDir });
  t.same([...dp.files].sort(), xmlFiles(confDir).sort());
  t.same(dp.warnings, []);
  t.same(dp.contexts(), ['agents', 'hotline_peer', 'public', 'hotline_queue']);
});

t.test('a malformed file is reported with its file and line', async (t) => {
  const dir = t.testdir({
    'bad.xml': '<include>\n  <context name="x">\n    <extension name="e">\n  </context>\n</include>\n',
    'badattr.xml': '<include>\n\n  <action application="set" data="a=1" data="b"/>\n</include>\n',
    'amp.xml': '<include>\n  <x a="fish & chips"/>\n</include>\n',
    'main.xml': '<include>\n  <X-PRE-PROCESS cmd="include" data="inner/*.xml"/>\n</include>\n',
    inner: { 'broken.xml': '<include>\n  <context name="y">\n    <extension name="z"\n</include>\n' },
  });
  const cases: Array<[string, number, RegExp]> = [
    ['bad.xml', 4, /<\/context> does not match <extension>/],
    ['badattr.xml', 3, /duplicate attribute data/],
    ['amp.xml', 2, /'&' without ';'/],
  ];
  for (const [name, line, re] of cases) {
    const file = join(dir, name);
    const err = t.throws(() => checkWellFormed(file)) as unknown;
    t.ok(err instanceof DialplanError, `${name}: DialplanError`);
    if (err instanceof DialplanError) {
      t.equal(err.file, file, `${name}: names the file`);
      t.equal(err.line, line, `${name}: names the line`);
      t.match(err.message, re);
      t.match(err.message, `${file}:${line}`);
    }
  }
  // A broken file reached through an include is named itself, not the including file.
  const err = t.throws(() => loadDialplan({ files: [join(dir, 'main.xml')] })) as unknown;
  t.ok(err instanceof DialplanError);
  if (err instanceof DialplanError) {
    t.equal(err.file, join(dir, 'inner', 'broken.xml'));
    t.equal(err.line, 4, 'the line where the unclosed tag is noticed');
  }
});

t.test('the parser keeps document order, decodes entities and CDATA, refuses non-XML', async (t) => {
  const root = parseXml('<a x="1 &amp; 2&#33;" y=\'&lt;q&gt;\'><b/><!-- c --><c>t&quot;<![CDATA[<raw>]]></c><b n="2"/></a>');
  t.same(root.children.map((c) => c.name), ['b', 'c', 'b']);
  t.equal(root.attrs.get('x'), '1 & 2!');
  t.equal(root.attrs.get('y'), '<q>');
  t.equal(root.children[1]?.text, 't"<raw>');
  t.same([...root.attrs.keys()], ['x', 'y']);
  t.equal(parseXml('<a\n b="1\n2"/>').attrs.get('b'), '1 2', 'attribute whitespace normalised');
  for (const bad of ['<a>', '<a></b>', '<a b=1/>', '<a/><b/>', 'text<a/>', '<a><!-- x -- y --></a>', '<a>&nbsp;</a>', '<!DOCTYPE a><a/>']) {
    t.throws(() => parseXml(bad), XmlSyntaxError, bad);
  }
  const e = t.throws(() => parseXml('<a>\n<b>\n</a>')) as unknown;
  t.ok(e instanceof XmlSyntaxError && e.line === 3 && e.column === 1, 'line and column of the error');
});
