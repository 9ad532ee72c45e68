// FreeSWITCH's line preprocessor: X-PRE-PROCESS set/include, $${var}, dropped lines, overrides.
import t from 'tap';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DialplanError, expandPreprocessVars, loadDialplan, preprocess } from '../src/dialplan/index.ts';
import type { HuntResult } from '../src/dialplan/index.ts';

const dir = fileURLToPath(new URL('./fixtures/dialplan/preprocess/', import.meta.url));
const apps = (r: HuntResult | undefined): string[] => (r ? r.actions.map((a) => `${a.application} ${a.data}`) : []);
const call = (context: string, destinationNumber: string) => ({ context, destinationNumber, fields: {}, variables: {} });

t.test('set defines $${name}; include splices files relative to the including file, sorted', async (t) => {
  const dp = loadDialplan({ files: [join(dir, 'main.xml')], builtins: {} });
  t.same(dp.files.map((f) => f.slice(dir.length)), ['main.xml', 'vars.xml', 'sub/a.xml', 'parts/p1.xml', 'sub/b.xml']);
  t.same(dp.contexts(), ['pre', 'second'], 'contexts of <section name="dialplan">');
  t.equal(dp.globals.get('did'), '12345', 'spaces around = are trimmed');
  t.equal(dp.globals.get('greeting'), 'hello 12345', '$${var} inside a set value');
  t.equal(dp.globals.get('commented'), 'still set', 'a preprocessor line inside a comment still runs, as in FreeSWITCH');
  t.same(apps(dp.hunt(call('pre', '12345'))), ['log hello 12345 / still set / []', 'socket 127.0.0.1:8084 async full']);
  t.same(apps(dp.hunt(call('pre', 'part'))), ['log included relative to sub/a.xml']);
  t.same(apps(dp.hunt(call('second', 'b'))), ['log from b']);
});

t.test('vars passed by the caller win over set in the files', async (t) => {
  const dp = loadDialplan({ files: [join(dir, 'main.xml')], vars: { svc: '10.9.8.7:1234', did: '999' } });
  t.same(apps(dp.hunt(call('pre', '999'))), ['log hello 999 / still set / []', 'socket 10.9.8.7:1234 async full']);
  t.equal(dp.hunt(call('pre', '12345')), undefined);
});

t.test('lines with <include>, </include> or <?...?> are dropped; $${x} of an unset name is empty', async (t) => {
  const d = t.testdir({
    'a.xml': '<?xml version="1.0"?>\n<include>\n  <context name="c"><!-- $${nope} --></context>\n</include>\n',
  });
  const out = preprocess([join(d, 'a.xml')], { globals: new Map(), overrides: new Set() });
  t.equal(out.text, '  <context name="c"><!--  --></context>\n');
  t.same(out.lines, [{ file: join(d, 'a.xml'), line: 3 }], 'each output line keeps its source line');
  t.equal(expandPreprocessVars('a$${x}b$${y}c$${z', new Map([['x', '1'], ['y', '2']])), 'a1b2c$${z');
});

t.test('errors name the file and line', async (t) => {
  const d = t.testdir({
    'missing.xml': '<include>\n  <X-PRE-PROCESS cmd="include" data="nothere.xml"/>\n</include>\n',
    'wild.xml': '<include>\n  <X-PRE-PROCESS cmd="include" data="none/*.xml"/>\n  <context name="w"/>\n</include>\n',
    'exec.xml': '<include>\n\n  <X-PRE-PROCESS cmd="exec-set" data="x=hostname"/>\n</include>\n',
    'noapp.xml': '<include>\n  <context name="n">\n    <extension name="e">\n      <condition>\n        <action data="x"/>\n      </condition>\n    </extension>\n  </context>\n</include>\n',
  });
  const check = (file: string, line: number, re: RegExp): void => {
    const e = t.throws(() => loadDialplan({ files: [join(d, file)] })) as unknown;
    t.ok(e instanceof DialplanError, file);
    if (e instanceof DialplanError) {
      t.equal(e.file, join(d, file), `${file}: file`);
      t.equal(e.line, line, `${file}: line`);
      t.match(e.message, re);
    }
  };
  check('missing.xml', 2, /no such file nothere\.xml/);
  check('exec.xml', 3, /exec-set.*not supported/);
  check('noapp.xml', 5, /<action> without an application/);
  t.same(loadDialplan({ files: [join(d, 'wild.xml')] }).contexts(), ['w'], 'a wildcard that matches nothing is no error (as in FreeSWITCH)');
});

t.test('dir without freeswitch.xml: vars.xml then dialplan/*.xml', async (t) => {
  const d = t.testdir({
    'vars.xml': '<include>\n  <X-PRE-PROCESS cmd="set" data="n=42"/>\n</include>\n',
    dialplan: {
      'b.xml': '<include>\n  <context name="b"/>\n</include>\n',
      'a.xml': '<include>\n  <context name="a">\n    <extension name="x">\n      <condition field="destination_number" expression="^$${n}$">\n        <action application="park"/>\n      </condition>\n    </extension>\n  </context>\n</include>\n',
    },
  });
  const dp = loadDialplan({ dir: d });
  t.same(dp.contexts(), ['a', 'b'], 'files in sorted order');
  t.same(apps(dp.hunt(call('a', '42'))), ['park ']);
});
