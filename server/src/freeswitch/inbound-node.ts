// One inbound ESL connection per FreeSWITCH node: authenticate, subscribe (json) to what the
// service uses, reconnect with backoff and jitter, time out every command, reject pending commands
// when the socket closes. After every (re)connect, `onConnected` runs so the owner can resync
// from `show channels as json` before trusting its picture again.
import { randomUUID } from 'node:crypto';
import { connect } from 'node:net';
import type { Logger } from 'pino';
import { backoffDelay, type BackoffOptions } from './backoff.ts';
import { FreeSwitchCommandError, FreeSwitchDisconnected } from './errors.ts';
import { EslConnection } from './esl-connection.ts';
import type { FrameLimits } from './esl-frame.ts';
import type { EslEvent } from './esl-message.ts';
import { maskCommand } from './esl-values.ts';
import type { RawEvent } from './event-map.ts';
import { PendingCommands } from './pending.ts';
import { LogThrottle } from '../log-throttle.ts';

/**
 * `show channels as json` on a busy switch is the largest thing an inbound connection receives
 * (about 1 KB per channel); channel events are ~5 KB; header blocks of replies and event frames
 * are tiny. FreeSWITCH itself caps what it reads at 10 MiB.
 */
export const INBOUND_LIMITS: FrameLimits = { maxHeaderBytes: 64 * 1024, maxBodyBytes: 32 * 1024 * 1024 };

export interface InboundNodeOptions {
  readonly name: string;
  readonly host: string;
  readonly port: number;
  readonly password: string;
  readonly commandTimeoutMs: number;
  readonly reconnect: BackoffOptions;
  /** Event names for `event json ...` (CUSTOM and its subclasses last). */
  readonly events: readonly string[];
  /** `filter <header> <value>` lines sent after the subscription (mod_event_socket: an event must then match one). */
  readonly filters?: readonly (readonly [header: string, value: string])[];
  readonly logger: Logger;
  readonly random?: () => number;
  readonly limits?: FrameLimits;
  /** The switch broke the protocol (the connection is dropped and reconnected): metrics. */
  readonly onProtocolError?: (reason: string) => void;
  /** A command settled: its verb, how long it took and whether it succeeded (metrics). */
  readonly onCommand?: (verb: string, seconds: number, ok: boolean) => void;
  /** Send api/bgapi over a second connection of their own (see `commandLine`). */
  readonly commandConnection?: boolean;
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
  /** Resets the backoff once a connection has stayed up a while (not at once: see onAuthenticated). */
  private stableTimer: ReturnType<typeof setTimeout> | undefined;
  private readonly pending: PendingCommands;
  /** bgapi jobs waiting for their BACKGROUND_JOB event, by the Job-UUID we chose. */
  private readonly jobs = new Map<string, (body: string) => void>();
  private readonly log: Logger;
  private readonly throttle: LogThrottle;
  /**
   * mod_event_socket serves each connection from one thread, which runs `api` commands inline and
   * writes the connection's queued events between them: on a switch busy with calls, a command on
   * the event connection waits behind every event queued before it (uuid_transfer and uuid_bridge
   * took over 5 s at 20 calls/s in `npm run bench -- load-freeswitch`). Commands therefore go over
   * a second connection that carries no event but its own BACKGROUND_JOBs, while it is up; the
   * event connection is the fallback and still decides whether the node counts as connected.
   */
  private readonly commandLine: InboundNode | undefined;

  constructor(
    private readonly opts: InboundNodeOptions,
    private readonly handlers: InboundNodeHandlers,
  ) {
    this.pending = new PendingCommands(opts.name);
    this.log = opts.logger.child({ node: opts.name });
    this.throttle = new LogThrottle(this.log);
    if (opts.commandConnection) {
      const { onProtocolError, onCommand } = opts;
      this.commandLine = new InboundNode(
        { ...opts, events: ['BACKGROUND_JOB'], filters: [], commandConnection: false, logger: opts.logger.child({ line: 'commands' }), ...(onProtocolError ? { onProtocolError } : {}), ...(onCommand ? { onCommand } : {}) },
        { onEvent: () => {}, onConnected: () => {}, onDisconnected: () => {} },
      );
    }
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
    this.commandLine?.start();
  }

  /** Close for good: pending commands reject, no reconnect. */
  stop(): void {
    this.stopped = true;
    clearTimeout(this.retryTimer);
    this.retryTimer = undefined;
    this.teardown('node stopped');
    this.commandLine?.stop();
  }

  /** The command connection while both it and the event connection are up. */
  private get line(): InboundNode | undefined {
    return this.ready && this.commandLine?.connected ? this.commandLine : undefined;
  }

  /** `api CMD ARGS`: resolves with the response body; "-ERR ..." rejects with FreeSwitchCommandError. */
  api(command: string): Promise<string> {
    const line = this.line;
    if (line) return line.api(command);
    return this.command(command, this.opts.commandTimeoutMs, (conn, done, fail) => conn.send(`api ${command}`).then((r) => done(r.text), fail));
  }

  /** `bgapi`: resolves with the BACKGROUND_JOB body. The timeout covers the whole job. */
  bgapi(command: string, timeoutMs = this.opts.commandTimeoutMs): Promise<string> {
    const line = this.line;
    if (line) return line.bgapi(command, timeoutMs);
    const jobId = randomUUID();
    return this.command(command, timeoutMs, (conn, done, fail) => {
      this.jobs.set(jobId, done);
      // FreeSWITCH takes the Job-UUID we give (capture 05), so the job's event can be matched to it.
      conn.send(`bgapi ${command}`, { 'Job-UUID': jobId }).then((r) => {
        if (!r.text.startsWith('+OK')) done(r.text);
      }, fail);
    }).finally(() => this.jobs.delete(jobId));
  }

