// More than one switch: an agent's phone is registered on one of them, and the caller's leg lives
// on one of them. The agent leg is always originated on the caller's switch (uuid_bridge joins two
// legs of one switch only); when the phone is registered elsewhere, that switch is reached through
// the inter-switch trunk: sofia/gateway/<peer gateway>/<extension> (dialplan/sip_profiles/peer.xml),
// and the peer rings the phone from its hotline_peer context.
//
// Where a phone is registered is asked of the switches at each offer (`sofia_contact */<ext>`, one
// round trip per switch, sent at once), not kept: a registration moves, expires or is lost with a
// switch restart, and a copy in the service would be stale exactly when it matters. A phone
// registered on both is rung on the caller's switch.
import { name, path } from './esl-values.ts';

/** A switch as the locator needs it: its node name, its API, and the gateway the others reach it by. */
export interface PhoneSwitch {
  readonly name: string;
  /** The gateway (on the other switches) that leads here; absent: not reachable from the others. */
  readonly peerGateway?: string | undefined;
  api(command: string): Promise<string>;
}

/** `user/<extension>` as agents' phones are written (esl-values agentPhone); the domain is the switch's default. */
const USER_PHONE = /^user\/([A-Za-z0-9_.-]{1,64})$/;

async function registeredOn(sw: PhoneSwitch, ext: string): Promise<boolean> {
  // "error/user_not_registered" when absent; a failed command (switch away) counts as absent.
  const contact = await sw.api(`sofia_contact */${ext}`).catch(() => '');
  return contact.trim().startsWith('sofia/');
}

/**
 * The dial string for an agent's phone offered a call that lives on `callNode`: the phone's own
 * (user/<ext>) if it is registered there, or unknown anywhere (the originate then fails as it
 * would on one switch); else the trunk to the switch it is registered on. Other phones
 * (gateways for remote agents) are dialled as they are.
 */
export async function phoneDialstring(dialstring: string, callNode: string, switches: readonly PhoneSwitch[]): Promise<string> {
  const m = USER_PHONE.exec(dialstring);
  const here = switches.find((s) => s.name === callNode);
  const peers = switches.filter((s) => s.name !== callNode && s.peerGateway !== undefined);
  if (!m || !here || peers.length === 0) return dialstring;
  const ext = name(m[1], 'extension');
  const [local, ...remote] = await Promise.all([here, ...peers].map((s) => registeredOn(s, ext)));
  if (local) return dialstring;
  const at = peers.find((_, i) => remote[i]);
  return at ? path(`sofia/gateway/${name(at.peerGateway, 'gateway')}/${ext}`, 'dial string') : dialstring;
}
