// Switch commands for the ACD, each sent to the node the call lives on (a call's legs all live on
// one node; a leg the registry does not know yet goes to the first node).
import type { SwitchPort } from '../acd/ports.ts';
import type { TransferSwitch } from '../acd/transfer.ts';
import type { CallRegistry } from '../calls/registry.ts';
import { switchCommands, type SwitchCommands } from '../freeswitch/commands.ts';
import type { InboundNode } from '../freeswitch/inbound-node.ts';

export type AcdSwitch = SwitchPort & TransferSwitch & Pick<SwitchCommands, 'record' | 'conference' | 'setVars'>;

export function dispatchingCommands(nodes: readonly InboundNode[], registry: CallRegistry): AcdSwitch {
  const byName = new Map(nodes.map((n) => [n.name, switchCommands((c) => n.api(c), (c, ms) => n.bgapi(c, ms))]));
  const first = nodes[0];
  const fallback = first ? byName.get(first.name) : undefined;
  const forUuid = (uuid: string): SwitchCommands => {
    const node = (registry.get(uuid) ?? registry.byLeg(uuid))?.node;
    const cmds = (node && byName.get(node)) ?? fallback;
    if (!cmds) throw new Error('no FreeSWITCH node configured');
    return cmds;
  };
  return {
    originateInBackground: (o, ms) => forUuid(o.vars?.hotline_call_id ?? '').originateInBackground(o, ms),
    bridge: (a, b) => forUuid(a).bridge(a, b),
    kill: (uuid, cause) => forUuid(uuid).kill(uuid, cause),
    transfer: (uuid, ext, ctx, leg) => forUuid(uuid).transfer(uuid, ext, ctx, leg),
    broadcast: (uuid, path, leg) => forUuid(uuid).broadcast(uuid, path, leg),
    setVar: (uuid, name, value) => forUuid(uuid).setVar(uuid, name, value),
    setVars: (uuid, vars) => forUuid(uuid).setVars(uuid, vars),
    hold: (uuid, on) => forUuid(uuid).hold(uuid, on),
    record: (uuid, action, path) => forUuid(uuid).record(uuid, action, path),
    // A call's room is named after its caller leg (hotline-<call id>): it lives on that call's node.
    conference: (name, action, member) => forUuid(name.replace(/^hotline-/, '')).conference(name, action, member),
  };
}
