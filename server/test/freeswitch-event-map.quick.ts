// The event mapping is checked against real FreeSWITCH captures, not hand-written events.
import t from 'tap';
import { loadCapture } from '../../scripts/fsim/test/helpers/capture.ts';
import { toSwitchEvent } from '../src/freeswitch/event-map.ts';
import { CallRegistry } from '../src/calls/registry.ts';
import type { CallRecord } from '../src/calls/call-record.ts';

const mapAll = (name: string) =>
  loadCapture(name)
    .events.map((e) => toSwitchEvent('fs1', { get: e.get, headers: () => e.headers }))
    .filter((e) => e !== undefined);

t.test('one call to 9000 (json and plain) maps to the same domain events', async (t) => {
  for (const cap of ['03_event_json_ALL_call_9000', '02_event_plain_ALL_call_9000']) {
    const evs = mapAll(cap);
    const types = evs.map((e) => e.type);
    // PLAYBACK_*, CHANNEL_DESTROY (and PROGRESS, UNBRIDGE) are not subscribed: nothing reads them.
    t.same(types.filter((x) => x !== 'execute-complete'), ['channel-create', 'channel-answer', 'channel-hangup', 'channel-hangup-complete'], cap);
    const create = evs[0];
    t.equal(create?.type, 'channel-create');
    if (create?.type === 'channel-create') {
      t.equal(create.direction, 'inbound');
      t.equal(create.destination, '9000');
      t.equal(create.callerNumber, 'sipp');
      t.ok(create.tsUs > 1.7e15, 'timestamps are microseconds');
    }
    const seqs = evs.map((e) => e.seq);
    t.same(seqs, [...seqs].sort((a, b) => a - b), 'Event-Sequence increases');
  }
});

t.test('raw X-110 headers on CHANNEL_CREATE are never read: only the dialplan vets case data (defect 1)', async (t) => {
  const evs = mapAll('21_sip_x_headers_inbound');
  const create = evs.find((e) => e.type === 'channel-create');
  t.same(create?.type === 'channel-create' && Object.keys(create.vars).filter((k) => k.startsWith('sip_h_')), [], 'no sip_h_* variable kept');
  const done: CallRecord[] = [];
  const reg = new CallRegistry({ onCompleted: (c) => void done.push(c as CallRecord) });
  for (const e of evs) reg.apply(e);
  t.equal(done.length, 1, 'the call completed from real events');
  t.equal(done[0]?.case110, undefined, 'no case data from headers the dialplan did not vet');
  t.equal(done[0]?.line, 'unknown', 'no line before the dialplan hands the call over');
  const json = toSwitchEvent('fs1', {
    get: (n) => ({ 'Event-Name': 'CHANNEL_CREATE', 'Unique-ID': 'u', 'Event-Sequence': '1', 'Event-Date-Timestamp': '1', 'Call-Direction': 'inbound' })[n],
    headers: () => [['variable_sip_h_X-110-Summary', '%E5%99%AA'], ['variable_hotline_call_id', 'c1'], ['variable_other', 'x']],
  });
  t.same(json?.type === 'channel-create' && json.vars, { hotline_call_id: 'c1' }, 'only hotline_ variables kept');
});

t.test('CHANNEL_HANGUP_COMPLETE of an inbound leg tells what the dialplan did (fallback, bridge)', async (t) => {
  const hdr: Record<string, string> = {
    'Event-Name': 'CHANNEL_HANGUP_COMPLETE', 'Unique-ID': 'u', 'Event-Sequence': '9', 'Event-Date-Timestamp': '1796581090000000', 'Call-Direction': 'inbound',
    'Hangup-Cause': 'NORMAL_CLEARING', variable_hotline_line: 'enterprise', variable_hotline_fallback: 'service_unreachable', variable_hotline_fallback_number: '4000012345',
    variable_answer_uepoch: '1796581088877906', variable_bridge_uepoch: '1796581089000000', variable_last_bridge_to: '78b0f7b8-0000-4000-8000-000000000001', variable_originate_disposition: 'SUCCESS',
  };
  const ev = toSwitchEvent('fs1', { get: (n) => hdr[n], headers: () => Object.entries(hdr) });
  t.same(ev?.type === 'channel-hangup-complete' && ev.facts, {
    line: 'enterprise', fallback: 'service_unreachable', fallbackNumber: '4000012345', answeredUs: 1796581088877906, bridgedUs: 1796581089000000, bridgedTo: '78b0f7b8-0000-4000-8000-000000000001', disposition: 'SUCCESS',
  });
  const never = toSwitchEvent('fs1', { get: (n) => ({ ...hdr, variable_bridge_uepoch: '0', variable_last_bridge_to: undefined })[n], headers: () => [] });
  t.equal(never?.type === 'channel-hangup-complete' && never.facts?.bridgedUs, undefined, 'bridge_uepoch 0: never bridged');
});

t.test('bridge, hold and conference events from real captures', async (t) => {
  const bridge = mapAll('18_hold_unhold');
  t.ok(bridge.some((e) => e.type === 'channel-bridge' && e.otherLeg !== e.uuid), 'bridge names the other leg');
  t.ok(bridge.some((e) => e.type === 'channel-hold'));
  t.ok(bridge.some((e) => e.type === 'channel-unhold'));
  const conf = mapAll('10_conference_3party').filter((e) => e.type === 'conference');
  t.ok(conf.length >= 3, 'conference::maintenance events');
  t.ok(conf.some((e) => e.type === 'conference' && e.action === 'add-member'));
  const rec = mapAll('20_record');
  t.ok(rec.some((e) => e.type === 'record-start' && e.path.endsWith('x1.wav')));
});

t.test('events missing required headers are dropped, not half-applied', async (t) => {
  const headers: [string, string][] = [['Event-Name', 'CHANNEL_ANSWER'], ['Unique-ID', 'u'], ['Event-Sequence', 'x1']];
  const get = (n: string) => headers.find(([k]) => k === n)?.[1];
  t.equal(toSwitchEvent('fs1', { get, headers: () => headers }), undefined);
  t.equal(toSwitchEvent('fs1', { get: () => undefined, headers: () => [] }), undefined);
});
