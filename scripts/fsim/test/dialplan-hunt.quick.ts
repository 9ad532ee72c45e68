// Hunting with mod_dialplan_xml's semantics: the project's public/agents contexts, the capture
// dialplan, and fixtures/dialplan/semantics.xml (one context per behaviour).
import t from 'tap';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadDialplan } from '../src/dialplan/index.ts';
import type { HuntResult } from '../src/dialplan/index.ts';
import type { RoutingInput } from '../src/types.ts';

const repo = fileURLToPath(new URL('../../../', import.meta.url));
const fixtures = fileURLToPath(new URL('./fixtures/dialplan/', import.meta.url));

function input(context: string, destinationNumber: string, fields: Record<string, string> = {}, variables: Record<string, string> = {}): RoutingInput {
  return { context, destinationNumber, fields, variables };
}
const apps = (r: HuntResult | undefined): string[] => (r ? r.actions.map((a) => `${a.application}${a.data ? ` ${a.data}` : ''}${a.inline ? ' [inline]' : ''}`) : []);

t.test('project dialplan: each line DID is tagged and handed to the service by socket', async (t) => {
  const dp = loadDialplan({ dir: join(repo, 'dialplan'), vars: { hotline_service_socket_addr: '10.1.2.3:9084' } });
  const carrier = { caller_id_number: '13800138000', network_addr: '192.0.2.10' };
  const lines: Array<[string, string, string]> = [
    ['12345', 'main', 'line_main'],
    ['123457', 'enterprise', 'line_enterprise'],
  ];
  for (const [did, line, ext] of lines) {
    const r = dp.hunt(input('public', did, carrier));
    t.equal(r?.extension, ext, `${did}: extension`);
    const a = apps(r);
    // Exported during routing: tested by the next extensions, copied to the agent leg.
    t.equal(a[0], `export hotline_line=${line} [inline]`, `${did}: line tagged and exported during routing`);
    t.ok(a.includes('export hotline_did=${destination_number} [inline]'), `${did}: the DID too`);
    const socketAt = a.indexOf('socket 10.1.2.3:9084 async full');
    t.ok(socketAt > 0, `${did}: socket to the configured address, async full`);
    // A caller that sends no X-110-* header costs no application to drop them.
    t.notOk(a.some((s) => s.startsWith('unset ')), `${did}: no header to drop, no unset`);
    // The fallback follows the socket: it runs when the connect fails or the socket closes mid-call.
    t.same(a.slice(socketAt + 1).map((s) => s.split(' ')[0]), ['set', 'set', 'answer', 'sleep', 'playback', 'set', 'set', 'bridge', 'hangup'], `${did}: fallback after socket`);
    t.ok(a.includes('set hotline_fallback_number=4000012345'), `${did}: the fallback names the overflow number`);
    t.equal(a.at(-2), 'bridge sofia/gateway/gw_carrier/4000012345');
    t.equal(a.at(-1), 'hangup NORMAL_TEMPORARY_FAILURE');
    t.notOk(a.some((s) => s.includes('hotline_110')), `${did}: no 110 case data`);
    // X-110-* headers from the carrier: dropped before anything can bridge the call on.
    const forged = apps(dp.hunt(input('public', did, carrier, { 'sip_h_X-110-Case-Id': 'FORGED' })));
    const at = forged.indexOf('socket 10.1.2.3:9084 async full');
    t.ok(at > 0 && forged.slice(0, at).includes('unset sip_h_X-110-Case-Id') && forged.slice(0, at).includes('unset sip_h_X-110-Dispatcher'), `${did}: a caller's X-110 headers dropped before the socket`);
    t.notOk(forged.some((s) => s.includes('hotline_110')), `${did}: and never read`);
  }
  // Intake by the dialplan (the service sets the global): the welcome, the event, the wait; no socket.
  dp.setGlobal('hotline_intake', 'dialplan');
  const byDialplan = dp.hunt(input('public', '12345', carrier));
  t.same(apps(byDialplan).filter((s) => !s.endsWith('[inline]')), ['answer', 'playback ${hotline_welcome}', 'event Event-Name=CUSTOM,Event-Subclass=hotline::intake', 'transfer hotline_wait XML hotline_queue'], 'hotline_intake=dialplan: four applications, no socket');
  t.ok(apps(byDialplan).includes('set hotline_welcome=hotline/welcome-12345.wav [inline]'), "the line's welcome from vars.xml");
  dp.setGlobal('hotline_intake', 'socket');
  t.equal(dp.hunt(input('public', '10086', carrier)), undefined, 'an unknown DID gets no route');
  t.equal(dp.hunt(input('public', '123456', carrier)), undefined, 'DIDs are anchored');
  // Without an override the socket address comes from vars.xml.
  const plain = loadDialplan({ dir: join(repo, 'dialplan') });
  t.ok(apps(plain.hunt(input('public', '12345', carrier))).includes('socket 127.0.0.1:8084 async full'));
  t.equal(plain.globals.get('esl_listen_port'), '8021');
});

