// Issue 14, knowledge base: /api/kb against the whole service on a real Redis. Roles (agents search,
// editors and the admin write), the draft -> published workflow with effective dates, imports that
// are all or nothing with errors by row, the audit, and two service instances on one Redis seeing
// each other's edits. Also the wrap-up side: an unknown entry is refused, a call counts once.
import t from 'tap';
import { Redis } from 'ioredis';
import { withRedis } from '../../scripts/lib/test-redis.ts';
import { DEMO_KB_ENTRIES, seedDemoKb } from '../../scripts/lib/demo-kb.ts';
import { loadConfig } from '../src/config.ts';
import { createLogger } from '../src/log.ts';
import { createService, type Service } from '../src/service.ts';
import { redisKeys } from '../src/store/keys.ts';
import { OpsStore } from '../src/store/ops-store.ts';
import pino from 'pino';
import { Desk, DeskError } from '../src/desk/desk.ts';
import { DeskStore, type StoredWrapUp } from '../src/store/desk-store.ts';
import { eventually } from './helpers/service.ts';
import { roleHeaders } from './helpers/tokens.ts';

const SECRET = 'kb-routes-test-secret-0123456789abcdef';
const bjToday = (): string => new Date(Date.now() + 8 * 3_600_000).toISOString().slice(0, 10);
const addDays = (d: string, n: number): string => new Date(Date.parse(`${d}T00:00:00Z`) + n * 86_400_000).toISOString().slice(0, 10);

async function instance(t: { teardown(fn: () => unknown): void }, url: string): Promise<Service> {
  const config = loadConfig({ env: { HOTLINE_HTTP_PORT: '0', HOTLINE_LOG_LEVEL: 'silent', HOTLINE_REDIS_URL: url, HOTLINE_AUTH_JWT_SECRET: SECRET } });
  const s = await createService(config, createLogger(config.log), { callControl: false });
  await s.start();
  t.teardown(() => s.stop());
  return s;
}

const entry = {
  question: '住房公积金提取条件',
  answer: '职工购买、建造、翻建、大修自住住房，离休、退休，完全丧失劳动能力并与单位终止劳动关系等情形，可以提取住房公积金账户内的存储余额。',
  category: '公积金',
  department: '市住房公积金管理中心',
  region: '全市',
  source: '《住房公积金管理条例》第二十四条',
  tags: ['提取', '公积金'],
};

