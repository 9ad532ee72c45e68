// `load`'s call book, kept in the fsim process from the simulated endpoints' events (all times on
// this process's performance.now()): when each caller was placed, answered by the service's IVR,
// finished its welcome prompt (= joined the queue), which agent leg rang for it and when, when it
// was bridged and when it ended; and, per agent phone, when it hung up while callers were waiting,
// so the next ring of that phone measures "agent free -> next offer".
import type { EndpointEvent } from '../../fsim/src/core/index.ts';

export interface CallRec {
  placedAt: number;
  /** Placed inside the measured window (counts as offered). */
  measured: boolean;
  answeredAt?: number;
  joinedAt?: number;
  ringAt?: number;
  bridgedAt?: number;
  endedAt?: number;
  cause?: string;
}

interface AgentLeg {
  ext: string;
  ringAt: number;
  bridged: boolean;
}

export interface CallBookFigures {
  /** queue join -> caller bridged to its agent. */
  waitMs: number[];
  /** queue join -> the agent's phone rings. */
  dispatchMs: number[];
  /** An agent phone hung up while callers waited -> that phone rings again (minus the wrap-up). */
  freeToOfferMs: number[];
}

export class CallBook {
  readonly calls = new Map<string, CallRec>();
  private readonly legs = new Map<string, AgentLeg>();
  /** Agent ext -> when it hung up with callers waiting (its next ring is the offer). */
  private readonly freedAt = new Map<string, number>();
  private joinedNotBridged = 0;
  private ringingLegs = 0;
  private live = 0;
  maxWaiting = 0;
  readonly figures: CallBookFigures = { waitMs: [], dispatchMs: [], freeToOfferMs: [] };
  /** Figures are kept only while this is true (the measured window and its calls). */
  measuring = false;

  constructor(
    private readonly agentExts: ReadonlySet<string>,
    private readonly wrapUpMs: number,
    private readonly now: () => number,
  ) {}

  get liveCalls(): number {
    return this.live;
  }

  /** Callers in the queue with no agent ringing for them yet. */
  get waiting(): number {
    return Math.max(0, this.joinedNotBridged - this.ringingLegs);
  }

  placed(uuid: string, at: number): void {
    // The caller's own `ringing` event fires inside placeCall, before its uuid is known here.
    this.calls.set(uuid, { placedAt: at, measured: this.measuring });
    this.live++;
  }

  onEvent(ev: EndpointEvent): void {
    const t = this.now();
    const call = this.calls.get(ev.uuid);
    switch (ev.type) {
      case 'answered':
        if (call && call.answeredAt === undefined) call.answeredAt = t;
        break;
      case 'media':
        if (call && ev.state === 'stopped' && call.joinedAt === undefined && ev.file.includes('welcome')) {
          call.joinedAt = t;
          this.joinedNotBridged++;
          this.maxWaiting = Math.max(this.maxWaiting, this.waiting);
        }
        break;
      case 'ringing':
        if (this.agentExts.has(ev.to)) this.agentRings(ev.uuid, ev.to, t);
        break;
      case 'bridged':
        this.bridged(ev.uuid, ev.peer, t);
        break;
      case 'hangup':
        if (call) this.callerEnded(call, ev.cause, t);
        else this.agentHungUp(ev.uuid, t);
        break;
      default:
        break;
    }
  }

  private agentRings(uuid: string, ext: string, t: number): void {
    this.legs.set(uuid, { ext, ringAt: t, bridged: false });
    this.ringingLegs++;
    const freed = this.freedAt.get(ext);
    if (freed !== undefined) {
      this.freedAt.delete(ext);
      if (this.measuring) this.figures.freeToOfferMs.push(t - freed - this.wrapUpMs);
    }
  }

  private bridged(a: string, b: string, t: number): void {
    const [callerUuid, legUuid] = this.calls.has(a) ? [a, b] : [b, a];
    const call = this.calls.get(callerUuid);
    const leg = this.legs.get(legUuid);
    if (!call || !leg || call.bridgedAt !== undefined) return;
    call.bridgedAt = t;
    call.ringAt = leg.ringAt;
    leg.bridged = true;
    this.ringingLegs--;
    if (call.joinedAt !== undefined) {
      this.joinedNotBridged--;
      if (call.measured) {
        this.figures.waitMs.push(t - call.joinedAt);
        this.figures.dispatchMs.push(leg.ringAt - call.joinedAt);
      }
    }
  }

  private callerEnded(call: CallRec, cause: string, t: number): void {
    if (call.endedAt !== undefined) return;
    call.endedAt = t;
    call.cause = cause;
    this.live--;
    if (call.joinedAt !== undefined && call.bridgedAt === undefined) this.joinedNotBridged--;
  }

  private agentHungUp(uuid: string, t: number): void {
    const leg = this.legs.get(uuid);
    if (!leg) return;
    this.legs.delete(uuid);
    if (!leg.bridged) {
      this.ringingLegs--;
      return;
    }
    // Only a phone freed while more callers wait than phones already freed for them is offered
    // the next caller at once (two phones freed for one caller: one of them stays idle).
    if (this.waiting > this.freedAt.size) this.freedAt.set(leg.ext, t);
  }

  /** Agent legs still known (ringing or talking). */
  get agentLegs(): number {
    return this.legs.size;
  }
}
