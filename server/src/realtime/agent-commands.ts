// The /agent namespace's call and desk commands: hold, transfer, consultation, wrap-up, the
// caller's history, the transfer directory and the agent's own figures. An agent acts only on calls
// it has a leg in; the domain modules check the finer rules (talking, not already transferring).
import type { Socket } from 'socket.io';
import { TransferError } from '../acd/transfer.ts';
import { ThreeWayError } from '../handoff/threeway.ts';
import { DeskError } from '../desk/desk.ts';
import type { Logger } from '../log.ts';
import { command, CommandError } from './commands.ts';
import type { RealtimeDeps } from './deps.ts';
import { caseOwnerPayload, conferencePayload, consultPayload, emptyPayload, historyPayload, holdPayload, threeWayPayload, transferPayload, wrapUpPayload } from './events.ts';

function asCommandError(err: unknown): unknown {
  if (err instanceof TransferError) return new CommandError(err.code, err.message);
  if (err instanceof ThreeWayError) return new CommandError(err.code, err.message);
  if (err instanceof DeskError) return new CommandError(err.code, err.message);
  return err;
}

const mapped =
  <P, R>(run: (p: P) => Promise<R>) =>
  async (p: P): Promise<R> => {
    try {
      return await run(p);
    } catch (err) {
      throw asCommandError(err);
    }
  };

export function agentCallCommands(socket: Socket, agentId: string, deps: RealtimeDeps, log: Logger): void {
  const { transfers, desk } = deps;
  if (!transfers || !desk) return;

  /** A live call the agent has a leg in, or the ended call it is still wrapping up; not another agent's caller. */
  const mustBeMine = async (callId: string): Promise<void> => {
    const call = deps.registry.get(callId);
    const mine = call ? call.legs.some((l) => l.role === 'agent' && l.agentId === agentId) : (await deps.agents.get(agentId))?.callId === callId;
    if (!mine) throw new CommandError('forbidden', `call ${callId} is not yours`);
  };

  command(socket, 'call:hold', holdPayload, mapped(async ({ callId, on }) => {
    await transfers.hold(callId, agentId, on);
    return {};
  }), log);

  command(socket, 'call:transfer', transferPayload, mapped(async ({ callId, mode, target }) => {
    await transfers.transfer(callId, agentId, mode, target);
    return {};
  }), log);

  command(socket, 'call:consult', consultPayload, mapped(async ({ callId, action }) => {
    if (action === 'conference') {
      if (!deps.threeWay) throw new CommandError('invalid', 'three-way calls are not available');
      await deps.threeWay.fromConsult(callId, agentId);
    } else {
      await transfers.consult(callId, agentId, action);
    }
    return {};
  }), log);

  const threeWay = deps.threeWay;
  if (threeWay) {
    command(socket, 'call:three-way', threeWayPayload, mapped(async ({ callId, target }) => {
      await threeWay.start(callId, { kind: 'agent', agentId }, target);
      return {};
    }), log);

    command(socket, 'call:conference', conferencePayload, mapped(async ({ callId, action }) => {
      await threeWay.member(callId, agentId, action);
      return {};
    }), log);

    command(socket, 'call:case-owner', caseOwnerPayload, mapped(async ({ callId, owner }) => {
      const partners = deps.handoffs?.partners.map((p) => p.id) ?? [];
      threeWay.caseOwner(callId, { kind: 'agent', agentId }, owner, ['12345', ...partners]);
      return {};
    }), log);
  }

  command(socket, 'call:wrap-up', wrapUpPayload, mapped(async (p) => {
    const w = await desk.wrapUp(agentId, { callId: p.callId, category: p.category, summary: p.summary, ...(p.ticketRef ? { ticketRef: p.ticketRef } : {}), ...(p.kbEntryId ? { kbEntryId: p.kbEntryId } : {}) });
    return { wrapUp: w };
  }), log);

  command(socket, 'caller:history', historyPayload, mapped(async ({ callId }) => {
    await mustBeMine(callId);
    return { calls: await desk.history(callId) };
  }), log);

  command(socket, 'directory:get', emptyPayload, async () => {
    const agents = (await deps.agents.list()).filter((a) => a.id !== agentId).map((a) => ({ id: a.id, name: a.name, state: a.state }));
    agents.sort((a, b) => a.id.localeCompare(b.id));
    return { directory: { agents, queues: deps.queueConfigs.map((q) => q.name) } };
  }, log);

  command(socket, 'stats:get', emptyPayload, async () => ({ stats: await desk.figures(agentId) }), log);
}
