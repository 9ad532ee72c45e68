// mod_loopback: dialling loopback/EXT[/CONTEXT] creates two channels. The -a leg is the outgoing
// leg the originator holds; the -b leg is a new inbound call to EXT in CONTEXT that runs the
// dialplan. Answering -b answers -a first (captures 05, 07b: ANSWER -a, then ANSWER -b), DTMF
// sent to -a comes out on -b, and hanging up either hangs up the other with the same cause.
// Both use L16 at 8 kHz (128 kbit/s) from the start and fire no CODEC events.
import type { Channel } from './channel.ts';
import type { DialLeg } from './dialstring.ts';
import type { SwitchCore } from './switch-core.ts';

const L16 = { name: 'L16', rate: '8000', bitRate: '128000' };

function codecVars(ch: Channel): void {
  ch.codec = { ...L16 };
  ch.mediaUp = true;
  ch.vars.set('read_codec', 'L16');
  ch.vars.set('read_rate', '8000');
  ch.vars.set('write_codec', 'L16');
  ch.vars.set('write_rate', '8000');
}

/** Variables of the -a leg at CHANNEL_CREATE. */
export function setLoopbackAVars(sw: SwitchCore, ch: Channel, leg: DialLeg): void {
  const v = ch.vars;
  v.set('direction', 'outbound');
  v.set('is_outbound', 'true');
  v.set('uuid', ch.uuid);
  v.set('call_uuid', ch.uuid);
  v.set('session_id', String(sw.sessionId()));
  codecVars(ch);
  v.set('channel_name', ch.name);
  for (const [k, val] of Object.entries(leg.vars)) v.set(k, val);
  v.set('originate_early_media', 'true');
  v.set('originate_endpoint', 'loopback');
}

/** Create the -b leg and link the pair (before -a's CHANNEL_CREATE, which shows the link). */
export function createLoopbackB(sw: SwitchCore, a: Channel, leg: DialLeg): Channel {
  const b = sw.newChannel(`loopback/${leg.target}-b`, 'inbound', 'loopback');
  const ap = a.profile;
  b.hitDialplan = true;
  b.profile = {
    dialplan: 'xml', callerIdName: ap?.origCallerIdName ?? '', callerIdNumber: ap?.origCallerIdNumber ?? '0000000000',
    origCallerIdName: ap?.origCallerIdName ?? '', origCallerIdNumber: ap?.origCallerIdNumber ?? '0000000000',
    calleeIdName: 'Outbound Call', calleeIdNumber: leg.detail, networkAddr: '', ani: ap?.ani ?? '0000000000',
    destinationNumber: leg.target, source: 'mod_loopback', context: leg.detail, profileIndex: 1,
    profileCreatedUs: ap?.profileCreatedUs ?? sw.clock.nowUs(),
  };
  const v = b.vars;
  v.set('direction', 'inbound');
  v.set('uuid', b.uuid);
  v.set('call_uuid', b.uuid);
  v.set('session_id', String(sw.sessionId()));
  v.set('channel_name', b.name);
  codecVars(b);
  // The dial string's {vars} reach the -b leg too (07b: origination_uuid on loopback/9001-b).
  for (const [k, val] of Object.entries(leg.vars)) v.set(k, val);
  v.set('other_loopback_leg_uuid', a.uuid);
  v.set('loopback_leg', 'B');
  a.vars.set('other_loopback_leg_uuid', b.uuid);
  a.vars.set('loopback_leg', 'A');
  a.loopbackPeer = b.uuid;
  b.loopbackPeer = a.uuid;
  return b;
}

/** Start the -b leg's thread: CHANNEL_CREATE, then it routes like an inbound call. */
export function startLoopbackB(sw: SwitchCore, b: Channel): void {
  sw.request(b, 'CS_INIT');
  sw.run(b, 'CS_INIT');
  sw.request(b, 'CS_ROUTING');
  sw.chEvent('CHANNEL_CREATE', b);
  sw.setCallState(b, 'RINGING');
  void sw.routeAndExecute(b).catch((e: unknown) => sw.log.error?.('loopback thread failed', e));
}

/** How dialling the -a leg ends: 'answered' once -b answers, else the cause. */
export function loopbackOutcome(sw: SwitchCore, a: Channel, timeoutMs: number, originator: Channel | undefined): Promise<string> {
  return new Promise((resolve) => {
    let done = false;
    const cleanup: (() => void)[] = [];
    const settle = (o: string): void => {
      if (done) return;
      done = true;
      for (const c of cleanup) c();
      resolve(o);
    };
    if (a.answered) return settle('answered');
    if (a.isHungUp) return settle(a.hangupCause ?? 'NORMAL_CLEARING');
    cleanup.push(sw.onEndpointEvent((e) => {
      if (e.type === 'answered' && e.uuid === a.uuid) settle('answered');
    }));
    const onHang = (): void => settle(a.hangupCause ?? 'NORMAL_CLEARING');
    a.hangupCtl.signal.addEventListener('abort', onHang, { once: true });
    cleanup.push(() => a.hangupCtl.signal.removeEventListener('abort', onHang));
    const onOrig = (): void => settle('ORIGINATOR_CANCEL');
    originator?.hangupCtl.signal.addEventListener('abort', onOrig, { once: true });
    cleanup.push(() => originator?.hangupCtl.signal.removeEventListener('abort', onOrig));
    cleanup.push(sw.clock.after(timeoutMs, () => settle('NO_ANSWER')));
  });
}

/** The other half of a loopback pair, if it is still there. */
export function loopbackPeerOf(sw: SwitchCore, ch: Channel): Channel | undefined {
  const p = ch.loopbackPeer ? sw.channels.get(ch.loopbackPeer) : undefined;
  return p && !p.destroyed ? p : undefined;
}
