// Facts the realtime layer turns into deltas, published by the modules that own them (the call
// registry's hooks, the agent store's writes) without those modules knowing about Socket.IO.
import { EventEmitter } from 'node:events';
import type { AgentRecord } from '../acd/agent-state.ts';
import type { CallRecord } from '../calls/call-record.ts';
import type { Handoff } from '../handoff/handoff.ts';
import type { AgentNotice } from '../ops/supervision.ts';
import type { RevisitCard } from '../revisit/ports.ts';

export interface HubEvents {
  /** A call changed (the registry's onChanged). */
  call: [call: Readonly<CallRecord>];
  /** A call completed and left the registry. */
  callRemoved: [call: Readonly<CallRecord>];
  /** An agent record was written by this instance (state change or admin edit). */
  agent: [agent: Readonly<AgentRecord>];
  /** A handoff with a partner hotline changed (the dispatcher console). */
  handoff: [handoff: Readonly<Handoff>];
  /** A supervisor's message to one agent or all (the softphone shows it). */
  notice: [notice: Readonly<AgentNotice>];
  /** An agent's revisit preview card changed (null: none any more). */
  revisit: [agentId: string, card: RevisitCard | null];
}

export class RealtimeHub extends EventEmitter<HubEvents> {
  constructor() {
    super();
    // One listener per event per realtime server, plus tests: well under this.
    this.setMaxListeners(50);
  }

  /** Publish without letting a listener's error reach the publisher (a registry hook, a store write). */
  publish<K extends keyof HubEvents>(event: K, ...args: HubEvents[K]): void {
    try {
      (this.emit as (e: K, ...a: HubEvents[K]) => boolean)(event, ...args);
    } catch (err) {
      this.onError?.(err);
    }
  }

  onError?: (err: unknown) => void;
}