t.test('knowledge-base REST', async (t) => {
  const r = await withRedis(t);
  const a = await instance(t, r.url);
  const as = await roleHeaders(a.auth);
  type Method = 'GET' | 'POST' | 'PUT' | 'DELETE';
  const call = (method: Method, url: string, headers: Record<string, string>, payload?: unknown, extra: Record<string, string> = {}) =>
    a.app.inject({ method, url, headers: { ...headers, ...extra }, ...(payload !== undefined ? { payload: payload as string } : {}) });
  const search = async (q: string, s: Service = a) =>
    ((await s.app.inject({ method: 'GET', url: `/api/kb/search?q=${encodeURIComponent(q)}`, headers: as.agent })).json() as { hits: { entry: { id: string; question: string } }[] }).hits.map((h) => h.entry.id);
  const audit = async () => ((await call('GET', '/api/kb/audit', as.admin)).json() as { audit: { by: string; action: string; id: string }[] }).audit;

  t.test('roles: agents and above search, editors and the admin write; 403 names who may', async (t) => {
    for (const role of ['agent', 'supervisor', 'ops', 'admin', 'editor'] as const) t.equal((await call('GET', '/api/kb/search?q=公积金', as[role])).statusCode, 200, `${role} searches`);
    const refused = await call('GET', '/api/kb/search?q=公积金', as.dispatcher);
    t.equal(refused.statusCode, 403);
    t.match(refused.json().message, /^role dispatcher may not search the knowledge base \(allowed: agent, supervisor, ops, admin, editor\)$/);
    t.equal((await call('GET', '/api/kb/search?q=x', {})).statusCode, 401, 'no token');
    for (const role of ['agent', 'supervisor', 'ops', 'dispatcher'] as const) {
      const res = await call('POST', '/api/kb/entries', as[role], entry);
      t.equal(res.statusCode, 403, `${role} may not create`);
      t.match(res.json().message, /\(allowed: editor, admin\)$/);
      t.equal((await call('GET', '/api/kb/export', as[role])).statusCode, 403, `${role} may not export`);
    }
    t.equal(a.kb!.size, 0, 'nothing was created');
  });

  let id = '';
  t.test('workflow: a draft is not shown; published from today it is; unpublished it hides again', async (t) => {
    const created = await call('POST', '/api/kb/entries', as.editor, entry);
    t.equal(created.statusCode, 201, created.body);
    id = created.json().entry.id;
    t.match(created.json().entry, { status: 'draft', validFrom: null, question: '住房公积金提取条件' });
    t.same(await search('公积金怎么取'), [], 'a draft is not found by agents');
    t.equal((await call('GET', `/api/kb/entries/${id}`, as.agent)).statusCode, 404, 'nor read by id');
    t.equal((await call('GET', `/api/kb/entries/${id}`, as.editor)).statusCode, 200, 'the editor reads it');

    const pub = await call('POST', `/api/kb/entries/${id}/publish`, as.editor, { validFrom: bjToday() });
    t.equal(pub.statusCode, 200, pub.body);
    t.match(pub.json(), { entry: { status: 'published', validFrom: bjToday(), validTo: null }, visible: true });
    t.same(await search('公积金怎么取'), [id], '"公积金怎么取" finds it now');
    t.same(await search('gjjtq'), [id], 'and so do pinyin initials');

    // An edit is a draft again: agents never read an answer nobody approved.
    const edited = await call('PUT', `/api/kb/entries/${id}`, as.admin, { ...entry, answer: `${entry.answer}（2026年修订）` });
    t.equal(edited.statusCode, 200, edited.body);
    t.equal(edited.json().entry.status, 'draft');
    t.same(await search('公积金怎么取'), []);
    t.equal((await call('POST', `/api/kb/entries/${id}/publish`, as.editor, { validFrom: addDays(bjToday(), 1) })).statusCode, 200);
    t.same(await search('公积金怎么取'), [], 'effective tomorrow: not shown today');
    t.equal((await call('POST', `/api/kb/entries/${id}/publish`, as.editor, { validFrom: addDays(bjToday(), -30), validTo: addDays(bjToday(), -1) })).statusCode, 200);
    t.same(await search('公积金怎么取'), [], 'expired yesterday: not shown');
    t.equal((await call('POST', `/api/kb/entries/${id}/publish`, as.editor, { validFrom: bjToday(), validTo: addDays(bjToday(), 30) })).statusCode, 200);
    t.same(await search('公积金怎么取'), [id], 'valid through next month: shown');
    t.equal((await call('POST', `/api/kb/entries/${id}/unpublish`, as.editor)).statusCode, 200);
    t.same(await search('公积金怎么取'), [], 'unpublished: hidden at once');
    t.equal((await call('POST', `/api/kb/entries/${id}/publish`, as.editor, { validFrom: bjToday() })).statusCode, 200);

    t.match((await audit()).slice(0, 3).map((x) => `${x.by} ${x.action} ${x.id}`), [`editor:editor publish ${id}`, `editor:editor unpublish ${id}`, `editor:editor publish ${id}`]);
    t.ok((await audit()).some((x) => x.by === 'admin:admin' && x.action === 'update'), 'the admin edit is audited with its user');
  });

  t.test('bad input: a clear 400 and nothing changed', async (t) => {
    const before = a.kb!.export('json');
    const raw = new Redis(r.url);
    t.teardown(() => raw.quit());
    const version = await raw.get(redisKeys().kbVersion);
    const cases: [Method, string, unknown, RegExp][] = [
      ['POST', '/api/kb/entries', { ...entry, question: '' }, /question/],
      ['POST', '/api/kb/entries', { ...entry, status: 'published' }, /status/],
      ['POST', '/api/kb/entries', { ...entry, by: 'ghost' }, /by/],
      ['POST', '/api/kb/entries', { ...entry, validFrom: '2026-02-30' }, /validFrom/],
      ['POST', '/api/kb/entries', { ...entry, validFrom: '2026-03-01', validTo: '2026-02-01' }, /validTo is before validFrom/],
      ['POST', '/api/kb/entries', { ...entry, id: 'has space' }, /id/],
      ['POST', '/api/kb/entries', { ...entry, tags: ['a|b'] }, /tags/],
      ['POST', `/api/kb/entries/${id}/publish`, {}, /validFrom/],
      ['POST', `/api/kb/entries/${id}/publish`, { validFrom: bjToday(), validTo: addDays(bjToday(), -1) }, /validTo is before validFrom/],
      ['PUT', `/api/kb/entries/${id}`, { ...entry, answer: 'x'.repeat(20_001) }, /answer/],
    ];
    for (const [method, url, body, msg] of cases) {
      const res = await call(method, url, as.editor, body);
      t.equal(res.statusCode, 400, `${method} ${url} ${JSON.stringify(body).slice(0, 80)}`);
      t.match(res.json(), { statusCode: 400, error: 'Bad Request', message: msg });
    }
    t.equal((await call('POST', `/api/kb/entries/${id}/publish`, as.editor, { validFrom: bjToday() }, undefined)).statusCode, 200, 'publishing again is fine');
    t.equal((await call('POST', '/api/kb/entries', as.editor, { ...entry, id })).statusCode, 409, 'an id that exists: 409');
    t.equal((await call('PUT', '/api/kb/entries/nope', as.editor, entry)).statusCode, 404);
    t.equal((await call('DELETE', '/api/kb/entries/nope', as.editor)).statusCode, 404);
    t.equal(a.kb!.export('json'), before, 'entries unchanged');
    t.equal(await raw.get(redisKeys().kbVersion), String(Number(version) + 1), 'one write only: the second publish');
  });

  t.test('import: all or nothing, every problem by row; export round-trips', async (t) => {
    const csv = [
      'id,question,answer,category,department,region,validFrom,validTo,source,tags,status',
      `sb-1,社会保障卡挂失补办,社保卡丢失后请先拨打12333或在“掌上社保”挂失，再到任一合作银行网点补办。,社保,市人力资源和社会保障局,全市,${bjToday()},,市人社局,挂失|补办,published`,
      'sb-2,,没有问题的答案,社保,,,,,,,draft',
      'sb-3,社保缴费基数,2026年度缴费基数下限4500元。,社保,,,2026-13-01,,,,published',
      'sb-4,灵活就业参保,带身份证到社保经办窗口办理。,社保,,,,,,,published',
    ].join('\r\n');
    const bad = await call('POST', '/api/kb/import?format=csv', as.editor, csv, { 'content-type': 'text/csv' });
    t.equal(bad.statusCode, 400, bad.body);
    t.match(bad.json(), { message: /nothing changed: 3 problem/ });
    t.match(bad.json().problems, [{ row: 3, message: /question/ }, { row: 4, message: /validFrom/ }, { row: 5, message: /published entry needs validFrom/ }]);
    t.notOk(a.kb!.get('sb-1'), 'the good row was not imported either');
    t.same(await search('社保卡丢了'), []);

    const json = await call('POST', '/api/kb/import?format=json', as.editor, '[{"id": "x", "question": "q"', { 'content-type': 'application/json' });
    t.equal(json.statusCode, 400);
    t.match(json.json().problems, [{ row: 0, message: /^not JSON/ }]);
    t.equal((await call('POST', '/api/kb/import?format=csv', as.editor, 'a,b\r\n1,2', { 'content-type': 'text/csv' })).json().problems[0].message, 'unknown columns: a, b; missing columns: id, question, answer (expected id, question, answer, category, department, region, validFrom, validTo, source, tags, status)');

    const good = csv.split('\r\n').slice(0, 2).join('\r\n');
    const ok = await call('POST', '/api/kb/import?format=csv', as.editor, good, { 'content-type': 'text/csv' });
    t.equal(ok.statusCode, 200, ok.body);
    t.same(ok.json(), { added: 1, updated: 0 });
    t.same(await search('社保卡丢了'), ['sb-1'], '"社保卡丢了" finds 社会保障卡挂失补办');

    const exported = await call('GET', '/api/kb/export?format=csv', as.editor);
    t.match(exported.headers['content-type'], /^text\/csv/);
    t.ok(exported.body.startsWith('\uFEFFid,question,answer'), 'UTF-8 BOM and the header');
    const again = await call('POST', '/api/kb/import?format=csv', as.admin, exported.body, { 'content-type': 'text/csv' });
    t.same(again.json(), { added: 0, updated: 2 }, 'the export imports back unchanged');
    const asJson = await call('GET', '/api/kb/export?format=json', as.editor);
    t.same((JSON.parse(asJson.body) as { id: string }[]).map((e) => e.id).sort(), [id, 'sb-1'].sort());
    t.ok((await audit()).some((x) => x.action === 'import-csv' && x.by === 'admin:admin'));
  });

  t.test('synonyms: editors change the table; it applies to the next search', async (t) => {
    t.same(await search('老年卡怎么办'), []);
    t.equal((await call('POST', '/api/kb/entries', as.editor, { ...entry, id: 'lnk', question: '老年优待证申领', answer: '年满60周岁的本市户籍老人可在社区服务中心申领老年优待证。', category: '民政', tags: [] })).statusCode, 201);
    t.equal((await call('POST', '/api/kb/entries/lnk/publish', as.editor, { validFrom: bjToday() })).statusCode, 200);
    const text = ((await call('GET', '/api/kb/synonyms', as.editor)).json() as { text: string }).text;
    t.match(text, /公积金 住房公积金/);
    t.equal((await call('PUT', '/api/kb/synonyms', as.editor, { text: `${text}老年卡 老年优待证\n` })).statusCode, 200);
    t.same(await search('老年卡怎么办'), ['lnk']);
    t.equal((await call('PUT', '/api/kb/synonyms', as.agent, { text: '' })).statusCode, 403);
  });

  t.test('two instances on one Redis see each other\'s edits', async (t) => {
    const b = await instance(t, r.url);
    t.equal(b.kb!.size, a.kb!.size, 'the second instance loads what the first wrote');
    t.same(await search('老年卡怎么办', b), ['lnk'], 'synonyms too');
    const onB = await b.app.inject({ method: 'POST', url: '/api/kb/entries', headers: as.editor, payload: { ...entry, id: 'jzz', question: '居住证办理', answer: '在本市居住半年以上，可持身份证和居住登记凭证到派出所申领居住证。', category: '户籍', tags: [] } });
    t.equal(onB.statusCode, 201, 'a token of one instance works on the other (one secret)');
    await b.app.inject({ method: 'POST', url: '/api/kb/entries/jzz/publish', headers: as.editor, payload: { validFrom: bjToday() } });
    await eventually('instance A sees B\'s entry', async () => (await search('居住证怎么办')).includes('jzz'), 5_000);
    t.pass('published on B, found on A');
    await a.app.inject({ method: 'DELETE', url: '/api/kb/entries/jzz', headers: as.editor });
    await eventually('instance B sees A\'s delete', async () => !(await search('居住证怎么办', b)).includes('jzz'), 5_000);
    t.notOk(b.kb!.get('jzz'));
    // A change that reaches Redis without its message (written past the service): the version check finds it.
    const raw = new Redis(r.url);
    t.teardown(() => raw.quit());
    const keys = redisKeys();
    await raw.multi().hset(keys.kbEntries, 'quiet', JSON.stringify({ ...entry, id: 'quiet', question: '出租车投诉电话', answer: '出租车服务投诉请拨打12345转交通运输局。', category: '交通', tags: [], status: 'published', validFrom: bjToday(), validTo: null })).incr(keys.kbVersion).exec();
    await b.kb!.sync();
    t.ok(b.kb!.get('quiet'), 'found by re-reading Redis');
    t.same(b.kb!.export('json'), (await b.kb!.sync(), b.kb!.export('json')));
  });
});

