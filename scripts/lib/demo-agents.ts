// The demo's agents for `npm start`: 1000-1009 exist in the ACD (matching the demo logins). Robots
// 1002-1009 log in at once and their simulated phones answer by themselves, so demo callers are
// served and the figures move; 1000 and 1001 are left for people trying the softphone (their
// browser's simulated phone waits for the answer button). All are in the demo supervisor's group.
import type { Acd } from '../../server/src/acd-control.ts';
import { DEMO_GROUP } from '../../server/src/auth/users.ts';

export const HUMANS = ['1000', '1001'] as const;
export const ROBOTS = ['1002', '1003', '1004', '1005', '1006', '1007', '1008', '1009'] as const;
const NAMES = ['王芳', '李娜', '张伟', '刘洋', '陈静', '杨磊', '赵敏', '黄强', '周婷', '吴刚'];

export async function seedDemoAgents(acd: Pick<Acd, 'agents' | 'agentBecameReady'>): Promise<string[]> {
  for (const [i, id] of [...HUMANS, ...ROBOTS].entries()) {
    const existing = await acd.agents.get(id);
    // Agents kept in .data/redis from before groups existed join the demo group.
    if (existing && !existing.groups?.length) await acd.agents.update(id, { groups: [DEMO_GROUP] }, 'demo');
    if (existing) continue;
    await acd.agents.create({ id, name: NAMES[i] ?? id, phone: `user/${id}`, skills: { general: 5 + (i % 4), enterprise: 3 + (i % 5) }, groups: [DEMO_GROUP] }, 'demo');
  }
  for (const id of ROBOTS) {
    const a = await acd.agents.get(id);
    if (a?.state !== 'logged-out') continue;
    await acd.agents.apply(id, { type: 'login' }, 'demo');
    acd.agentBecameReady(id);
  }
  return [...HUMANS];
}
