// One inbound ESL connection per FreeSWITCH node: authenticate, subscribe (json) to what the
// service uses, reconnect with backoff and jitter, time out every command, reject pending commands
// when the socket closes. After every (re)connect, `onConnected` runs so the owner can resync
// from `show channels as json` before trusting its picture again.
import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import { backoffDelay, type BackoffOptions } from './backoff.ts';
import { FreeSwitchCommandError, FreeSwitchDisconnected } from './errors.ts';
import { headerOf, loadEsl, type EslConnection, type EslEvent, type EslModule } from './esl-lib.ts';
import type { RawEvent } from './event-map.ts';
import { PendingCommands } from './pending.ts';

export interface InboundNodeOptions {
  readonly name: string;
  readonly host: string;
  readonly port: number;
  readonly password: string;
  readonly commandTimeoutMs: number;
  readonly reconnect: BackoffOptions;
  /** Event names for `event json ...` (CUSTOM and its subclasses last). */
  readonly events: readonly string[];
  readonly logger: Logger;
  readonly random?: () => number;
  /** Tests may pass another ESL module build; production uses drachtio-modesl. */
  readonly esl?: EslModule;
}

export interface InboundNodeHandlers {
  onEvent(ev: RawEvent): void;
  /** After auth and subscription; `reconnected` is false the first time. */
  onConnected(reconnected: boolean): void | Promise<void>;
  onDisconnected(): void;
}

export class InboundNode {
  private conn: EslConnection | undefined;
  private ready = false;
  private stopped = false;
  private attempt = 0;
  private everConnected = false;
  private retryTimer: ReturnType<typeof setTimeout> | undefined;
  private readonly pending: PendingCommands;
  private readonly esl: EslModule;
  private readonly log: Logger;

  constructor(
    private readonly opts: InboundNodeOptions,
    private readonly handlers: InboundNodeHandlers,
  ) {
    this.pending = new PendingCommands(opts.name);
    this.esl = opts.esl ?? loadEsl();
    this.log = opts.logger.child({ node: opts.name });
  }

  get name(): string {
    return this.opts.name;
  }

  get connected(): boolean {
    return this.ready;
  }

  start(): void {
    this.stopped = false;
    this.connect();
  }

  /** Close for good: pending commands reject, no reconnect. */
  stop(): void {
    this.stopped = true;
    clearTimeout(this.retryTimer);
    this.teardown('node stopped');
  }

  /** `api CMD ARGS`: resolves with the response body; "-ERR ..." rejects with FreeSwitchCommandError. */
  api(command: string): Promise<string> {
    const conn = this.usable(command);
    const [cmd = '', ...rest] = command.split(' ');
    return this.pending
      .run<string>(command, this.opts.commandTimeoutMs, (done) => conn.api(cmd, rest.join(' '), (res) => done(res.getBody() ?? '')))
      .then((body) => this.checked(body, command));
  }

  /** `bgapi`: resolves with the BACKGROUND_JOB body. The timeout covers the whole job. */
  bgapi(command: string, timeoutMs = this.opts.commandTimeoutMs): Promise<string> {
    const conn = this.usable(command);
    const [cmd = '', ...rest] = command.split(' ');
    return this.pending
      .run<string>(command, timeoutMs, (done) => conn.bgapi(cmd, rest.join(' '), randomUUID(), (ev) => done(ev.getBody() ?? '')))
      .then((body) => this.checked(body, command));
  }

  private checked(body: string, command: string): string {
    if (body.startsWith('-ERR') || body.startsWith('-USAGE')) throw new FreeSwitchCommandError(body.trim(), this.opts.name, command);
    return body;
  }

  private usable(command: string): EslConnection {
    if (!this.conn || !this.ready) throw new FreeSwitchDisconnected(`${command.split(' ')[0]}: node ${this.opts.name} is not connected`, this.opts.name);
    return this.conn;
  }

  private connect(): void {
    if (this.stopped) return;
    const { host, port, password } = this.opts;
    let conn: EslConnection;
    try {
      conn = new this.esl.Connection(host, port, password, () => this.onAuthenticated(conn));
    } catch (err) {
      this.log.error({ err }, 'ESL connection could not be created');
      this.scheduleReconnect();
      return;
    }
    // We own reconnection (one fresh library connection per attempt): the library's own retry would
    // reuse its reply queues across sockets and hand old callbacks new replies. `closing` is the only
    // switch it honours in every path (a refused connect would otherwise retry every 1 ms, since its
    // retry counters are set only after a successful connect).
    conn.closing = true;
    this.conn = conn;
    // A stray socket error must never crash the process; 'esl::end' follows and we reconnect.
    conn.on('error', (err) => this.log.warn({ err }, 'ESL socket error'));
    conn.on('esl::end', () => {
      if (this.conn !== conn) return;
      this.teardown('connection closed');
      this.scheduleReconnect();
    });
    conn.on('esl::event::auth::fail', () => this.log.error('ESL authentication refused: check the password'));
    conn.on('esl::event::**', (...args: unknown[]) => this.dispatch(args[0] as EslEvent | undefined));
  }

  private onAuthenticated(conn: EslConnection): void {
    conn.events('json', this.opts.events.join(' '), (reply) => {
      const text = headerOf(reply, 'Reply-Text') ?? '';
      if (!text.startsWith('+OK')) {
        this.log.error({ reply: text }, 'event subscription refused');
        conn.disconnect();
        return;
      }
      this.ready = true;
      this.attempt = 0;
      const reconnected = this.everConnected;
      this.everConnected = true;
      this.log.info({ reconnected }, 'ESL connected');
      this.safely('onConnected', () => this.handlers.onConnected(reconnected));
    });
  }

  private dispatch(ev: EslEvent | undefined): void {
    // The wildcard also sees auth requests and command replies; events are what carry Event-Name.
    if (!ev || headerOf(ev, 'Event-Name') === undefined) return;
    const raw: RawEvent = {
      get: (n) => headerOf(ev, n),
      headers: () => ev.headers.map((h) => [h.name, String(h.value)] as [string, string]),
    };
    this.safely('onEvent', () => this.handlers.onEvent(raw));
  }

  /** Handler errors are logged here: nothing may escape into the ESL library's callbacks. */
  private safely(what: string, fn: () => void | Promise<void>): void {
    try {
      const r = fn();
      if (r instanceof Promise) r.catch((err: unknown) => this.log.error({ err }, `${what} handler failed`));
    } catch (err) {
      this.log.error({ err }, `${what} handler failed`);
    }
  }

  private teardown(reason: string): void {
    const conn = this.conn;
    this.conn = undefined;
    const wasReady = this.ready;
    this.ready = false;
    this.pending.rejectAll(`${reason} (node ${this.opts.name})`);
    if (conn) {
      conn.removeAllListeners('esl::event::**');
      conn.on('error', () => {});
      try {
        conn.disconnect();
      } catch {
        /* socket already gone */
      }
    }
    if (wasReady) this.safely('onDisconnected', () => this.handlers.onDisconnected());
  }

  private scheduleReconnect(): void {
    if (this.stopped || this.retryTimer) return;
    const delay = backoffDelay(this.attempt++, this.opts.reconnect, this.opts.random);
    this.log.warn({ delayMs: delay, attempt: this.attempt }, 'ESL reconnecting');
    this.retryTimer = setTimeout(() => {
      this.retryTimer = undefined;
      this.connect();
    }, delay);
  }
}
