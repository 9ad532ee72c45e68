// The department directory over REST through the real app (token check, zod, error handler,
// OpenAPI) on a real Redis: who may read and who may write, search by name, tag, number and pinyin
// initials, and bad input answered 400 without changing anything.
import t from 'tap';
import { Redis } from 'ioredis';
import { withRedis } from '../../scripts/lib/test-redis.ts';
import { buildApp } from '../src/app.ts';
import { loadConfig } from '../src/config.ts';
import { DirectoryService } from '../src/directory/service.ts';
import { createLogger } from '../src/log.ts';
import { createMetricsRegistry } from '../src/plugins/app/metrics.ts';
import { DirectoryStore } from '../src/store/directory-store.ts';
import { redisKeys } from '../src/store/keys.ts';
import { demoAuth, roleHeaders } from './helpers/tokens.ts';

const T0 = Date.parse('2026-12-06T02:00:00Z');

t.test('directory routes', async (t) => {
  const r = await withRedis(t);
  const redis = new Redis(r.url);
  t.teardown(() => redis.quit());
  let n = 0;
  const directory = new DirectoryService({ store: new DirectoryStore(redis, redisKeys('dir')), now: () => T0, newId: () => `d${++n}` });
  const auth = await demoAuth();
  const app = await buildApp({
    config: loadConfig({ env: {} }), logger: createLogger({ level: 'silent' }),
    deps: { metrics: createMetricsRegistry(), readiness: { freeswitch: () => [], redis: async () => true }, auth, directory },
  });
  t.teardown(() => app.close());
  const as = await roleHeaders(auth);
  const list = async (q = '') => ((await app.inject({ url: `/api/directory?q=${encodeURIComponent(q)}`, headers: as.agent })).json() as { entries: { id: string; name: string }[] }).entries;
  const post = (payload: unknown, headers = as.admin) => app.inject({ method: 'POST', url: '/api/directory', headers, payload: payload as Record<string, unknown> });

  const cg = { name: '市城市管理局', number: '02162345678', hours: '工作日 9:00-17:00', notes: '占道经营、违章搭建', tags: ['城管', '市容'] };
  const created = await post(cg);
  t.equal(created.statusCode, 201);
  t.same(created.json(), { id: 'd1', ...cg, updatedMs: T0, updatedBy: 'admin:admin' }, 'who wrote it comes from the token');
  for (const e of [
    { name: '住房公积金管理中心', number: '12329', hours: '工作日 8:30-17:30', tags: ['公积金'] },
    { name: '市场监督管理局', number: '12315', hours: '24小时', tags: ['消费投诉'] },
    { name: '供水热线', number: '+862196116', hours: '24小时' },
  ]) t.equal((await post(e)).statusCode, 201, e.name);

  t.test('roles', async (t) => {
    t.equal((await app.inject({ url: '/api/directory' })).statusCode, 401, 'no token');
    for (const role of ['agent', 'supervisor', 'admin'] as const) t.equal((await app.inject({ url: '/api/directory', headers: as[role] })).statusCode, 200, `${role} reads`);
    for (const role of ['ops', 'dispatcher'] as const) t.equal((await app.inject({ url: '/api/directory', headers: as[role] })).statusCode, 403, `${role} does not`);
    for (const role of ['agent', 'supervisor'] as const) {
      const res = await post({ ...cg, name: '冒名' }, as[role]);
      t.equal(res.statusCode, 403, `${role} may not create`);
      t.match(res.json(), { message: /allowed: admin/ });
      t.equal((await app.inject({ method: 'PATCH', url: '/api/directory/d1', headers: as[role], payload: { number: '110' } })).statusCode, 403, `${role} may not change`);
      t.equal((await app.inject({ method: 'DELETE', url: '/api/directory/d1', headers: as[role] })).statusCode, 403, `${role} may not delete`);
    }
    t.equal((await list()).length, 4, 'nothing changed');
  });

  t.test('search', async (t) => {
    t.same((await list()).map((e) => e.name), ['供水热线', '市场监督管理局', '市城市管理局', '住房公积金管理中心'], 'all, by name (pinyin order)');
    t.equal((await list('城市管理'))[0]?.name, '市城市管理局', 'by name');
    t.same((await list('scj')).map((e) => e.name), ['市场监督管理局'], 'by pinyin initials (prefix)');
    t.same((await list('gjj')).map((e) => e.name), ['住房公积金管理中心'], 'by pinyin initials (inside)');
    t.same((await list('12315')).map((e) => e.name), ['市场监督管理局'], 'by number');
    t.same((await list('市容')).map((e) => e.name), ['市城市管理局'], 'by tag');
    t.same((await list('违章')).map((e) => e.name), ['市城市管理局'], 'by notes');
    t.same(await list('没有这个部门'), []);
    t.equal((await app.inject({ url: `/api/directory?q=${'x'.repeat(65)}`, headers: as.agent })).statusCode, 400, 'an over-long query');
    t.equal((await app.inject({ url: '/api/directory?limit=0', headers: as.agent })).statusCode, 400);
    t.equal((await app.inject({ url: '/api/directory?limit=1', headers: as.agent })).json().entries.length, 1);
  });

  t.test('bad input: 400 and nothing changes', async (t) => {
    const before = await redis.hgetall(redisKeys('dir').directory);
    const bad: [unknown, RegExp][] = [
      [{ ...cg, number: '0216-2345678' }, /^body\.number: expected a number of 3 to 20 digits$/],
      [{ ...cg, number: '12' }, /number/],
      [{ ...cg, number: '110;hangup' }, /number/],
      [{ ...cg, name: '   ' }, /^body\.name: expected a department name$/],
      [{ ...cg, hours: undefined }, /hours/],
      [{ ...cg, tags: ['a'.repeat(17)] }, /tag/],
      [{ ...cg, tags: Array.from({ length: 11 }, (_, i) => `t${i}`) }, /at most 10 tags/],
      [{ ...cg, id: 'mine' }, /id/],
      [{ ...cg, notes: 'x'.repeat(501) }, /notes/],
    ];
    for (const [payload, message] of bad) {
      const res = await post(payload);
      t.equal(res.statusCode, 400, JSON.stringify(payload).slice(0, 80));
      t.match(res.json(), { statusCode: 400, message });
    }
    for (const [payload, message] of [[{}, /at least one field/], [{ number: 'abc' }, /number/], [{ name: '' }, /name/], [{ rev: 3 }, /rev/]] as const) {
      const res = await app.inject({ method: 'PATCH', url: '/api/directory/d1', headers: as.admin, payload });
      t.equal(res.statusCode, 400, `PATCH ${JSON.stringify(payload)}`);
      t.match(res.json(), { message });
    }
    t.equal((await app.inject({ method: 'PATCH', url: '/api/directory/a%20b', headers: as.admin, payload: { number: '12345' } })).statusCode, 400, 'a bad id');
    t.same(await redis.hgetall(redisKeys('dir').directory), before, 'the directory is unchanged');
  });

  t.test('change and delete', async (t) => {
    const res = await app.inject({ method: 'PATCH', url: '/api/directory/d1', headers: as.admin, payload: { number: '02162340000', tags: ['城管'] } });
    t.equal(res.statusCode, 200);
    t.match(res.json(), { id: 'd1', name: '市城市管理局', number: '02162340000', tags: ['城管'], hours: cg.hours });
    t.equal((await app.inject({ method: 'PATCH', url: '/api/directory/nope', headers: as.admin, payload: { number: '12345' } })).statusCode, 404);
    t.equal((await app.inject({ method: 'DELETE', url: '/api/directory/d4', headers: as.admin })).statusCode, 204);
    t.equal((await app.inject({ method: 'DELETE', url: '/api/directory/d4', headers: as.admin })).statusCode, 404, 'not twice');
    t.equal((await app.inject({ url: '/api/directory/d4', headers: as.agent })).statusCode, 404);
    t.equal((await app.inject({ url: '/api/directory/d1', headers: as.agent })).json().number, '02162340000');
    t.equal((await list()).length, 3);
  });

  t.test('documented in OpenAPI', async (t) => {
    const doc = (await app.inject({ url: '/docs/json' })).json() as { paths: Record<string, Record<string, { description?: string }>> };
    t.ok(doc.paths['/api/directory']?.get, 'search');
    t.ok(doc.paths['/api/directory']?.post, 'create');
    t.ok(doc.paths['/api/directory/{id}']?.patch && doc.paths['/api/directory/{id}']?.delete, 'change, delete');
    t.match(doc.paths['/api/directory']?.post?.description, /Roles: admin/);
  });
});
