import { Writable } from 'node:stream';
import t from 'tap';
import { callLogger, createLogger, maskNumber, requestSerializer } from '../src/log.ts';

/** A logger whose JSON lines are kept in memory. */
function captured(level: 'info' | 'debug' = 'info') {
  const lines: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _enc, cb) {
      lines.push(...chunk.toString('utf8').split('\n').filter(Boolean));
      cb();
    },
  });
  const log = createLogger({ level }, stream);
  return { log, lines, records: () => lines.map((l) => JSON.parse(l) as Record<string, unknown>) };
}

t.test('maskNumber: the documented rule', async (t) => {
  const cases: [string, string][] = [
    ['110', '110'],
    ['12345', '12345'],
    ['95566', '95566'],
    ['1234567', '1*****7'],
    ['87654321', '87****21'],
    ['13812345678', '138******78'],
    ['+8613812345678', '+861********78'],
    ['010-8765-4321', '010-****-**21'],
    ['sip:13812345678@10.0.0.1:5060', 'sip:138******78@10.0.0.1:5060'],
    ['', ''],
  ];
  for (const [input, masked] of cases) t.equal(maskNumber(input), masked, input);
});

t.test('number fields are masked in the JSON output, at any of the first three levels', async (t) => {
  const { log, lines, records } = captured();
  log.info(
    {
      caller: '13812345678',
      callee: '12345',
      destination: 'sip:13912345678@10.1.2.3',
      ani: 8613812345678,
      leg: { callerIdNumber: '13712345678', 'Caller-Caller-ID-Number': '13612345678' },
      event: { headers: { 'Caller-Destination-Number': '13512345678' } },
      agentId: '1001',
    },
    'call offered',
  );
  const raw = lines.join('\n');
  for (const n of ['13812345678', '13912345678', '8613812345678', '13712345678', '13612345678', '13512345678']) {
    t.notOk(raw.includes(n), `${n} is not in the output in clear`);
  }
  const [rec] = records();
  t.equal(rec?.caller, '138******78');
  t.equal(rec?.callee, '12345', 'the hotline number itself stays readable');
  t.equal(rec?.destination, 'sip:139******78@10.1.2.3');
  t.equal(rec?.ani, '861********78', 'numbers given as numbers are masked too');
  t.match(rec?.leg, { callerIdNumber: '137******78', 'Caller-Caller-ID-Number': '136******78' });
  t.equal(rec?.agentId, '1001', 'other fields untouched');
  t.equal(rec?.msg, 'call offered');
});

t.test('an object under a number field is hidden, not guessed at', async (t) => {
  const { log, lines } = captured();
  log.info({ caller: { number: '13812345678', name: 'x' } }, 'odd shape');
  t.notOk(lines.join('').includes('13812345678'));
  t.match(lines[0], /"caller":"\[masked\]"/);
});

t.test('callLogger: every line carries the callId, and masking still applies', async (t) => {
  const { log, records } = captured();
  const callLog = callLogger(log, 'call-42');
  callLog.info({ caller: '13812345678' }, 'enqueued');
  callLog.child({ leg: 'agent' }).warn('ring no answer');
  const recs = records();
  t.equal(recs.length, 2);
  t.ok(recs.every((r) => r.callId === 'call-42'));
  t.equal(recs[0]?.caller, '138******78');
  t.equal(recs[1]?.leg, 'agent');
});

t.test('pino JSON with level, time and service, honouring the level', async (t) => {
  const { log, records } = captured('info');
  log.debug('hidden');
  log.info('shown');
  const recs = records();
  t.equal(recs.length, 1);
  t.match(recs[0], { level: 30, service: 'hotline12345', msg: 'shown' });
  t.match(recs[0]?.time, /^\d{4}-\d{2}-\d{2}T/);
});

t.test('the request serializer masks numbers in query strings only', async (t) => {
  t.same(requestSerializer({ id: 'r1', method: 'GET', url: '/calls/1234567?caller=13812345678&n=2', ip: '127.0.0.1' }), {
    id: 'r1',
    method: 'GET',
    url: '/calls/1234567?caller=138******78&n=2',
    remoteAddress: '127.0.0.1',
  });
});