t.test('project dialplan: calls from 110 carry the X-110-* headers into variables', async (t) => {
  const dp = loadDialplan({ dir: join(repo, 'dialplan') });
  const vars = { 'sip_h_X-110-Case-Id': 'C20261122-0001', 'sip_h_X-110-Summary': 'noise%20complaint' };
  const r = dp.hunt(input('public', '12345110', { network_addr: '192.0.2.110', caller_id_number: '110' }, vars));
  t.equal(r?.extension, 'line_from110');
  const a = apps(r);
  t.equal(a[0], 'export hotline_line=from110 [inline]');
  t.ok(a.includes('export hotline_110_case_id=${sip_h_X-110-Case-Id} [inline]'));
  t.ok(a.includes('set hotline_110_summary=${sip_h_X-110-Summary} [inline]'));
  const socketAt = a.indexOf('socket 127.0.0.1:8084 async full');
  t.ok(socketAt > 0 && a.slice(0, socketAt).includes('unset sip_h_X-110-Summary'), 'read into hotline_110_*, then the headers dropped before the socket');
  // What the channel holds after the inline actions, expanded the way execution does it.
  const after: Record<string, string> = { ...vars };
  for (const act of r?.actions.filter((x) => x.inline) ?? []) {
    const [name, ...rest] = dp.expand(act.data, after).split('=');
    if (name) after[name] = rest.join('=');
  }
  t.equal(after.hotline_110_case_id, 'C20261122-0001');
  t.equal(after.hotline_110_summary, 'noise%20complaint', 'raw, as the header arrived');
  t.equal(after.hotline_110_category, '', 'absent header -> empty');
  // The 110 DID from anywhere but the 110 gateway is refused, X-110 headers or not.
  const spoof = dp.hunt(input('public', '12345110', { network_addr: '203.0.113.9' }, vars));
  t.equal(apps(spoof)[0], 'hangup CALL_REJECTED', 'refused first (the header drop that follows never runs)');
  t.notOk(apps(spoof).some((s) => s.startsWith('socket') || s.includes('hotline_110')), 'never reaches the service, nothing read');
});

t.test('project dialplan: agents call each other by extension, nothing else', async (t) => {
  const dp = loadDialplan({ dir: join(repo, 'dialplan') });
  const r = dp.hunt(input('agents', '1001'));
  t.equal(r?.extension, 'agent_to_agent');
  t.ok(apps(r).includes('bridge user/1001@hotline.local'));
  t.notOk(apps(r).some((s) => s.includes('voicemail')));
  t.same(apps(dp.hunt(input('agents', '9196'))), ['answer', 'echo']);
  t.same(apps(dp.hunt(input('agents', '013800138000'))), ['hangup UNALLOCATED_NUMBER']);
});

t.test('capture dialplan: the application data of the reference captures', async (t) => {
  const dp = loadDialplan({ files: [join(fixtures, 'capture-default.xml')] });
  const expect: Record<string, string[]> = {
    '9000': ['answer', 'playback tone_stream://%(1000,0,440);loops=2', 'hangup NORMAL_CLEARING'],
    '9001': ['answer', 'park'],
    '9002': ['socket 127.0.0.1:8084 async full'],
    '9003': ['answer', 'playback tone_stream://%(500,500,440);loops=60'],
    '9010': ['set hangup_after_bridge=true', 'bridge sofia/internal/agent@127.0.0.1:5070'],
    '9012': ['answer', 'playback tone_stream://%(1000,0,440)', 'set hangup_after_bridge=true', 'bridge sofia/internal/agent@127.0.0.1:5074'],
    '3000': ['conference 3000@default'],
    '3042': ['conference 3042@default'],
    '1000': ['bridge user/1000'],
    '1019': ['bridge user/1019'],
  };
  for (const [dest, want] of Object.entries(expect)) t.same(apps(dp.hunt(input('default', dest))), want, dest);
  t.equal(dp.hunt(input('default', '1020')), undefined, 'outside 1000-1019: no route');
  t.equal(dp.hunt(input('default', '90000')), undefined);
  t.equal(dp.hunt(input('public', '9000')), undefined, 'unknown context, no global context');
  t.same(dp.contexts(), ['default']);
});

