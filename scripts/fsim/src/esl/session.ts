// One event-socket listener: the connection's byte stream, its command queue, event delivery and
// the end of the connection. Used by both the inbound server and the outbound-socket connector.
//
// Ordering follows FreeSWITCH's listener thread: commands run one at a time; a blocking `api`
// holds the connection, and events fired meanwhile are written after its api/response (the
// captures show blocking originate returning before the leg's events). Between commands events
// are written as they fire. Nothing here throws out of a socket callback.

import type { Socket } from 'node:net';
import type { Logger } from 'pino';
import type { FsEvent, SwitchFacade } from '../types.ts';
import { runCommand } from './commands.ts';
import type { CommandHost, Outcome } from './commands.ts';
import { CommandFrameParser } from './frame-parser.ts';
import type { CommandFrame } from './frame-parser.ts';
import { AUTH_REQUEST, commandReply, disconnectNotice, eventFrame, lingerNotice } from './serialize.ts';
import { Subscription, eventHeader } from './subscription.ts';

/** Above this many unsent bytes events are dropped; after MAX_LOST drops the listener is killed. */
const MAX_BACKLOG_BYTES = 32 * 1024 * 1024;
const MAX_LOST = 500;
const MAX_QUEUED_EVENTS = 100_000;
/** How long an outbound listener may take to send its first command (read_packet's 25 s). */
const FIRST_PACKET_TIMEOUT_MS = 25_000;

export interface SessionOptions {
  readonly sw: SwitchFacade;
  readonly socket: Socket;
  readonly logger?: Logger | undefined;
  /** Inbound: the `auth` password. */
  readonly password?: string;
  /** Outbound socket for this channel. */
  readonly outbound?: { readonly uuid: string; readonly async: boolean; readonly full: boolean };
  /** Hand a new event (BACKGROUND_JOB) to every listener. */
  readonly fire: (ev: FsEvent) => void;
  readonly onConnected?: () => void;
  /** Called once when the connection is gone, whatever the reason. */
  readonly onEnd?: (session: EslSession) => void;
}

type Pending = { kind: 'event'; ev: FsEvent } | { kind: 'down' };
/** Queued in place of a frame when the parser gave up on the stream. */
const PARSE_ERROR = Symbol('parse-error');

export class EslSession implements CommandHost {
  readonly sw: SwitchFacade;
  readonly sub = new Subscription();
  readonly password: string | undefined;
  readonly outbound: boolean;
  readonly full: boolean;
  authed: boolean;
  bound: string | undefined;
  async: boolean;
  linger: number | undefined;
  resume = false;
  logging = false;
  connected = false;

  private readonly socket: Socket;
  private readonly log: Logger | undefined;
  private readonly parser = new CommandFrameParser();
  private readonly queue: Array<CommandFrame | typeof PARSE_ERROR> = [];
  private readonly pending: Pending[] = [];
  private busy = false;
  private ended = false;
  private firstFrame: boolean;
  private handledDisco = false;
  private corked = false;
  private releaseSession: (() => void) | undefined;
  private lost = 0;
  private channelName = '';
  private timer: NodeJS.Timeout | undefined;
  private unsubscribe: () => void = () => {};
  /** What this session listens to now: '*' every event, else one channel's Unique-ID. */
  private listening: string | undefined;
  private readonly onEvent = (ev: FsEvent): void => this.safely(() => this.onSwitchEvent(ev));

  constructor(private readonly opts: SessionOptions) {
    this.sw = opts.sw;
    this.socket = opts.socket;
    this.log = opts.logger;
    this.password = opts.password;
    this.outbound = opts.outbound !== undefined;
    this.full = opts.outbound ? opts.outbound.full : true;
    this.authed = this.outbound;
    this.bound = opts.outbound?.uuid;
    this.async = opts.outbound?.async ?? false;
    this.firstFrame = this.outbound;
    if (this.bound !== undefined) this.channelName = this.nameOf(this.bound);
    // The outbound listener holds the session until its connection is gone: FreeSWITCH cannot
    // destroy the channel (CHANNEL_DESTROY) before that, however long the listener lingers.
    if (this.outbound && this.bound !== undefined) this.releaseSession = this.sw.holdSession?.(this.bound);

    this.socket.on('error', (err) => this.log?.debug({ err }, 'esl socket error'));
    this.socket.on('close', () => this.finish());
    this.socket.on('data', (chunk: Buffer) => this.onData(chunk));
    this.socket.setNoDelay(true);
    this.sub.onChange = () => this.listen();
    this.listen();
    if (this.outbound && this.bound !== undefined && !this.sw.channelExists(this.bound)) {
      // The channel hung up before the listener got going: read_packet sees it down at once.
      this.handledDisco = true;
      this.pending.push({ kind: 'down' });
      this.flushPending();
    } else if (this.outbound) {
      this.timer = setTimeout(() => this.safely(() => this.firstFrame && this.end()), FIRST_PACKET_TIMEOUT_MS);
      this.timer.unref();
    } else {
      this.write(AUTH_REQUEST);
    }
  }

  /**
   * A session bound to a channel that wants no other channel's events (myevents, or no events
   * subscribed yet: it still watches its channel for the hangup) listens to that channel alone;
   * any other subscription listens to every event. Re-evaluated when the subscription changes.
   */
  private listen(): void {
    if (this.ended) return;
    const channelOnly = this.bound !== undefined && this.sw.onChannelEvent !== undefined && (!this.sub.enabled || this.sub.myevents);
    const key = channelOnly ? this.bound : '*';
    if (key === this.listening) return;
    this.unsubscribe();
    this.unsubscribe = channelOnly ? this.sw.onChannelEvent!(this.bound!, this.onEvent) : this.sw.onEvent(this.onEvent);
    this.listening = key;
  }