  private command(command: string, timeoutMs: number, send: (conn: EslConnection, done: (body: string) => void, fail: (err: Error) => void) => void): Promise<string> {
    // Errors and timeouts name the command with its numbers masked: they end up in logs.
    const shown = maskCommand(command);
    const conn = this.conn;
    if (!conn || !this.ready) return Promise.reject(new FreeSwitchDisconnected(`${verbOf(command)}: node ${this.opts.name} is not connected`, this.opts.name));
    const started = performance.now();
    const settled = (ok: boolean): void => this.opts.onCommand?.(verbOf(command), (performance.now() - started) / 1000, ok);
    return this.pending.run<string>(shown, timeoutMs, (done, fail) => send(conn, done, fail)).then(
      (body) => {
        const failed = body.startsWith('-ERR') || body.startsWith('-USAGE');
        settled(!failed);
        if (failed) throw new FreeSwitchCommandError(body.trim(), this.opts.name, shown);
        return body;
      },
      (err: unknown) => {
        settled(false);
        throw err;
      },
    );
  }

  private connect(): void {
    if (this.stopped) return;
    const { host, port } = this.opts;
    const socket = connect({ host, port });
    let conn: EslConnection | undefined = undefined;
    // The switch must ask for auth within the command timeout: a peer that accepts and says
    // nothing would otherwise hold this node disconnected forever.
    const handshake = setTimeout(() => conn?.close('no auth request from the switch'), this.opts.commandTimeoutMs);
    conn = new EslConnection(
      socket,
      this.opts.limits ?? INBOUND_LIMITS,
      {
        onAuthRequest: () => void this.authenticate(conn!).finally(() => clearTimeout(handshake)),
        onEvent: (ev) => this.dispatch(ev),
        onClose: (reason, protocolError) => {
          clearTimeout(handshake);
          if (protocolError !== undefined) {
            this.throttle.warn('protocol', { reason: protocolError }, 'FreeSWITCH broke the ESL protocol: dropping the connection');
            this.opts.onProtocolError?.(protocolError);
          }
          if (this.conn !== conn) return;
          this.teardown(reason);
          this.scheduleReconnect();
        },
        onHandlerError: (what, err) => this.log.error({ err }, `${what} failed`),
      },
      this.opts.name,
    );
    this.conn = conn;
  }

  private async authenticate(conn: EslConnection): Promise<void> {
    try {
      const auth = await conn.send(`auth ${this.opts.password}`);
      if (!auth.text.startsWith('+OK')) {
        this.log.error('ESL authentication refused: check the password');
        conn.close('authentication refused');
        return;
      }
      const sub = await conn.send(`event json ${this.opts.events.join(' ')}`);
      if (!sub.text.startsWith('+OK')) {
        this.log.error({ reply: sub.text.slice(0, 200) }, 'event subscription refused');
        conn.close('event subscription refused');
        return;
      }
      for (const [header, value] of this.opts.filters ?? []) {
        const f = await conn.send(`filter ${header} ${value}`);
        if (!f.text.startsWith('+OK')) {
          this.log.error({ reply: f.text.slice(0, 200), header }, 'event filter refused');
          conn.close('event filter refused');
          return;
        }
      }
    } catch (err) {
      // The connection closed meanwhile: its close handler reconnects.
      this.log.debug({ err }, 'ESL handshake interrupted');
      return;
    }
    if (this.conn !== conn) return;
    this.ready = true;
    // A switch that accepts us and then sends garbage would otherwise be reconnected to at the
    // initial delay forever: the backoff only starts over once a connection has lasted.
    clearTimeout(this.stableTimer);
    this.stableTimer = setTimeout(() => (this.attempt = 0), Math.max(5_000, this.opts.reconnect.maxMs));
    this.stableTimer.unref();
    const reconnected = this.everConnected;
    this.everConnected = true;
    this.log.info({ reconnected }, 'ESL connected');
    this.safely('onConnected', () => this.handlers.onConnected(reconnected));
  }

  private dispatch(ev: EslEvent): void {
    if (ev.get('Event-Name') === 'BACKGROUND_JOB') {
      const jobId = ev.get('Job-UUID');
      const done = jobId === undefined ? undefined : this.jobs.get(jobId);
      if (done) done(ev.body);
    }
    this.safely('onEvent', () => this.handlers.onEvent(ev));
  }

  /** Handler errors are logged here: nothing may escape into the socket's callbacks. */
  private safely(what: string, fn: () => void | Promise<void>): void {
    try {
      const r = fn();
      if (r instanceof Promise) r.catch((err: unknown) => this.log.error({ err }, `${what} handler failed`));
    } catch (err) {
      this.log.error({ err }, `${what} handler failed`);
    }
  }

  private teardown(reason: string): void {
    clearTimeout(this.stableTimer);
    const conn = this.conn;
    this.conn = undefined;
    const wasReady = this.ready;
    this.ready = false;
    this.pending.rejectAll(`${reason} (node ${this.opts.name})`);
    this.jobs.clear();
    conn?.close(reason);
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

const verbOf = (command: string): string => command.split(' ', 1)[0] ?? '';