const sem = (): ReturnType<typeof loadDialplan> => loadDialplan({ files: [join(fixtures, 'semantics.xml')], now: () => Date.UTC(2026, 10, 18, 2, 0, 0), utcOffsetMinutes: 480 });

t.test('regex captures are substituted at hunt time, ${var} is left for execution', async (t) => {
  const dp = sem();
  const r = dp.hunt(input('captures', '7123', {}, { x: 'not yet' }));
  t.same(apps(r), ['log a=1 b=2 c=3 none= all=7123 var=${x} dollar=$ end']);
  t.equal(r?.variables.DP_MATCH, 'ARRAY::7123|:1|:2|:3');
  t.same(apps(dp.hunt(input('captures', '812'))), ['log kept $1'], 'no group in the expression: data untouched');
});

t.test('anti-actions run when a condition is false, and count as a match', async (t) => {
  const dp = sem();
  t.same(apps(dp.hunt(input('anti', '1', { caller_id_number: '13800138000' }))), ['set mobile=true']);
  const r = dp.hunt(input('anti', '1', { caller_id_number: 'anonymous' }));
  t.equal(r?.extension, 'guard');
  t.same(apps(r), ['set mobile=false'], 'hunting stops after the anti-action: no "after"');
});

t.test('continue="true" goes on hunting after a matching extension', async (t) => {
  const dp = sem();
  const five = dp.hunt(input('continue', '5000'));
  t.equal(five?.extension, 'tag', 'the first extension that added an action names the result');
  t.same(apps(five), ['set tagged=5000', 'log five']);
  t.same(apps(dp.hunt(input('continue', '6000'))), ['set tagged=6000', 'log last']);
  const r = dp.hunt(input('continue', 'abc'));
  t.equal(r?.extension, 'last');
  t.same(apps(r), ['log last'], 'a condition without field is always true');
});

t.test('break="never" / "on-true" / "always" / default on-false', async (t) => {
  const dp = sem();
  t.same(apps(dp.hunt(input('break_never', '21', { caller_id_number: '100', caller_id_name: 'Bob' }))), ['log dest-2x', 'log cid-100', 'log name-bob']);
  t.same(apps(dp.hunt(input('break_never', '99', { caller_id_number: '100', caller_id_name: 'Bob' }))), ['log cid-100', 'log name-bob'], 'never: a false condition does not stop the extension');
  const r = dp.hunt(input('break_never', '21', { caller_id_number: '200', caller_id_name: 'Alice' }));
  t.same(apps(r), ['log dest-2x', 'log cid-not-100', 'log rest'], 'on-false (default) stops the extension, unmatched: hunting goes on');
  t.equal(r?.extension, 'never');
  t.same(apps(dp.hunt(input('break_on_true', '31'))), ['log dest-3x'], 'on-true: stop after a true condition');
  t.same(apps(dp.hunt(input('break_on_true', '41'))), ['log second'], 'on-true: a false condition goes on');
  t.equal(dp.hunt(input('break_on_true', '51')), undefined);
  t.same(apps(dp.hunt(input('break_always', '1'))), ['log first'], 'always: stop after a true condition');
  t.same(apps(dp.hunt(input('break_always', 'x'))), ['log fallback'], 'always: stop after a false one too');
});