  get isEnded(): boolean {
    return this.ended;
  }

  write(data: string): void {
    if (this.ended || this.socket.destroyed) return;
    // FreeSWITCH's listener thread writes a reply and the events queued behind it back to back, so
    // a client often reads them in one recv (captures 02, 10, 13: "+OK Job-UUID" and CHANNEL_CREATE
    // in one read). Everything written within one tick goes out as one write, so clients of the
    // simulator meet the same packing instead of one message per segment.
    if (!this.corked) {
      this.corked = true;
      this.socket.cork();
      process.nextTick(() => {
        this.corked = false;
        this.socket.uncork();
      });
    }
    this.socket.write(data);
  }

  fire(ev: FsEvent): void {
    this.opts.fire(ev);
  }

  onConnected(): void {
    this.opts.onConnected?.();
  }

  /** Destroy the socket at once, without a disconnect notice (fault injection). */
  destroy(): void {
    this.socket.destroy();
    this.finish();
  }

  /** Deliver an event handed to this listener directly (when the switch cannot re-fire it). */
  deliver(ev: FsEvent): void {
    this.safely(() => this.onSwitchEvent(ev));
  }

  private safely(fn: () => void): void {
    try {
      fn();
    } catch (err) {
      this.log?.error({ err }, 'esl session error');
      this.destroy();
    }
  }

  private onData(chunk: Buffer): void {
    this.safely(() => {
      if (this.ended) return;
      const frames = this.parser.push(chunk);
      this.queue.push(...frames);
      if (this.parser.error !== undefined) {
        this.log?.warn({ error: this.parser.error }, 'esl frame rejected');
        this.queue.push(PARSE_ERROR);
        this.socket.pause();
      }
      void this.drain();
    });
  }

  private async drain(): Promise<void> {
    if (this.busy) return;
    this.busy = true;
    try {
      while (!this.ended && this.queue.length) {
        const frame = this.queue.shift() as CommandFrame | typeof PARSE_ERROR;
        let outcome: Outcome;
        if (frame === PARSE_ERROR) outcome = { reply: '-ERR command parse error.', end: true };
        else {
          try {
            outcome = await runCommand(this, frame);
          } catch (err) {
            this.log?.error({ err, command: frame.command }, 'esl command failed');
            outcome = { reply: '-ERR command failed' };
          }
        }
        // `myevents <uuid>` may have bound this session to another channel.
        this.listen();
        // The outbound listener's first packet is parsed but its reply is never sent.
        const quiet = this.firstFrame;
        if (this.firstFrame) {
          this.firstFrame = false;
          clearTimeout(this.timer);
        }
        if (outcome.reply && !quiet) this.write(commandReply(outcome.reply));
        if (outcome.end) {
          this.end();
          return;
        }
        this.flushPending();
      }
    } finally {
      this.busy = false;
    }
  }

  private onSwitchEvent(ev: FsEvent): void {
    if (this.ended) return;
    const mine = this.bound !== undefined && (eventHeader(ev, 'unique-id') ?? ev.uuid) === this.bound;
    if (mine) {
      const name = eventHeader(ev, 'channel-name');
      if (name) this.channelName = name;
    }
    if (this.sub.wants(ev, this.bound)) {
      // The listener's event queue holds MAX_QUEUE_LEN events; past that they are lost, and a
      // listener that loses more than MAX_MISSED in a row is killed (mod_event_socket).
      if (this.pending.length >= MAX_QUEUED_EVENTS) this.loseEvent();
      else this.pending.push({ kind: 'event', ev });
    }
    // switch_channel_down(): the listener notices the hangup after the events already queued.
    if (mine && !this.handledDisco && /^CHANNEL_(HANGUP|HANGUP_COMPLETE|DESTROY)$/.test(ev.name)) {
      this.handledDisco = true;
      this.pending.push({ kind: 'down' });
    }
    if (!this.busy) this.flushPending();
  }

  private flushPending(): void {
    while (!this.ended && this.pending.length) {
      const item = this.pending.shift() as Pending;
      if (item.kind === 'down') this.channelDown();
      else this.writeEvent(item.ev);
    }
  }

  private writeEvent(ev: FsEvent): void {
    if (this.socket.writableLength > MAX_BACKLOG_BYTES) {
      this.loseEvent();
      return;
    }
    this.lost = 0;
    this.write(eventFrame(ev, this.sub.format));
  }

  private loseEvent(): void {
    if (++this.lost > MAX_LOST) {
      this.log?.warn('esl listener too slow, killed');
      this.destroy();
    }
  }

  private channelDown(): void {
    const uuid = this.bound as string;
    if (this.linger === undefined) {
      this.end();
      return;
    }
    this.write(lingerNotice(uuid, this.channelName, this.linger));
    if (this.linger !== -1) {
      this.timer = setTimeout(() => this.safely(() => this.end()), this.linger * 1000);
      this.timer.unref();
    }
  }

  /** listener_run's exit: the disconnect notice (goodbye unless told otherwise), then close. */
  end(message?: string): void {
    if (this.ended) return;
    this.write(disconnectNotice(this.bound, message));
    this.socket.end();
    this.socket.destroySoon();
    this.finish();
  }

  private finish(): void {
    if (this.ended) return;
    this.ended = true;
    clearTimeout(this.timer);
    this.unsubscribe();
    this.releaseSession?.();
    this.queue.length = 0;
    this.pending.length = 0;
    this.opts.onEnd?.(this);
  }

  private nameOf(uuid: string): string {
    return this.sw.channelData(uuid)?.find(([k]) => k === 'Channel-Name')?.[1] ?? '';
  }
}
