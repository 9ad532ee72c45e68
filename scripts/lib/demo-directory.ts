// The demo's department directory (部门通讯录): a few departments a city's 12345 transfers to, added
// once (an existing directory in .data/redis is left as it is). Numbers are illustrative.
const DEPARTMENTS = [
  { name: '市城市管理局', number: '02162345678', hours: '工作日 9:00-17:00', tags: ['城管', '市容'], notes: '占道经营、违章搭建、市容环境' },
  { name: '住房公积金管理中心', number: '12329', hours: '工作日 8:30-17:30', tags: ['公积金'] },
  { name: '市场监督管理局', number: '12315', hours: '24小时', tags: ['消费投诉', '食品安全'] },
  { name: '人力资源和社会保障局', number: '12333', hours: '工作日 9:00-17:00', tags: ['社保', '劳动仲裁'] },
  { name: '供水热线', number: '02196116', hours: '24小时', tags: ['停水', '水质'] },
  { name: '供电服务热线', number: '95598', hours: '24小时', tags: ['停电'] },
  { name: '消防救援支队', number: '119', hours: '24小时', tags: ['消防'], notes: '火情、抢险救援' },
  { name: '交警支队', number: '122', hours: '24小时', tags: ['交通'] },
];

export async function seedDemoDirectory(base: string, password = 'demo12345'): Promise<void> {
  const login = await fetch(`${base}/api/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: 'admin', password }) });
  const token = ((await login.json()) as { token?: string }).token;
  if (!token) throw new Error(`demo directory: admin login failed (${login.status})`);
  const headers = { authorization: `Bearer ${token}`, 'content-type': 'application/json' };
  const have = (await (await fetch(`${base}/api/directory?limit=1`, { headers })).json()) as { entries?: unknown[] };
  if (have.entries?.length) return;
  for (const d of DEPARTMENTS) {
    const res = await fetch(`${base}/api/directory`, { method: 'POST', headers, body: JSON.stringify(d) });
    if (res.status !== 201) throw new Error(`demo directory: adding ${d.name} answered ${res.status}`);
  }
}