t.test('regex="all|any|xor" with nested <regex> elements', async (t) => {
  const dp = sem();
  const all = dp.hunt(input('regex_all', '8001', { caller_id_number: '13800138000' }));
  t.same(apps(all), ['log all 138'], 'all: captures of the last regex with a group');
  t.equal(all?.variables.DP_REGEX_MATCH_1, 'ARRAY::8001|:001');
  t.equal(all?.variables.DP_REGEX_MATCH_2, 'ARRAY::13800138000|:138');
  t.same(apps(dp.hunt(input('regex_all', '8001', { caller_id_number: '020' }))), ['log not all']);
  t.same(apps(dp.hunt(input('regex_any', '911'))), ['log any $1'], 'any: stops at the first match; it has no group');
  t.same(apps(dp.hunt(input('regex_any', '1', { caller_id_number: '110' }))), ['log any 110']);
  t.equal(dp.hunt(input('regex_any', '1', { caller_id_number: '120' })), undefined);
  t.same(apps(dp.hunt(input('regex_xor', '100', { caller_id_number: '200' }))), ['log exactly one']);
  t.same(apps(dp.hunt(input('regex_xor', '100', { caller_id_number: '100' }))), ['log zero or two']);
  t.same(apps(dp.hunt(input('regex_xor', '200', { caller_id_number: '200' }))), ['log zero or two']);
});

t.test('nested conditions run after their parent; a false one ends the extension unmatched', async (t) => {
  const dp = sem();
  t.same(apps(dp.hunt(input('nested', '500', { caller_id_number: 'vip' }))), ['log outer 500', 'log inner vip']);
  t.same(apps(dp.hunt(input('nested', '501', { caller_id_number: 'x' }))), ['log outer 501', 'log after']);
});

t.test('inline actions run while hunting; later conditions see what they set', async (t) => {
  const dp = sem();
  const r = dp.hunt(input('inline', '4000'));
  t.equal(r?.extension, 'setter');
  t.same(apps(r), ['set dialed=4000 [inline]', 'set not_inline=yes', 'log dialed starts with 4', 'log not_inline unset while hunting']);
  t.same(apps(dp.hunt(input('inline', '5000'))), ['set dialed=5000 [inline]', 'set not_inline=yes']);
});

t.test('time-of-day conditions use the injected clock', async (t) => {
  const at = (iso: string): string[] => apps(loadDialplan({ files: [join(fixtures, 'semantics.xml')], now: () => Date.parse(iso), utcOffsetMinutes: 480 }).hunt(input('time', '1')));
  t.same(at('2026-11-18T10:00:00+08:00'), ['set office=open'], 'Wednesday 10:00');
  t.same(at('2026-11-18T08:29:59+08:00'), ['set office=closed'], 'Wednesday before opening');
  t.same(at('2026-11-18T17:30:00+08:00'), ['set office=open'], 'the end is inclusive');
  t.same(at('2026-11-18T20:00:00+08:00'), ['set office=closed'], 'Wednesday evening');
  t.same(at('2026-11-21T10:00:00+08:00'), ['set office=closed'], 'Saturday');
  const dp = sem();
  t.same(apps(dp.hunt(input('time', '1', {}, { tod_tz_offset: '0' }))), ['set office=closed'], 'tod_tz_offset (hours) on the channel wins: 02:00 UTC');
});

t.test('loop, <expression>, text data, ${var} fields, /re/i, expanded expressions, global context', async (t) => {
  const dp = sem();
  t.same(apps(dp.hunt(input('misc', 'loop'))), ['log again', 'log again', 'log again']);
  t.same(apps(dp.hunt(input('misc', '<42>'))), ['log text 42']);
  t.same(apps(dp.hunt(input('misc', 'x', {}, { 'sip_h_X-Tag': 'gold' }))), ['log gold']);
  t.equal(dp.hunt(input('misc', 'x', { caller_id_number: '1' }, { hotline_line: 'main' })), undefined, 'field="name" reads the caller profile only');
  t.same(apps(dp.hunt(input('misc', 'x', { caller_id_name: 'ALICE' }))), ['log alice any case']);
  t.same(apps(dp.hunt(input('misc', 'x', { caller_id_number: '555' }, { vip_number: '555' }))), ['log vip by variable']);
  const g = dp.hunt(input('nowhere', '12'));
  t.equal(g?.extension, 'global_catch', 'an unknown context falls back to context "global"');
  t.same(apps(g), ['log global 12 from ${context}']);
  const auto = dp.hunt(input('continue', 'last', {}, { auto_hunt: 'true' }));
  t.equal(auto?.extension, 'last', 'auto_hunt starts at the extension named like the destination');
});
