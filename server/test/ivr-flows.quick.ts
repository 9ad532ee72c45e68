import t from 'tap';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { runFlow, type IvrSession } from '../src/ivr/runner.ts';
import { FlowStore, parseFlowFile } from '../src/ivr/flow-store.ts';
import { DEFAULT_FLOWS } from '../src/ivr/default-flows.ts';
import { isOpen } from '../src/ivr/calendar.ts';

/** A session that answers collectDigit from a script of keys ('' = timeout) and records what it played. */
function scriptedSession(keys: string[] = []) {
  const played: string[] = [];
  const vars: Record<string, string> = {};
  const session: IvrSession = {
    play: async (p) => void played.push(p),
    collectDigit: async (p) => {
      played.push(p);
      return keys.shift() ?? '';
    },
    setVar: async (n, v) => void (vars[n] = v),
  };
  return { session, played, vars };
}

const ctx = (line: string, callerNumber = '13800138000', now = Date.UTC(2026, 10, 23, 2, 0)) => {
  const steps: string[] = [];
  return { steps, ctx: { callId: 'c1', line, callerNumber, now: () => now, onStep: (s: string) => void steps.push(s) } };
};

t.test('default flows: welcome then straight to the human queue, no menu', async (t) => {
  const flows = parseFlowFile(DEFAULT_FLOWS, 'default');
  for (const [line, queue, priority] of [
    ['main', 'general', 'normal'],
    ['enterprise', 'enterprise', 'normal'],
    ['from110', 'from110', 'from110'],
  ] as const) {
    const { session, played } = scriptedSession();
    const { ctx: c, steps } = ctx(line);
    const out = await runFlow(flows, session, c);
    t.match(out, { kind: 'queue', queue, priority }, `${line} -> ${queue}`);
    t.equal(played.length, 1, `${line}: one prompt, no digit collection`);
    t.ok(steps.length >= 2, `${line}: IVR path recorded (${steps.join(' > ')})`);
  }
});

t.test('an elder caller on the list reaches the elder queue', async (t) => {
  const flows = parseFlowFile({ ...DEFAULT_FLOWS, elderNumbers: ['13900001111'] }, 'x');
  const out = await runFlow(flows, scriptedSession().session, ctx('main', '13900001111').ctx);
  t.match(out, { kind: 'queue', queue: 'elder', priority: 'elder', elder: true });
  const other = await runFlow(flows, scriptedSession().session, ctx('main', '13900002222').ctx);
  t.match(other, { kind: 'queue', queue: 'general', elder: false });
});

const menuFlows = {
  version: 1,
  lines: { main: 'menu' },
  flows: {
    menu: {
      start: 'lang',
      nodes: {
        lang: { type: 'menu', prompt: 'lang.wav', options: { '1': 'zh', '2': 'en', '9': 'elder' }, timeoutMs: 3000, maxTries: 3, invalidPrompt: 'invalid.wav', timeoutPrompt: 'timeout.wav', onFail: 'q' },
        zh: { type: 'set', name: 'language', value: 'zh-CN', next: 'q' },
        en: { type: 'set', name: 'language', value: 'en', next: 'q' },
        elder: { type: 'set', name: 'elder', value: 'true', next: 'eq' },
        q: { type: 'queue', queue: 'general' },
        eq: { type: 'queue', queue: 'elder', priority: 'elder' },
      },
    },
  },
};

t.test('menu: invalid key and timeout prompts, retries, then the configured fallback', async (t) => {
  const flows = parseFlowFile(menuFlows, 'menu');
  {
    const { session, played, vars } = scriptedSession(['7', '', '2']);
    const out = await runFlow(flows, session, ctx('main').ctx);
    t.same(played, ['lang.wav', 'invalid.wav', 'lang.wav', 'timeout.wav', 'lang.wav']);
    t.match(out, { kind: 'queue', queue: 'general', language: 'en' });
    t.equal(vars.hotline_language, 'en');
  }
  {
    const { session, played } = scriptedSession(['', '', '']);
    const out = await runFlow(flows, session, ctx('main').ctx);
    t.equal(played.filter((p) => p === 'lang.wav').length, 3, 'three tries');
    t.match(out, { kind: 'queue', queue: 'general' }, 'after max tries: onFail, never a dead end');
  }
  {
    const out = await runFlow(flows, scriptedSession(['9']).session, ctx('main').ctx);
    t.match(out, { kind: 'queue', queue: 'elder', elder: true }, 'the elder key');
  }
});

