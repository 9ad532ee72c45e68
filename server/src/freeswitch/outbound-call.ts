// One call under our control through FreeSWITCH's outbound socket (`socket host:port async full`).
// Applications run one at a time per call in the order we send them; each resolves at its
// CHANNEL_EXECUTE_COMPLETE (matched by the Event-UUID we chose) and rejects at once if FreeSWITCH
// refuses it (e.g. `park`: the socket application already parks the channel), if the caller hangs
// up, or if the socket closes.
import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import { FreeSwitchCommandError, FreeSwitchDisconnected } from './errors.ts';
import { headerOf, type EslConnection, type EslEvent } from './esl-lib.ts';
import type { RawEvent } from './event-map.ts';

export class CallHungUp extends FreeSwitchDisconnected {}

interface Waiter {
  resolve(ev: RawEvent): void;
  reject(err: Error): void;
}

export function rawOf(ev: EslEvent): RawEvent {
  return { get: (n) => headerOf(ev, n), headers: () => ev.headers.map((h) => [h.name, String(h.value)] as [string, string]) };
}

export class OutboundCall {
  readonly uuid: string;
  /** The channel data FreeSWITCH sent in reply to `connect`. */
  readonly channel: RawEvent;
  private readonly waiters = new Map<string, Waiter>();
  private ended: Error | undefined;
  private readonly hangupListeners: (() => void)[] = [];

  constructor(
    private readonly conn: EslConnection,
    private readonly node: string,
    private readonly log: Logger,
  ) {
    const info = conn.getInfo();
    this.channel = rawOf(info);
    this.uuid = headerOf(info, 'Unique-ID') ?? '';
    conn.on('error', (err) => this.log.warn({ err }, 'outbound socket error'));
    conn.on(`esl::event::CHANNEL_EXECUTE_COMPLETE::${this.uuid}`, (...args: unknown[]) => {
      const ev = args[0] as EslEvent;
      const id = headerOf(ev, 'Application-UUID');
      const w = id === undefined ? undefined : this.waiters.get(id);
      if (!w || id === undefined) return;
      this.waiters.delete(id);
      w.resolve(rawOf(ev));
    });
    conn.on(`esl::event::CHANNEL_HANGUP::${this.uuid}`, () => this.end(new CallHungUp('caller hung up', node)));
    conn.on('esl::end', () => this.end(new FreeSwitchDisconnected('outbound socket closed', node)));
  }

  get hungUp(): boolean {
    return this.ended !== undefined;
  }

  onHangup(fn: () => void): void {
    if (this.ended) fn();
    else this.hangupListeners.push(fn);
  }

  /** Run a dialplan application on this channel; resolves with its CHANNEL_EXECUTE_COMPLETE. */
  execute(app: string, arg = ''): Promise<RawEvent> {
    if (this.ended) return Promise.reject(this.ended);
    const eventUuid = randomUUID();
    return new Promise<RawEvent>((resolve, reject) => {
      this.waiters.set(eventUuid, { resolve, reject });
      const headers: Record<string, string> = { 'call-command': 'execute', 'execute-app-name': app, 'Event-UUID': eventUuid };
      if (arg) headers['execute-app-arg'] = arg;
      this.conn.sendRecv(`sendmsg ${this.uuid}`, headers, (reply) => {
        const text = headerOf(reply, 'Reply-Text') ?? '';
        if (text.startsWith('-ERR') && this.waiters.delete(eventUuid)) reject(new FreeSwitchCommandError(text, this.node, `execute ${app}`));
      });
    });
  }

  async setVar(name: string, value: string): Promise<void> {
    await this.execute('set', `${name}=${value}`);
  }

  /** Hang up the channel (sendmsg call-command hangup). */
  hangup(cause = 'NORMAL_CLEARING'): Promise<void> {
    if (this.ended) return Promise.resolve();
    return new Promise((resolve) => {
      this.conn.sendRecv(`sendmsg ${this.uuid}`, { 'call-command': 'hangup', 'hangup-cause': cause }, () => resolve());
    });
  }

  /** Close our side of the socket (the channel goes on if it was handed elsewhere). */
  close(): void {
    try {
      this.conn.disconnect();
    } catch {
      /* already closed */
    }
  }

  private end(err: Error): void {
    if (this.ended) return;
    this.ended = err;
    for (const w of this.waiters.values()) w.reject(err);
    this.waiters.clear();
    for (const fn of this.hangupListeners.splice(0)) {
      try {
        fn();
      } catch (e) {
        this.log.error({ err: e }, 'hangup listener failed');
      }
    }
  }
}
