// The /agent namespace's revisit commands: an agent acts only on the revisit offered to itself
// (the service checks the task's agent); the card it is pushed carries the citizen's number.
import type { Socket } from 'socket.io';
import type { Logger } from '../log.ts';
import { RevisitError } from '../revisit/service.ts';
import { RevisitConflictError } from '../store/revisit-store.ts';
import { command, CommandError } from './commands.ts';
import type { RealtimeDeps } from './deps.ts';
import { emptyPayload } from './events.ts';
import { revisitOutcomePayload, revisitTaskPayload } from './revisit-events.ts';

const mapped =
  <P, R>(run: (p: P) => Promise<R>) =>
  async (p: P): Promise<R> => {
    try {
      return await run(p);
    } catch (err) {
      if (err instanceof RevisitError) throw new CommandError(err.code, err.message);
      if (err instanceof RevisitConflictError) throw new CommandError('conflict', err.message);
      throw err;
    }
  };

export function revisitCommands(socket: Socket, agentId: string, deps: RealtimeDeps, log: Logger): void {
  const r = deps.revisits;
  if (!r) return;
  command(socket, 'revisit:current', emptyPayload, mapped(async () => ({ card: await r.current(agentId) })), log);
  command(socket, 'revisit:take', emptyPayload, mapped(async () => ({ card: await r.take(agentId) })), log);
  command(socket, 'revisit:call', revisitTaskPayload, mapped(({ taskId }) => r.call(agentId, taskId)), log);
  command(socket, 'revisit:skip', revisitTaskPayload, mapped(async ({ taskId }) => (await r.skip(agentId, taskId), {})), log);
  command(socket, 'revisit:hangup', revisitTaskPayload, mapped(async ({ taskId }) => (await r.hangup(agentId, taskId), {})), log);
  command(socket, 'revisit:outcome', revisitOutcomePayload, mapped(async ({ taskId, outcome, note }) => (await r.outcome(agentId, taskId, outcome, note), {})), log);
}