const calendar = {
  timeZone: 'Asia/Shanghai',
  weekly: { '1': [['08:30', '17:30']], '2': [['08:30', '17:30']], '3': [['08:30', '17:30']], '4': [['08:30', '17:30']], '5': [['08:30', '17:30']] },
  holidays: ['2026-10-01'],
  workdays: ['2026-09-27'],
};

t.test('after-hours routing by calendar (Beijing time, holidays, adjusted workdays)', async (t) => {
  const cal = parseFlowFile({ version: 1, lines: {}, flows: {}, calendars: { office: calendar } }, 'cal').calendars.office!;
  const bj = (iso: string) => Date.parse(`${iso}+08:00`);
  t.equal(isOpen(cal, bj('2026-11-23T09:00:00')), true, 'Monday 09:00');
  t.equal(isOpen(cal, bj('2026-11-23T17:30:00')), false, 'closing time is closed');
  t.equal(isOpen(cal, bj('2026-11-23T08:29:00')), false, 'before opening');
  t.equal(isOpen(cal, bj('2026-11-22T10:00:00')), false, 'Sunday');
  t.equal(isOpen(cal, bj('2026-10-01T10:00:00')), false, 'National Day holiday');
  t.equal(isOpen(cal, bj('2026-09-27T10:00:00')), true, 'adjusted working Sunday');
  const flows = parseFlowFile(
    {
      version: 1,
      lines: { enterprise: 'ent' },
      calendars: { office: calendar },
      flows: {
        ent: {
          start: 'hours',
          nodes: {
            hours: { type: 'schedule', calendar: 'office', open: 'q', closed: 'closed' },
            closed: { type: 'play', prompt: 'after-hours.wav', next: 'general' },
            q: { type: 'queue', queue: 'enterprise' },
            general: { type: 'queue', queue: 'general' },
          },
        },
      },
    },
    'ent',
  );
  const open = await runFlow(flows, scriptedSession().session, ctx('enterprise', '1', bj('2026-11-23T10:00:00')).ctx);
  t.match(open, { queue: 'enterprise' });
  const { session, played } = scriptedSession();
  const closed = await runFlow(flows, session, ctx('enterprise', '1', bj('2026-11-23T20:00:00')).ctx);
  t.match(closed, { queue: 'general' }, 'after hours: the 24x7 general queue');
  t.same(played, ['after-hours.wav']);
});

t.test('bad flow files are refused with the field named, and the flows in force stay', async (t) => {
  t.throws(() => parseFlowFile({ ...menuFlows, flows: { menu: { start: 'nope', nodes: {} } } }, 'f.json'), /f\.json: flows\.menu\.start: start node "nope" is not defined/);
  t.throws(
    () => parseFlowFile({ version: 1, lines: { main: 'm' }, flows: { m: { start: 'a', nodes: { a: { type: 'menu', prompt: 'p', options: { x: 'a' }, onFail: 'a' } } } } }, 'g.json'),
    /flows\.m\.nodes\.a\.options\.x/,
  );
  t.throws(() => parseFlowFile({ version: 1, lines: { main: 'missing' }, flows: {} }, 'h.json'), /lines\.main: uses undefined flow "missing"/);

  const dir = await mkdtemp(path.join(tmpdir(), 'flows-'));
  const file = path.join(dir, 'flows.json');
  await writeFile(file, JSON.stringify(menuFlows));
  const store = new FlowStore(file);
  t.same(await store.reload(), { ok: true });
  t.ok(store.flows.flows.menu, 'file loaded');
  await writeFile(file, JSON.stringify({ ...menuFlows, flows: { menu: { start: 'lang', nodes: { lang: { type: 'queue', queue: 'BAD QUEUE' } } } } }));
  const res = await store.reload();
  t.equal(res.ok, false);
  t.match(!res.ok && res.error, /flows\.menu\.nodes\.lang\.queue/);
  t.ok(store.flows.flows.menu?.nodes.zh, 'the running flow stays');
  await writeFile(file, '{ not json');
  t.match(await store.reload(), { ok: false, error: /flows\.json/ });
});

t.test('a flow that loops without end is cut off', async (t) => {
  const flows = parseFlowFile(
    { version: 1, lines: { main: 'l' }, flows: { l: { start: 'a', nodes: { a: { type: 'play', prompt: 'a.wav', next: 'b' }, b: { type: 'play', prompt: 'b.wav', next: 'a' } } } } },
    'loop',
  );
  await t.rejects(runFlow(flows, scriptedSession().session, ctx('main').ctx), /did not reach a queue/);
});
