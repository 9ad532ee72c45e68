// fsim's simulated agent phone: registered through fsim's control API as a "manual" endpoint, so a
// leg ringing it waits for an explicit answer (POST /calls/{uuid}/answer) exactly as a person
// would pick up. There is no audio; mute is only a local flag.
import type { PhoneConfig } from '../../../server/src/realtime/events.ts';
import { Retry } from '../state/backoff.ts';
import { DTMF_RE, PhoneBase, type Phone } from './phone-base.ts';

type SimConfig = Extract<PhoneConfig, { kind: 'simulated' }>;

/** One line of fsim's /events stream (scripts/fsim/src/core/endpoints.ts EndpointEvent). */
type SimEvent =
  | { type: 'ringing'; uuid: string; to: string; from: string }
  | { type: 'answered'; uuid: string }
  | { type: 'hangup'; uuid: string; cause: string }
  | { type: 'dtmf'; uuid: string; digit: string }
  | { type: 'bridged'; uuid: string; peer: string }
  | { type: 'media'; uuid: string };

function parseEvent(data: unknown): SimEvent | undefined {
  if (typeof data !== 'string') return undefined;
  try {
    const ev = JSON.parse(data) as Partial<SimEvent>;
    return typeof ev.type === 'string' && typeof ev.uuid === 'string' ? (ev as SimEvent) : undefined;
  } catch {
    return undefined;
  }
}

export class SimPhone extends PhoneBase implements Phone {
  readonly kind = 'simulated' as const;
  private readonly base: string;
  private ws: WebSocket | undefined;
  private readonly retryLoop = new Retry(() => void this.connect());
  private stopped = false;

  constructor(private readonly config: SimConfig) {
    super();
    this.base = config.controlUrl.replace(/\/+$/, '');
  }

  async start(): Promise<void> {
    this.stopped = false;
    this.setStatus('connecting');
    await this.connect();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.retryLoop.cancel();
    this.ws?.close();
    this.ws = undefined;
    this.setStatus('stopped');
    // Unregister so fsim stops ringing a phone nobody watches; best effort.
    await fetch(`${this.base}/users/${encodeURIComponent(this.config.user)}`, { method: 'DELETE' }).catch(() => undefined);
  }

  async answer(uuid: string): Promise<void> {
    await this.post(`/calls/${encodeURIComponent(uuid)}/answer`, {});
  }

  async sendDtmf(uuid: string, digits: string): Promise<void> {
    if (!DTMF_RE.test(digits)) throw new Error(`invalid DTMF digits: ${digits}`);
    await this.post(`/calls/${encodeURIComponent(uuid)}/dtmf`, { digits });
  }

  setMute(on: boolean): void {
    this._muted = on;
    this.emit({ type: 'mute', on });
  }

  private async post(path: string, body: unknown): Promise<void> {
    const res = await fetch(this.base + path, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    if (!res.ok) {
      const msg = ((await res.json().catch(() => ({}))) as { error?: string }).error;
      throw new Error(msg ?? `phone control answered ${res.status}`);
    }
  }

  /** Register (again: fsim may have restarted) and open the event stream; retry on failure. */
  private async connect(): Promise<void> {
    if (this.stopped) return;
    try {
      const res = await fetch(`${this.base}/users/${encodeURIComponent(this.config.user)}`, {
        method: 'PUT',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ manual: true }),
      });
      if (!res.ok) throw new Error(`registration answered ${res.status}`);
    } catch (err) {
      return this.retry(err instanceof Error ? err.message : String(err));
    }
    if (this.stopped) return;
    const url = new URL(`${this.base}/events`);
    url.protocol = url.protocol === 'https:' ? 'wss:' : 'ws:';
    url.searchParams.set('user', this.config.user);
    const ws = new WebSocket(url);
    this.ws = ws;
    ws.onopen = () => {
      this.retryLoop.succeeded();
      this.setStatus('ready');
    };
    ws.onmessage = (m) => this.onEvent(parseEvent(m.data));
    ws.onclose = () => {
      if (this.ws !== ws) return;
      this.ws = undefined;
      this.retry('event stream closed');
    };
  }

  private retry(detail: string): void {
    if (this.stopped) return;
    this.setStatus('reconnecting', detail);
    this.retryLoop.schedule();
  }

  private onEvent(ev: SimEvent | undefined): void {
    if (!ev) return;
    switch (ev.type) {
      case 'ringing':
        return this.emit({ type: 'ringing', uuid: ev.uuid, from: ev.from });
      case 'answered':
        return this.emit({ type: 'answered', uuid: ev.uuid });
      case 'hangup':
        return this.emit({ type: 'ended', uuid: ev.uuid, cause: ev.cause });
      default:
        // dtmf, bridged and media describe the simulated audio path; nothing to show.
        return;
    }
  }
}
