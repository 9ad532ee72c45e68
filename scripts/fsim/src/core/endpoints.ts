// Simulated far ends: callers (placeCall), registered agent phones (user/<id>), gateways (the 110
// gateway, department numbers) and any other sofia URI. They decide when a leg rings, answers,
// rejects or hangs up, and report simple JSON-able events for the control API's WebSocket feed.
import { randomUUID } from 'node:crypto';
import type { Channel } from './channel.ts';
import type { EndpointBehaviour } from './config.ts';
import type { DialLeg } from './dialstring.ts';
import type { EndpointEvent, EndpointEventListener, EndpointsPort, ResolvedLeg, SwitchCore } from './switch-core.ts';
import { setInboundVars } from './sofia-vars.ts';
import { farEndHangup } from './state-machine.ts';
import { queueDtmf } from './dtmf.ts';
import { referNotifyDelayMs } from './deflect.ts';
import { SIP_REPLY, setOutgoingAnswerVars, setOutgoingFailureVars, setOutgoingReplyVars } from './sofia-out.ts';

export type { EndpointEvent, EndpointEventListener } from './switch-core.ts';

export interface PlaceCallOptions {
  from: string | { number: string; name?: string };
  to: string;
  profile?: string;
  sipHeaders?: Readonly<Record<string, string>>;
  dtmf?: readonly { afterMs: number; digits: string }[];
  /** Hang up if not answered by an agent / bridged in time (ORIGINATOR_CANCEL when unanswered). */
  patienceMs?: number;
  hangupAfterMs?: number;
  uuid?: string;
  /** The caller's IP address (Caller-Network-Addr, sip_network_ip; the 110 gateway's for 110 calls). Default 127.0.0.1. */
  fromAddr?: string;
  /** The caller's phone, asked to transfer (uuid_deflect's REFER), sends its final NOTIFY this long after its 100 Trying (default at once). */
  referNotifyAfterMs?: number;
}

export class Endpoints implements EndpointsPort {
  private readonly users = new Map<string, EndpointBehaviour>();
  /** The profile each user registered on: sofia_contact's channel is on that profile (sofia/internal/...). */
  private readonly userProfiles = new Map<string, string>();
  private readonly listeners = new Set<EndpointEventListener>();
  private readonly manual = new Map<string, (outcome: string) => void>();
  private readonly timers = new Set<() => void>();
  private port = 5080;

  constructor(private readonly sw: SwitchCore) {}

  on(l: EndpointEventListener): () => void {
    this.listeners.add(l);
    return () => this.listeners.delete(l);
  }

  emit(ev: EndpointEvent): void {
    for (const l of [...this.listeners]) {
      try {
        l(ev);
      } catch {
        // a feed listener must not break the switch
      }
    }
  }

  registerUser(id: string, b: EndpointBehaviour, profile?: string): void {
    this.users.set(id, b);
    if (profile) this.userProfiles.set(id, profile);
    else this.userProfiles.delete(id);
  }

  unregisterUser(id: string): void {
    this.users.delete(id);
    this.userProfiles.delete(id);
  }

  private after(ms: number, fn: () => void): void {
    const cancel = this.sw.clock.after(ms, () => {
      this.timers.delete(cancel);
      fn();
    });
    this.timers.add(cancel);
  }

  close(): void {
    for (const c of this.timers) c();
    this.timers.clear();
  }

