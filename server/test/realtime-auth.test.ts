// Socket.IO handshakes: no token, a bad or expired token, or a role the namespace does not admit
// is refused at connect; the right roles get in (and a snapshot first).
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import t from 'tap';
import { tokenSigner } from '../src/auth/tokens.ts';
import { DEMO_USERS } from '../src/auth/users.ts';
import { startHarness } from './helpers/service.ts';
import { connected, login, socketTo, waitFor } from './helpers/realtime.ts';

const SECRET = 'realtime-auth-test-secret-0123456789abcdef';

t.test('connect refusals and role checks per namespace', async (t) => {
  const dir = await mkdtemp(path.join(tmpdir(), 'users-'));
  const usersFile = path.join(dir, 'users.json');
  await writeFile(usersFile, JSON.stringify({ users: DEMO_USERS }));
  const h = await startHarness(t, { env: { HOTLINE_AUTH_USERS_PATH: usersFile, HOTLINE_AUTH_JWT_SECRET: SECRET } });
  const s = h.service;
  const refused = async (ns: string, token: string | undefined, code: string, why: string) => {
    const socket = socketTo(t, s, ns, token);
    await t.rejects(connected(socket), { code }, why);
  };

  await refused('/agent', undefined, 'unauthorized', 'unauthenticated connect refused');
  await refused('/ops', undefined, 'unauthorized', 'unauthenticated connect refused on /ops');
  await refused('/agent', 'not-a-jwt', 'unauthorized', 'garbage token refused');
  const foreign = await tokenSigner({ secret: `${SECRET}-x`, ttlSec: 600 }).sign({ username: '1001', role: 'agent', agentId: '1001' });
  await refused('/agent', foreign.token, 'unauthorized', 'invalid signature refused');
  const expired = await tokenSigner({ secret: SECRET, ttlSec: 60, now: () => Date.now() - 3600_000 }).sign({ username: '1001', role: 'agent', agentId: '1001' });
  await refused('/agent', expired.token, 'unauthorized', 'expired token refused');

  const agent = await login(s, '1001');
  const ops = await login(s, 'ops');
  const dispatcher = await login(s, 'dispatcher');
  const supervisor = await login(s, 'supervisor');
  await refused('/ops', agent, 'forbidden', 'agent may not open /ops');
  await refused('/dispatcher', agent, 'forbidden', 'agent may not open /dispatcher');
  await refused('/agent', ops, 'forbidden', 'ops may not open /agent');
  await refused('/ops', dispatcher, 'forbidden', 'dispatcher may not open /ops');
  await refused('/', agent, 'forbidden', 'main namespace serves no one');

  for (const [ns, token] of [['/agent', agent], ['/ops', ops], ['/ops', supervisor], ['/dispatcher', dispatcher], ['/dispatcher', supervisor]] as const) {
    const socket = socketTo(t, s, ns, token);
    const snap = waitFor<{ seq: number }>(socket, 'snapshot');
    await connected(socket);
    t.type((await snap).seq, 'number', `${ns} admits the role and sends a snapshot`);
    socket.disconnect();
  }

  // A token that expires while connected ends the connection.
  const short = await tokenSigner({ secret: SECRET, ttlSec: 60, now: () => Date.now() - 57_000 }).sign({ username: 'ops', role: 'ops' });
  const socket = socketTo(t, s, '/ops', short.token);
  await connected(socket);
  const reason = await new Promise<string>((resolve) => socket.once('disconnect', resolve));
  t.equal(reason, 'io server disconnect', 'disconnected when the token expired');
});