t.test('a call answered from the KB counts once, in its interval and queue, however often it is wrapped up', async (t) => {
  const r = await withRedis(t);
  const redis = new Redis(r.url);
  t.teardown(() => redis.quit());
  const ops = new OpsStore(redis, redisKeys());
  const start = Date.parse('2026-12-06T02:00:00Z');
  const scopes = ['center', 'queue:general'];
  t.equal(await ops.recordKbAnswered('call-1', 'gjj-001', scopes, start), true);
  t.equal(await ops.recordKbAnswered('call-1', 'sb-001', scopes, start), false, 'a second wrap-up of the same call (a transfer came back) does not count again');
  t.equal(await ops.recordKbAnswered('call-2', 'sb-001', ['center'], start), true);
  t.match(await ops.intervals('center', [start]), [{ kbAnswered: 2 }]);
  t.match(await ops.intervals('queue:general', [start]), [{ kbAnswered: 1 }]);
});

t.test('a wrap-up answered from the KB names an entry the KB holds, and carries it on', async (t) => {
  const r = await withRedis(t);
  const redis = new Redis(r.url);
  t.teardown(() => redis.quit());
  const sent: StoredWrapUp[] = [];
  const desk = new Desk({
    store: new DeskStore(redis, redisKeys()),
    agents: { get: async () => ({ state: 'wrap-up', callId: 'c1' }), handlingEnded: async () => 1_000, endWrapUp: async () => {} },
    calls: { get: () => undefined },
    tickets: { send: (w) => void sent.push(w) },
    kbEntryExists: (id) => id === 'gjj-001',
    timeZone: 'Asia/Shanghai',
    thresholdSec: 15,
    now: () => Date.now(),
    logger: pino({ level: 'silent' }),
  });
  await t.rejects(desk.wrapUp('1001', { callId: 'c1', category: 'consultation', summary: '咨询公积金', kbEntryId: 'gone-1' }), new DeskError('not-found', 'knowledge-base entry gone-1: no such entry (answered from the KB names the entry used)'));
  t.same(sent, [], 'nothing filed');
  const w = await desk.wrapUp('1001', { callId: 'c1', category: 'consultation', summary: '咨询公积金', kbEntryId: 'gjj-001' });
  t.match(w, { callId: 'c1', kbEntryId: 'gjj-001' });
  t.match(sent, [{ kbEntryId: 'gjj-001' }], 'the ticket sink (and so the KB answer count) gets the entry');
  const rows = (await redis.xrange(redisKeys().wrapUpStream, '-', '+')) as [string, string[]][];
  t.match(JSON.parse(rows[0]![1][3]!), { kbEntryId: 'gjj-001' }, 'so does the wrap-up record');
});

t.test("npm start's demo entries go in when the KB is empty, and only then", async (t) => {
  const r = await withRedis(t);
  const s = await instance(t, r.url);
  const base = `http://127.0.0.1:${(s.app.server.address() as { port: number }).port}`;
  const editor = (await roleHeaders(s.auth)).editor;
  t.equal(await seedDemoKb(base, editor), DEMO_KB_ENTRIES.length);
  t.equal(s.kb!.size, DEMO_KB_ENTRIES.length);
  t.ok(DEMO_KB_ENTRIES.length >= 50, `${DEMO_KB_ENTRIES.length} entries`);
  t.equal(await seedDemoKb(base, editor), 0, 'a second start adds nothing (an editor\'s changes survive)');
  const hits = s.kb!.search('公积金怎么取', { limit: 3 }).hits.map((h) => h.entry.id);
  t.equal(hits[0], 'gjj-001', 'the demo answers "公积金怎么取" with 住房公积金提取条件');
});
