// ${var} expansion (switch_channel_expand_variables), $N substitution and regex translation.
import t from 'tap';
import { compileFsRegex, expandVariables, substituteCaptures, switchTrue } from '../src/dialplan/index.ts';

const vars: Record<string, string> = { a: 'alpha', n: '0123456789', inner: 'a', arr: 'ARRAY::x|:y|:z', empty: '' };
const lookup = (k: string): string | undefined => vars[k];
const global = (k: string): string | undefined => ({ g: 'G', a: 'global-a', ref: '${a}!' })[k];

t.test('${var} forms of FreeSWITCH 1.10', async (t) => {
  const x = (s: string): string => expandVariables(s, lookup, { global });
  t.equal(x('plain text'), 'plain text');
  t.equal(x('${a}-${a}'), 'alpha-alpha');
  t.equal(x('[${missing}]'), '[]', 'unset -> empty');
  t.equal(x('${g}'), 'G', 'falls back to a global variable');
  t.equal(x('$${a}'), 'global-a', '$${x} reads the global only');
  t.equal(x('${ref}'), 'alpha!', 'a global value is expanded in turn');
  t.equal(x('${n:3}'), '3456789');
  t.equal(x('${n:2:3}'), '234');
  t.equal(x('${n:-3}'), '789');
  t.equal(x('${n:-3:2}'), '78');
  t.equal(x('${${inner}}'), 'alpha', 'nested names');
  t.equal(x('${arr[1]}'), 'y');
  t.equal(x('cost $5 and $a'), 'cost $5 and $a', '$ without { is literal');
  t.equal(x('\\${a}'), '${a}', '\\$ escapes');
  t.equal(x('${a'), 'alpha', 'unterminated: to the end, as FreeSWITCH');
  t.equal(x('${a}${a}'), 'alphaalpha');
  t.equal(x('${empty}|'), '|');
  t.equal(x('${cond(1 == 1 ? yes : no)}'), '', 'API calls are empty without an api hook');
  const api = (cmd: string, args: string): string | undefined => (cmd === 'upper' ? args.toUpperCase() : undefined);
  t.equal(expandVariables('${upper(${a})}|${upper x}|${nope(1)}', lookup, { api }), 'ALPHA|X|');
});

t.test('$N substitution as switch_perform_substitution', async (t) => {
  const m = /^(\d)(\d)?(x)?$/.exec('12');
  t.equal(substituteCaptures('$1-${2}-[$3]-$0-${x}-$-$$1', m), '1-2-[]-12-${x}-$-$1');
  t.equal(substituteCaptures('user/$10', /^(1)$/.exec('1')), 'user/', '$10 is group 10');
  t.equal(substituteCaptures('keep', null), 'keep');
});

t.test('PCRE spellings and FreeSWITCH regex forms', async (t) => {
  t.ok(compileFsRegex('/^abc$/i')?.test('ABC'));
  t.ok(compileFsRegex('(?i)^abc$')?.test('AbC'));
  t.equal(compileFsRegex('(?P<d>\\d+)')?.exec('x42')?.groups?.d, '42');
  t.ok(compileFsRegex('_1XXX')?.test('1234'));
  t.notOk(compileFsRegex('_1XXX')?.test('12345'));
  t.equal(compileFsRegex('(unclosed'), undefined);
  t.ok(switchTrue('yes') && switchTrue('TRUE') && switchTrue('1') && !switchTrue('0') && !switchTrue('false') && !switchTrue(undefined));
});
