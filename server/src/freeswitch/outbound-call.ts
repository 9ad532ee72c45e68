// One call under our control through FreeSWITCH's outbound socket (`socket host:port async full`).
// Applications run one at a time per call in the order we send them; each resolves at its
// CHANNEL_EXECUTE_COMPLETE (matched by the Event-UUID we chose) and rejects at once if FreeSWITCH
// refuses it (e.g. `park`: the socket application already parks the channel), if the caller hangs
// up, or if the socket closes.
import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import { FreeSwitchCommandError, FreeSwitchDisconnected } from './errors.ts';
import type { EslConnection } from './esl-connection.ts';
import type { EslEvent, HeaderView } from './esl-message.ts';
import * as val from './esl-values.ts';
import type { RawEvent } from './event-map.ts';

export class CallHungUp extends FreeSwitchDisconnected {}
/** The call was handed to the dialplan and this socket closed: nothing more runs through it. */
export class CallReleased extends FreeSwitchDisconnected {}

interface Waiter {
  resolve(ev: RawEvent): void;
  reject(err: Error): void;
}

/** An application argument travels as a sendmsg header line: it must not end the line. */
const APP_ARG = /^[^\r\n\0]{0,4096}$/;

export class OutboundCall {
  readonly uuid: string;
  /** The channel data FreeSWITCH sent in reply to `connect`. */
  readonly channel: RawEvent;
  private readonly waiters = new Map<string, Waiter>();
  private ended: Error | undefined;
  private released = false;
  private readonly hangupListeners: (() => void)[] = [];

  /**
   * `channel` is the connect reply; its Unique-ID must be a UUID (the listener checks before it
   * builds a call, so this throws only on a programming error).
   */
  constructor(
    private readonly conn: EslConnection,
    channel: HeaderView,
    private readonly node: string,
    private readonly log: Logger,
  ) {
    this.channel = channel;
    this.uuid = val.uuid(channel.get('Unique-ID'));
  }

  /** The listener hands every event of this connection here. */
  onEvent(ev: EslEvent): void {
    const name = ev.get('Event-Name');
    if (ev.get('Unique-ID') !== this.uuid) return;
    if (name === 'CHANNEL_EXECUTE_COMPLETE') {
      const id = ev.get('Application-UUID');
      const w = id === undefined ? undefined : this.waiters.get(id);
      if (!w || id === undefined) return;
      this.waiters.delete(id);
      w.resolve(ev);
    } else if (name === 'CHANNEL_HANGUP') {
      this.end(new CallHungUp('caller hung up', this.node));
    }
  }

  /** The connection closed. */
  onClosed(): void {
    this.end(new FreeSwitchDisconnected('outbound socket closed', this.node));
  }

  /** The caller hung up, or the socket closed under us (not: we released the call). */
  get hungUp(): boolean {
    return this.ended !== undefined && !this.released;
  }

  onHangup(fn: () => void): void {
    if (this.ended) fn();
    else this.hangupListeners.push(fn);
  }

  /** Run a dialplan application on this channel; resolves with its CHANNEL_EXECUTE_COMPLETE. */
  execute(app: string, arg = ''): Promise<RawEvent> {
    if (this.ended) return Promise.reject(this.ended);
    let headers: Record<string, string>;
    try {
      headers = { 'call-command': 'execute', 'execute-app-name': val.name(app, 'application') };
      if (arg) headers['execute-app-arg'] = val.match(APP_ARG, arg, `argument of ${app}`);
    } catch (err) {
      return Promise.reject(err as Error);
    }
    const eventUuid = randomUUID();
    headers['Event-UUID'] = eventUuid;
    return new Promise<RawEvent>((resolve, reject) => {
      this.waiters.set(eventUuid, { resolve, reject });
      this.conn.send(`sendmsg ${this.uuid}`, headers).then(
        (reply) => {
          if (reply.text.startsWith('-ERR') && this.waiters.delete(eventUuid)) reject(new FreeSwitchCommandError(reply.text, this.node, `execute ${app}`));
        },
        (err: Error) => {
          if (this.waiters.delete(eventUuid)) reject(err);
        },
      );
    });
  }

  async setVar(name: string, value: string): Promise<void> {
    await this.execute('set', `${val.varName(name)}=${val.varValue(value, name)}`);
  }

  /** Hang up the channel (sendmsg call-command hangup). */
  async hangup(cause = 'NORMAL_CLEARING'): Promise<void> {
    if (this.ended) return;
    const headers = { 'call-command': 'hangup', 'hangup-cause': val.cause(cause) };
    await this.conn.send(`sendmsg ${this.uuid}`, headers).then(
      () => {},
      (err: unknown) => this.log.debug({ err }, 'hangup not sent: the socket is gone'),
    );
  }

  /** Close our side of the socket (the channel goes on if it was handed elsewhere). */
  close(): void {
    this.conn.close('call closed');
  }

  /**
   * The caller now waits in the dialplan (uuid_transfer succeeded): close the socket. Kept open,
   * it lived as long as the call, and each one cost both sides for nothing: the switch keeps one
   * listener per socket and checks every event of every channel against each of them
   * (mod_event_socket's event_handler walks the whole listener list), copying the channel's own
   * events into it; this process held the socket, its buffers and the channel data. Closing it
   * does not touch the channel: without `resume` (or socket_resume) the listener only lets go of
   * its session lock (mod_event_socket.c, end of listener_run); the socket application already
   * returned when the transfer broke its park.
   */
  release(): void {
    if (this.ended) return;
    this.released = true;
    this.end(new CallReleased('the call was handed to the dialplan', this.node));
    this.conn.close('call handed to the dialplan');
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
