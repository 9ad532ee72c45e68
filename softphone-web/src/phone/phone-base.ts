// The agent's phone as the rest of the softphone sees it. The service decides everything about a
// call; the phone only answers the leg the service rang, sends DTMF and mutes. Two implementations,
// a WebRTC SIP phone (sip-phone.ts) and fsim's simulated phone (sim-phone.ts), extend PhoneBase;
// phone.ts picks one by PhoneConfig.kind, so the UI never knows which one it runs. The types live
// here, apart from the factory, so the implementations and the factory do not import each other.
import type { PhoneConfig } from '../../../server/src/realtime/events.ts';

export type PhoneStatus = 'connecting' | 'ready' | 'reconnecting' | 'error' | 'stopped';

export type PhoneEvent =
  | { type: 'status'; status: PhoneStatus; detail?: string }
  | { type: 'ringing'; uuid: string; from?: string }
  | { type: 'answered'; uuid: string }
  | { type: 'ended'; uuid: string; cause?: string }
  | { type: 'mute'; on: boolean };

export type PhoneListener = (ev: PhoneEvent) => void;

export interface Phone {
  readonly kind: PhoneConfig['kind'];
  readonly status: PhoneStatus;
  readonly muted: boolean;
  /** Register the phone; resolves once the first attempt is made (it keeps retrying on its own). */
  start(): Promise<void>;
  /** Unregister and release everything (the agent signs out). */
  stop(): Promise<void>;
  /** Answer the leg the service rang (LegView.uuid). Rejects when no such leg rings here. */
  answer(uuid: string): Promise<void>;
  sendDtmf(uuid: string, digits: string): Promise<void>;
  setMute(on: boolean): void;
  on(listener: PhoneListener): () => void;
}

/** Valid DTMF digits, as the switch accepts them. */
export const DTMF_RE = /^[0-9*#A-D]{1,32}$/;

/** What both implementations share: listeners, status and the mute flag. */
export abstract class PhoneBase {
  private readonly listeners = new Set<PhoneListener>();
  private _status: PhoneStatus = 'stopped';
  protected _muted = false;

  get status(): PhoneStatus {
    return this._status;
  }
  get muted(): boolean {
    return this._muted;
  }

  on(listener: PhoneListener): () => void {
    this.listeners.add(listener);
    return () => void this.listeners.delete(listener);
  }

  protected emit(ev: PhoneEvent): void {
    for (const l of this.listeners) {
      try {
        l(ev);
      } catch (err) {
        console.error('phone listener failed', err);
      }
    }
  }

  protected setStatus(status: PhoneStatus, detail?: string): void {
    this._status = status;
    this.emit(detail === undefined ? { type: 'status', status } : { type: 'status', status, detail });
  }
}
