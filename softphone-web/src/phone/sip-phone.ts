// The production phone: SIP over WSS with WebRTC audio (SIP.js). The service rings user/<agentId>;
// FreeSWITCH sends the INVITE with an X-Hotline-Leg header carrying the leg uuid the service knows,
// which is how answer(uuid) finds the right Invitation when several ring at once.
import { Registerer, SessionState, UserAgent, Web, type Invitation, type Session } from 'sip.js';
import type { PhoneConfig } from '../../../server/src/realtime/events.ts';
import { Retry } from '../state/backoff.ts';
import { DTMF_RE, PhoneBase, type Phone } from './phone-base.ts';

type SipConfig = Extract<PhoneConfig, { kind: 'sip' }>;

export const LEG_HEADER = 'X-Hotline-Leg';
/** How long answer() waits for an INVITE that the service's event announced before it arrived. */
const INVITE_WAIT_MS = 5000;

export class SipPhone extends PhoneBase implements Phone {
  readonly kind = 'sip' as const;
  private readonly ua: UserAgent;
  private readonly registerer: Registerer;
  /** Sessions by leg uuid: ringing Invitations and established calls. */
  private readonly sessions = new Map<string, Invitation>();
  private readonly waiters = new Map<string, (inv: Invitation) => void>();
  private readonly retryLoop = new Retry(() => void this.reconnect());
  private stopped = true;
  /** Without a microphone the phone registers but cannot take a call: shown as a fault. */
  private micError: string | undefined;

  constructor(
    config: SipConfig,
    private readonly audio: HTMLAudioElement,
  ) {
    super();
    const uri = UserAgent.makeURI(`sip:${config.user}@${config.domain}`);
    if (!uri) throw new Error(`invalid SIP address sip:${config.user}@${config.domain}`);
    const sdhOptions: Web.SessionDescriptionHandlerConfiguration = { peerConnectionConfiguration: { iceServers: config.iceServers } };
    this.ua = new UserAgent({
      uri,
      authorizationUsername: config.user,
      authorizationPassword: config.password,
      transportOptions: { server: config.wssUrl },
      sessionDescriptionHandlerFactoryOptions: sdhOptions,
      logLevel: 'warn',
      delegate: {
        onInvite: (inv) => this.onInvite(inv),
        onDisconnect: (err) => {
          // Without an error the disconnect was ours (stop()); otherwise the socket dropped.
          if (err && !this.stopped) this.retry(err.message);
        },
      },
    });
    this.registerer = new Registerer(this.ua);
    this.registerer.stateChange.addListener((s) => {
      if (s === 'Registered') {
        this.retryLoop.succeeded();
        if (this.micError) this.setStatus('error', this.micError);
        else this.setStatus('ready');
      } else if (s === 'Unregistered' && !this.stopped) this.setStatus('reconnecting', 'unregistered');
    });
  }

  async start(): Promise<void> {
    this.stopped = false;
    this.setStatus('connecting');
    // A browser coming back online reconnects at once instead of waiting out the backoff.
    window.addEventListener('online', this.onOnline);
    await this.checkMicrophone();
    try {
      await this.ua.start();
      await this.registerer.register();
    } catch (err) {
      this.retry(err instanceof Error ? err.message : String(err));
    }
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.retryLoop.cancel();
    window.removeEventListener('online', this.onOnline);
    await this.registerer.unregister().catch(() => undefined);
    await this.ua.stop().catch(() => undefined);
    this.setStatus('stopped');
  }

  async answer(uuid: string): Promise<void> {
    const inv = this.sessions.get(uuid) ?? (await this.waitForInvite(uuid));
    if (inv.state !== SessionState.Initial) throw new Error(`leg ${uuid} is not ringing`);
    this.setMute(false);
    await inv.accept({ sessionDescriptionHandlerOptions: { constraints: { audio: true, video: false } } });
  }

