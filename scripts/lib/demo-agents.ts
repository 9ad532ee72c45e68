// The demo's agents for `npm start`: 1000-1009 exist in the ACD (matching the demo logins). Robots
// 1002-1009 log in at once and their simulated phones (fsim's demo) answer by themselves, so demo
// callers are served and the figures move; 1000 and 1001 are left for people trying the softphone
// (their browser's simulated phone waits for the answer button). All are in the demo supervisor's
// group. Seeded over the service's REST API as the demo admin, like any deployment's tooling.
import { DEMO_GROUP } from '../../server/src/auth/users.ts';

export const HUMANS = ['1000', '1001'] as const;
export const ROBOTS = ['1002', '1003', '1004', '1005', '1006', '1007', '1008', '1009'] as const;
const NAMES = ['王芳', '李娜', '张伟', '刘洋', '陈静', '杨磊', '赵敏', '黄强', '周婷', '吴刚'];

/**
 * Skills so every line is served: the queues (acd/queue-config.ts) take general >= 7 for 110
 * handoffs and >= 6 for elders at first, enterprise >= 5; every robot qualifies for general and
 * enterprise, half of them for 110 at once (the tier widens to everyone after 5 s).
 */
export function demoSkills(index: number): Record<string, number> {
  return { general: 6 + (index % 4), enterprise: 5 + (index % 4) };
}

async function call(base: string, token: string | undefined, method: string, url: string, body?: unknown): Promise<{ status: number; json: unknown }> {
  const res = await fetch(`${base}${url}`, {
    method,
    headers: { ...(body === undefined ? {} : { 'content-type': 'application/json' }), ...(token ? { authorization: `Bearer ${token}` } : {}) },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  return { status: res.status, json: await res.json().catch(() => undefined) };
}

/** Create (or bring up to date) the ten demo agents and log the robots in. */
export async function seedDemoAgents(base: string, password = 'demo12345'): Promise<void> {
  const login = await call(base, undefined, 'POST', '/api/login', { username: 'admin', password });
  const token = (login.json as { token?: string } | undefined)?.token;
  if (!token) throw new Error(`demo agents: admin login failed (${login.status})`);
  for (const [i, id] of [...HUMANS, ...ROBOTS].entries()) {
    const wanted = { skills: demoSkills(i), groups: [DEMO_GROUP] };
    const created = await call(base, token, 'POST', '/api/agents', { id, name: NAMES[i] ?? id, phone: `user/${id}`, ...wanted });
    // Kept in .data/redis from an earlier run: the skills and group of this version.
    if (created.status === 409) await call(base, token, 'PATCH', `/api/agents/${id}`, wanted);
    else if (created.status !== 201) throw new Error(`demo agents: creating ${id} answered ${created.status} ${JSON.stringify(created.json)}`);
  }
  for (const id of ROBOTS) {
    // 409 when the robot is already logged in (a restart of the service alone): as wanted.
    const res = await call(base, token, 'POST', `/api/agents/${id}/state`, { action: 'login' });
    if (res.status !== 200 && res.status !== 409) throw new Error(`demo agents: logging ${id} in answered ${res.status}`);
  }
}
