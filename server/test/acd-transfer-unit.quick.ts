// Transfers, unit level (fake switch and clock): callers a crashed instance left in a transfer's hold go
// back into their queue; a colleague reserved for a transfer that failed before ringing is released.
import t from 'tap';
import pino from 'pino';
import { CallTransfers } from '../src/acd/transfer.ts';
import type { CallRecord, ConsultRecord } from '../src/calls/call-record.ts';

const SEC = 1e6;
const NOW = 1_800_000_000 * SEC;

function call(id: string, extra: Partial<CallRecord>): CallRecord {
  return {
    id, node: 'fs1', line: 'main', callerNumber: '13800000000', callerName: '', destination: '12345', state: 'held',
    legs: [{ uuid: id, role: 'caller', createdUs: NOW - 100 * SEC, lastSeq: 1 }],
    createdUs: NOW - 100 * SEC, queue: 'general', ivrPath: [], flags: [], transfers: [], held: false, holdSeq: 0, ...extra,
  };
}

t.test('sweep', async (t) => {
  const consult = (state: ConsultRecord['state']): ConsultRecord => ({ agentId: '1001', target: { kind: 'agent', agentId: '1002' }, legUuid: 'b', agentLeg: 'a', state });
  const calls = [
    call('fresh', { onHoldSinceUs: NOW - 20 * SEC }),
    call('stale', { onHoldSinceUs: NOW - 60 * SEC }),
    call('stale-ringing', { onHoldSinceUs: NOW - 60 * SEC, consult: consult('ringing') }),
    call('talking', {
      onHoldSinceUs: NOW - 600 * SEC, consult: consult('talking'),
      legs: [{ uuid: 'talking', role: 'caller', createdUs: 0, lastSeq: 1 }, { uuid: 'a', role: 'agent', agentId: '1001', createdUs: 0, lastSeq: 1 }, { uuid: 'b', role: 'agent', agentId: '1002', createdUs: 0, lastSeq: 1 }],
    }),
    call('orphaned', {
      onHoldSinceUs: NOW - 600 * SEC, consult: consult('talking'),
      legs: [{ uuid: 'orphaned', role: 'caller', createdUs: 0, lastSeq: 1 }, { uuid: 'a', role: 'agent', agentId: '1001', createdUs: 0, lastSeq: 1, endedUs: 1 }, { uuid: 'b', role: 'agent', agentId: '1002', createdUs: 0, lastSeq: 1, endedUs: 1 }],
    }),
    call('gone', { onHoldSinceUs: NOW - 60 * SEC, legs: [{ uuid: 'gone', role: 'caller', createdUs: 0, lastSeq: 1, endedUs: NOW }] }),
    call('not-held', {}),
  ];
  const requeued: string[] = [];
  const cleared: string[] = [];
  const refuse = async (): Promise<never> => {
    throw new Error('no switch in this test');
  };
  const transfers = new CallTransfers({
    sw: { originateInBackground: refuse, bridge: refuse, kill: refuse, transfer: refuse, setVar: refuse, hold: refuse },
    agents: { phoneOf: refuse, reserve: refuse, connect: refuse, ringNoAnswer: refuse, cancelReservation: refuse },
    calls: {
      get: (id) => calls.find((c) => c.id === id),
      byLeg: () => undefined,
      live: () => calls,
      recordOnHold: () => {},
      recordConsult: (id, c) => void (c === undefined && cleared.push(id)),
      recordTransfer: () => {},
    },
    requeue: async (id, queue) => void requeued.push(`${id}:${queue}`),
    queueExists: () => true,
    externalDialstring: (n) => n,
    ringSec: 12,
    nowUs: () => NOW,
    logger: pino({ level: 'silent' }),
  });
  await transfers.sweep(30);
  t.same(requeued.sort(), ['orphaned:general', 'stale-ringing:general', 'stale:general'], 'stale holds and orphaned consultations go back to the queue');
  t.same(cleared.sort(), ['orphaned', 'stale', 'stale-ringing'], 'their consultation marks are cleared');
});

t.test('a switch failure before the target rings frees the reserved colleague', async (t) => {
  const talking = call('c1', {
    state: 'talking',
    legs: [{ uuid: 'c1', role: 'caller', createdUs: 0, lastSeq: 1 }, { uuid: 'a1', role: 'agent', agentId: '1001', createdUs: 0, answeredUs: 1, bridgedUs: 1, lastSeq: 1 }],
  });
  const log: string[] = [];
  const ok = async (): Promise<void> => {};
  const transfers = new CallTransfers({
    sw: {
      originateInBackground: async () => { log.push('originate'); return 'x'; },
      bridge: ok, kill: ok, hold: ok, setVar: ok,
      transfer: async () => { throw new Error('-ERR no reply'); },
    },
    agents: {
      phoneOf: async () => 'user/1002',
      reserve: async (id) => (log.push(`reserve ${id}`), true),
      connect: async () => true,
      ringNoAnswer: async () => true,
      cancelReservation: async (id) => (log.push(`cancel ${id}`), true),
    },
    calls: { get: () => talking, byLeg: () => talking, live: () => [talking], recordOnHold: () => {}, recordConsult: () => {}, recordTransfer: () => {} },
    requeue: async () => {},
    queueExists: () => true,
    externalDialstring: (n) => n,
    ringSec: 12,
    nowUs: () => NOW,
    logger: pino({ level: 'silent' }),
  });
  for (const mode of ['blind', 'attended'] as const) {
    log.length = 0;
    await t.rejects(transfers.transfer('c1', '1001', mode, { kind: 'agent', agentId: '1002' }), /no reply/);
    t.same(log, ['reserve 1002', 'cancel 1002'], `${mode}: reserved, then released; never rung`);
  }
});
