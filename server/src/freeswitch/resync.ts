// After a reconnect the service missed whatever happened in the gap. `show channels as json` tells
// what is up now: legs we knew that are gone ended in the gap (their calls get closed out and their
// CDRs written); legs still up carry on; inbound calls that started in the gap are picked up.
import { z } from 'zod';
import type { SwitchEvent } from '../calls/switch-events.ts';

const rowSchema = z.object({
  uuid: z.string().min(1),
  direction: z.enum(['inbound', 'outbound']),
  created_epoch: z.string().regex(/^\d+$/),
  name: z.string().default(''),
  cid_name: z.string().default(''),
  cid_num: z.string().default(''),
  dest: z.string().default(''),
  context: z.string().default(''),
  callstate: z.string().default(''),
});

const showChannelsSchema = z.object({ row_count: z.number(), rows: z.array(rowSchema).optional() });

export type ChannelRow = z.infer<typeof rowSchema>;

/** Parses the body of `show channels as json`; throws with the field named if it is malformed. */
export function parseShowChannels(body: string): ChannelRow[] {
  const parsed = showChannelsSchema.parse(JSON.parse(body));
  return parsed.rows ?? [];
}

/** The cause recorded for a leg that ended while we were disconnected: the real one is unknown. */
export const GAP_CAUSE = 'ENDED_DURING_DISCONNECT';

export interface ResyncTarget {
  /** Legs of live calls on this node, as the service knows them. */
  knownLegs(node: string): string[];
  closeLeg(uuid: string, tsUs: number, cause: string): void;
  apply(ev: SwitchEvent): void;
}

export interface ResyncResult {
  readonly closed: string[];
  readonly kept: string[];
  readonly discovered: string[];
}

export function resync(node: string, rows: readonly ChannelRow[], target: ResyncTarget, nowUs: number): ResyncResult {
  const up = new Map(rows.map((r) => [r.uuid, r]));
  const known = target.knownLegs(node);
  const closed: string[] = [];
  const kept: string[] = [];
  for (const uuid of known) {
    if (up.has(uuid)) kept.push(uuid);
    else {
      target.closeLeg(uuid, nowUs, GAP_CAUSE);
      closed.push(uuid);
    }
  }
  const knownSet = new Set(known);
  const discovered: string[] = [];
  for (const r of rows) {
    // Only a caller's own leg opens a call; agent legs we originated carry variables we can't see here.
    if (knownSet.has(r.uuid) || r.direction !== 'inbound') continue;
    target.apply({
      type: 'channel-create',
      node,
      uuid: r.uuid,
      seq: 0,
      tsUs: Number(r.created_epoch) * 1_000_000,
      direction: 'inbound',
      callerNumber: r.cid_num,
      callerName: r.cid_name,
      destination: r.dest,
      context: r.context,
      channelName: r.name,
      vars: {},
    });
    discovered.push(r.uuid);
  }
  return { closed, kept, discovered };
}
