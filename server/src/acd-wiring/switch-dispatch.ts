// Switch commands for the ACD, each sent to the node the call lives on (a call's legs all live on
// one node; a leg the registry does not know yet goes to the first node). With more than one switch
// an agent's phone may be registered on another node than the call: the leg is still originated on
// the call's node, through the trunk to the phone's (freeswitch/phone-location.ts).
import type { SwitchPort } from '../acd/ports.ts';
import type { TransferSwitch } from '../acd/transfer.ts';
import type { CallRegistry } from '../calls/registry.ts';
import { switchCommands, type SwitchCommands } from '../freeswitch/commands.ts';
import type { InboundNode } from '../freeswitch/inbound-node.ts';
import { phoneDialstring, type PhoneSwitch } from '../freeswitch/phone-location.ts';

export type AcdSwitch = SwitchPort & TransferSwitch & Pick<SwitchCommands, 'record' | 'conference' | 'setVars'>;

/** `peerGateways`: per node name, the gateway the other nodes reach its phones by (config). */
export function dispatchingCommands(nodes: readonly InboundNode[], registry: CallRegistry, peerGateways: Readonly<Record<string, string>> = {}): AcdSwitch {
  const byName = new Map(nodes.map((n) => [n.name, switchCommands((c) => n.api(c), (c, ms) => n.bgapi(c, ms))]));
  const first = nodes[0];
  const fallback = first ? byName.get(first.name) : undefined;
  const nodeOf = (uuid: string): string | undefined => (registry.get(uuid) ?? registry.byLeg(uuid))?.node;
  const forUuid = (uuid: string): SwitchCommands => {
    const node = nodeOf(uuid);
    const cmds = (node && byName.get(node)) ?? fallback;
    if (!cmds) throw new Error('no FreeSWITCH node configured');
    return cmds;
  };
  const switches: PhoneSwitch[] = nodes.map((n) => ({ name: n.name, peerGateway: peerGateways[n.name], api: (c) => n.api(c) }));
  const multiSwitch = switches.some((s) => s.peerGateway !== undefined);
  return {
    originateInBackground: async (o, ms) => {
      const callId = o.vars?.hotline_call_id ?? '';
      const node = nodeOf(callId) ?? first?.name ?? '';
      const dialstring = multiSwitch ? await phoneDialstring(o.dialstring, node, switches) : o.dialstring;
      return forUuid(callId).originateInBackground(dialstring === o.dialstring ? o : { ...o, dialstring }, ms);
    },
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