  /** Which channel name / behaviour a dial leg gets, or the cause it fails with at once. */
  resolve(leg: DialLeg): ResolvedLeg {
    const cfg = this.sw.config;
    const prof = cfg.profiles[0];
    if (leg.kind === 'user') {
      // The user endpoint expands the directory's dial-string, ${sofia_contact(*/id@domain)}: an api
      // call of its own, with its API event before the leg exists (captures 15, 15b).
      const domain = leg.detail.split('@')[1] ?? cfg.domain;
      this.sw.fire(this.sw.eb.plain('API', [['API-Command', 'sofia_contact'], ['API-Command-Argument', `*/${leg.target}@${domain}`]]));
      const b = this.users.get(leg.target);
      if (!b) return { cause: cfg.users && !cfg.users.includes(leg.target) ? 'SUBSCRIBER_ABSENT' : 'USER_NOT_REGISTERED' };
      const port = 5100 + (Number(leg.target) % 1000 || 0);
      const reg = cfg.profiles.find((p) => p.name === this.userProfiles.get(leg.target)) ?? prof;
      return { name: `sofia/${reg?.name ?? 'internal'}/${leg.target}@${prof?.ip ?? '127.0.0.1'}:${port}`, behaviour: b, presence: `${leg.target}@${cfg.domain}`, destination: leg.target, username: leg.target };
    }
    if (leg.kind === 'gateway') {
      const gw = cfg.gateways?.find((g) => g.name === leg.target);
      if (!gw) return { cause: 'CHAN_NOT_IMPLEMENTED' };
      const b = gw.numbers?.[leg.detail] ?? gw.numbers?.['*'] ?? { answerAfterMs: 1000 };
      return { name: `sofia/gateway/${gw.name}/${leg.detail}`, behaviour: b, destination: leg.detail };
    }
    if (leg.kind === 'sofia') {
      const user = leg.detail.replace(/^sip:/, '').split('@')[0] ?? '';
      const b = this.users.get(user) ?? this.users.get(leg.detail) ?? { answerAfterMs: 20 };
      return { name: `sofia/${leg.target}/${leg.detail.replace(/^sip:/, '')}`, behaviour: b, destination: user };
    }
    if (leg.kind === 'loopback') return { name: `loopback/${leg.target}-a`, behaviour: { answerAfterMs: 0 }, destination: leg.target };
    return { cause: 'CHAN_NOT_IMPLEMENTED' };
  }

  /** Far-end behaviour of an outgoing leg: resolves 'answered' or the hangup cause. */
  farEnd(ch: Channel, b: EndpointBehaviour, timeoutMs: number, aLeg?: Channel): Promise<string> {
    return new Promise((resolve) => {
      let settled = false;
      const settle = (o: string): void => {
        if (settled) return;
        settled = true;
        this.manual.delete(ch.uuid);
        if (o === 'answered' && !ch.isHungUp) {
          if (ch.endpoint === 'sofia') {
            setOutgoingAnswerVars(ch, this.sw.profileIp(ch));
            if (ch.profile) ch.profile.networkAddr = ch.vars.get('sip_network_ip') ?? '';
          }
          this.sw.answer(ch);
          if (b.hangupAfterMs !== undefined) this.after(b.hangupAfterMs, () => farEndHangup(this.sw, ch));
        }
        resolve(ch.isHungUp && o === 'answered' ? ch.hangupCause ?? 'NORMAL_CLEARING' : o);
      };
      ch.hangupCtl.signal.addEventListener('abort', () => settle(ch.hangupCause ?? 'NORMAL_CLEARING'), { once: true });
      aLeg?.hangupCtl.signal.addEventListener('abort', () => settle('ORIGINATOR_CANCEL'), { once: true });
      if (b.rejectCause) {
        // A 486 before any 180: no CHANNEL_PROGRESS (capture 16).
        this.after(20, () => {
          const cause = b.rejectCause ?? 'CALL_REJECTED';
          const [code, phrase] = SIP_REPLY[cause] ?? [603, 'Decline'];
          if (!settled && !ch.isHungUp && ch.endpoint === 'sofia') setOutgoingFailureVars(ch, code, phrase, cause);
          settle(cause);
        });
        return;
      }
      // A manual phone may answer as soon as its INVITE arrives (a 200 with no 180 before it is
      // valid SIP): the ringing event went out with the INVITE, and a softphone that picks up
      // within the 180's 20 ms used to find no manual handler, so its answer only marked the
      // channel and the originate waited for NO_ANSWER.
      if (b.manual) this.manual.set(ch.uuid, settle);
      this.after(20, () => {
        if (settled) return;
        // The 180's dialog headers (sip_* variables) and the far end's address come with it.
        if (ch.endpoint === 'sofia') {
          setOutgoingReplyVars(ch);
          if (ch.profile) ch.profile.networkAddr = ch.vars.get('sip_network_ip') ?? '';
        }
        this.sw.ringReady(ch);
        this.after(timeoutMs, () => settle('NO_ANSWER'));
        if (!b.manual && !b.neverAnswer) this.after(Math.max(0, (b.answerAfterMs ?? 1000) - 20), () => settle('answered'));
      });
    });
  }