  async sendDtmf(uuid: string, digits: string): Promise<void> {
    if (!DTMF_RE.test(digits)) throw new Error(`invalid DTMF digits: ${digits}`);
    const session = this.sessions.get(uuid);
    if (!session || session.state !== SessionState.Established) throw new Error(`leg ${uuid} is not connected`);
    // RFC 2833/4733 telephone-events in the media path first (FreeSWITCH's default); SIP INFO
    // (application/dtmf-relay) when the peer connection has no DTMF sender.
    const sdh = session.sessionDescriptionHandler;
    if (sdh instanceof Web.SessionDescriptionHandler && sdh.sendDtmf(digits)) return;
    for (const digit of digits) {
      await session.info({
        requestOptions: { body: { contentDisposition: 'render', contentType: 'application/dtmf-relay', content: `Signal=${digit}\r\nDuration=160` } },
      });
    }
  }

  setMute(on: boolean): void {
    this._muted = on;
    // Disabling the microphone track sends silence without renegotiating (no re-INVITE, no hold).
    for (const session of this.sessions.values()) {
      const sdh = session.sessionDescriptionHandler;
      if (sdh instanceof Web.SessionDescriptionHandler) sdh.enableSenderTracks(!on);
    }
    this.emit({ type: 'mute', on });
  }

  /**
   * Ask for the microphone at sign-in rather than at the first answer: a permission prompt while a
   * caller waits would eat into the 15 seconds.
   */
  private async checkMicrophone(): Promise<void> {
    try {
      const stream = await navigator.mediaDevices.getUserMedia({ audio: true, video: false });
      for (const track of stream.getTracks()) track.stop();
      this.micError = undefined;
    } catch (err) {
      this.micError = `microphone: ${err instanceof Error ? err.message : String(err)}`;
      this.setStatus('error', this.micError);
    }
  }

  private readonly onOnline = (): void => {
    if (this.stopped || this.status === 'ready') return;
    this.retryLoop.cancel();
    void this.reconnect();
  };

  private retry(detail: string): void {
    if (this.stopped) return;
    this.setStatus('reconnecting', detail);
    this.retryLoop.schedule();
  }

  private async reconnect(): Promise<void> {
    if (this.stopped) return;
    try {
      await this.ua.reconnect();
      await this.registerer.register();
    } catch (err) {
      this.retry(err instanceof Error ? err.message : String(err));
    }
  }

  private waitForInvite(uuid: string): Promise<Invitation> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiters.delete(uuid);
        reject(new Error(`no incoming call for leg ${uuid}`));
      }, INVITE_WAIT_MS);
      this.waiters.set(uuid, (inv) => {
        clearTimeout(timer);
        this.waiters.delete(uuid);
        resolve(inv);
      });
    });
  }

  private onInvite(inv: Invitation): void {
    // Without the header (a misconfigured dialplan) the Call-ID still identifies the leg uniquely,
    // though the service will not recognise it: answer() then times out and says so.
    const uuid = inv.request.getHeader(LEG_HEADER) ?? inv.request.callId;
    this.sessions.set(uuid, inv);
    inv.stateChange.addListener((s) => this.onSessionState(uuid, inv, s));
    this.emit({ type: 'ringing', uuid, from: inv.remoteIdentity.uri.user ?? '' });
    this.waiters.get(uuid)?.(inv);
  }

  private onSessionState(uuid: string, session: Session, state: SessionState): void {
    if (state === SessionState.Established) {
      this.attachAudio(session);
      const sdh = session.sessionDescriptionHandler;
      if (sdh instanceof Web.SessionDescriptionHandler) sdh.enableSenderTracks(!this._muted);
      this.emit({ type: 'answered', uuid });
    } else if (state === SessionState.Terminated) {
      this.sessions.delete(uuid);
      if (this.audio.srcObject && this.sessions.size === 0) this.audio.srcObject = null;
      this.emit({ type: 'ended', uuid });
    }
  }

  private attachAudio(session: Session): void {
    const sdh = session.sessionDescriptionHandler;
    if (!(sdh instanceof Web.SessionDescriptionHandler)) return;
    const stream = sdh.remoteMediaStream;
    this.audio.srcObject = stream;
    const play = (): void => void this.audio.play().catch((err: unknown) => console.error('remote audio did not start', err));
    play();
    // Tracks may arrive after the session is established (ICE still running).
    stream.onaddtrack = play;
  }
}
