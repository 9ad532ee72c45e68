// Picks the agent's phone by PhoneConfig.kind (phone-base.ts has the interface both implement).
import type { PhoneConfig } from '../../../server/src/realtime/events.ts';
import type { Phone } from './phone-base.ts';

export async function createPhone(config: PhoneConfig, audio: HTMLAudioElement): Promise<Phone> {
  // Loaded on demand: a simulated deployment never downloads SIP.js, and the reverse.
  if (config.kind === 'simulated') {
    const { SimPhone } = await import('./sim-phone.ts');
    return new SimPhone(config);
  }
  const { SipPhone } = await import('./sip-phone.ts');
  return new SipPhone(config, audio);
}