  /** Answer a ringing leg (manual phones) or an inbound call (a caller's UA answering is n/a). */
  answer(uuid: string): boolean {
    const f = this.manual.get(uuid);
    if (f) {
      f('answered');
      return true;
    }
    const ch = this.sw.channels.get(uuid);
    if (!ch || ch.isHungUp) return false;
    this.sw.answer(ch);
    return true;
  }

  sendDtmf(uuid: string, digits: string): boolean {
    const ch = this.sw.channels.get(uuid);
    if (!ch || ch.isHungUp) return false;
    queueDtmf(this.sw, ch, digits, 'RTP');
    return true;
  }

  /** A caller's INVITE arriving on a sofia profile. */
  placeCall(o: PlaceCallOptions): string {
    const sw = this.sw;
    const cfg = sw.config;
    const prof = cfg.profiles.find((p) => p.name === o.profile) ?? cfg.profiles[0];
    const from = typeof o.from === 'string' ? { number: o.from, name: o.from } : { number: o.from.number, name: o.from.name ?? o.from.number };
    const host = o.fromAddr ?? '127.0.0.1';
    const port = this.port++;
    if (this.port > 5999) this.port = 5080;
    const ch = sw.newChannel(`sofia/${prof?.name ?? 'internal'}/${from.number}@${host}:${port}`, 'inbound', 'sofia', o.uuid ?? randomUUID());
    sw.chEvent('CHANNEL_STATE', ch);
    const now = sw.clock.nowUs();
    ch.presenceId = `${from.number}@${host}`;
    ch.profile = {
      username: from.number, dialplan: 'XML', callerIdName: from.name, callerIdNumber: from.number,
      origCallerIdName: from.name, origCallerIdNumber: from.number, networkAddr: host, ani: from.number,
      destinationNumber: o.to, source: 'mod_sofia', context: prof?.context ?? 'default', profileIndex: 1, profileCreatedUs: now,
    };
    setInboundVars(ch, {
      fromUser: from.number, fromDisplay: from.name, fromHost: host, fromPort: port, profile: prof?.name ?? 'internal',
      profileIp: prof?.ip ?? '127.0.0.1', profilePort: prof?.port ?? 5060, dest: o.to,
      callId: `${randomUUID()}@${host}`, fromTag: Math.random().toString(36).slice(2, 12), sessionId: sw.sessionId(),
      stampUs: now, ...(o.sipHeaders ? { headers: o.sipHeaders } : {}),
    });
    if (o.referNotifyAfterMs !== undefined) referNotifyDelayMs.set(ch, o.referNotifyAfterMs);
    sw.request(ch, 'CS_INIT');
    sw.run(ch, 'CS_INIT');
    sw.request(ch, 'CS_ROUTING');
    sw.chEvent('CHANNEL_CREATE', ch);
    sw.setCallState(ch, 'RINGING');
    this.emit({ type: 'ringing', uuid: ch.uuid, to: o.to, from: from.number });
    const startMs = 0;
    if (o.patienceMs !== undefined) {
      this.after(o.patienceMs, () => {
        if (ch.isHungUp) return;
        if (!ch.bridgedTo) farEndHangup(sw, ch, ch.answered ? 'NORMAL_CLEARING' : 'ORIGINATOR_CANCEL');
      });
    }
    if (o.hangupAfterMs !== undefined) {
      this.after(o.hangupAfterMs, () => farEndHangup(sw, ch, ch.answered ? 'NORMAL_CLEARING' : 'ORIGINATOR_CANCEL'));
    }
    for (const d of o.dtmf ?? []) this.after(startMs + d.afterMs, () => { if (!ch.isHungUp) queueDtmf(sw, ch, d.digits, 'RTP'); });
    ch.hangupCtl.signal.addEventListener('abort', () => {
      // Only a BYE/CANCEL from the caller's side: a hangup FreeSWITCH decides (uuid_kill, the
      // hangup application) sends the BYE and reports send_bye at CS_REPORTING (captures 02, 19).
      if (ch.farEndHangup && (ch.hangupCause === 'ORIGINATOR_CANCEL' || ch.hangupCause === 'NORMAL_CLEARING'))
        ch.vars.set('sip_hangup_disposition', ch.answered ? 'recv_bye' : 'recv_cancel');
    }, { once: true });
    void sw.routeAndExecute(ch).catch((e: unknown) => sw.log.error?.('channel thread failed', e));
    return ch.uuid;
  }
}
