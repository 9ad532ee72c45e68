// One event-socket connection over a TCP socket, either side: frames in (esl-frame.ts), messages
// out (esl-message.ts), and commands sent one at a time. FreeSWITCH gives no request ids: it
// answers commands in the order it got them, each with exactly one command/reply or api/response,
// so replies are matched by position. A reply nobody waits for means the two sides are out of
// step, which is treated like any other protocol error: the connection ends, and only it.
//
// Nothing the peer sends can throw out of the socket's data handler: parse errors close the
// connection with a reason, and errors of our own handlers are reported apart (onHandlerError).
import type { Socket } from 'node:net';
import { FreeSwitchDisconnected } from './errors.ts';
import { EslFrameParser, type FrameLimits } from './esl-frame.ts';
import { decodeFrame, EslProtocolError, type EslEvent, type EslMessage, type HeaderView } from './esl-message.ts';
import { InvalidCommandArgument } from './esl-values.ts';

export interface EslReply {
  /** Reply-Text of a command/reply, or the body of an api/response. */
  readonly text: string;
  readonly data: HeaderView;
}

export interface EslConnectionHandlers {
  onEvent?(ev: EslEvent): void;
  onAuthRequest?(): void;
  /** Why the connection ended; `protocolError` is set when the peer broke the protocol. */
  onClose?(reason: string, protocolError: string | undefined): void;
  /** One of the handlers above threw: reported, never rethrown into the socket. */
  onHandlerError?(what: string, err: unknown): void;
}

interface Waiter {
  resolve(r: EslReply): void;
  reject(e: Error): void;
}

/** Command lines and header lines end at LF; NUL ends a C string on the switch's side. */
const FRAMING = /[\r\n\0]/;
const HEADER_NAME = /^[A-Za-z0-9_-]{1,64}$/;

export class EslConnection {
  private readonly parser: EslFrameParser;
  private readonly waiters: Waiter[] = [];
  private closeReason: string | undefined;
  private protocolError: string | undefined;

  constructor(
    readonly socket: Socket,
    limits: FrameLimits,
    private readonly handlers: EslConnectionHandlers,
    /** Names the peer in error messages. */
    private readonly peer: string,
  ) {
    this.parser = new EslFrameParser(limits);
    socket.setNoDelay(true);
    socket.on('data', (chunk: Buffer) => this.onData(chunk));
    // A socket error is followed by 'close'; without a listener it would crash the process.
    socket.on('error', (err) => this.closeReason ??= err.message);
    socket.on('close', () => this.onClosed());
  }

  get closed(): boolean {
    return this.socket.destroyed;
  }

  /** Commands sent and not yet answered. */
  get pending(): number {
    return this.waiters.length;
  }

  /**
   * Send a command (and header lines) and resolve with its reply. Refuses, before writing
   * anything, a command or header that would end the frame early (CR, LF, NUL).
   */
  send(command: string, headers: Readonly<Record<string, string>> = {}): Promise<EslReply> {
    if (this.socket.destroyed || !this.socket.writable) return Promise.reject(new FreeSwitchDisconnected(`${verb(command)}: not connected to ${this.peer}`, this.peer));
    if (FRAMING.test(command)) return Promise.reject(new InvalidCommandArgument(`${verb(command)}: command holds a line break or NUL`));
    let text = `${command}\n`;
    for (const [name, value] of Object.entries(headers)) {
      if (!HEADER_NAME.test(name) || FRAMING.test(value)) return Promise.reject(new InvalidCommandArgument(`${verb(command)}: header ${JSON.stringify(name.slice(0, 64))} holds a line break or NUL`));
      text += `${name}: ${value}\n`;
    }
    return new Promise<EslReply>((resolve, reject) => {
      this.waiters.push({ resolve, reject });
      this.socket.write(`${text}\n`);
    });
  }

  /** Close our side; pending commands reject. */
  close(reason = 'closed by us'): void {
    this.closeReason ??= reason;
    this.socket.destroy();
  }

  private onData(chunk: Buffer): void {
    if (this.protocolError !== undefined) return;
    const frames = this.parser.push(chunk);
    for (const frame of frames) {
      let msg: EslMessage;
      try {
        msg = decodeFrame(frame);
      } catch (err) {
        return this.breach(err instanceof EslProtocolError ? err.message : `undecodable frame: ${(err as Error).message}`);
      }
      if (!this.dispatch(msg)) return;
    }
    if (this.parser.error !== undefined) this.breach(this.parser.error);
  }

  /** False when the message ended the connection. */
  private dispatch(msg: EslMessage): boolean {
    switch (msg.kind) {
      case 'reply': {
        const w = this.waiters.shift();
        if (!w) {
          this.breach('a reply to no command: the two sides are out of step');
          return false;
        }
        w.resolve({ text: msg.text, data: msg.data });
        return true;
      }
      case 'event':
        this.guard('event handler', () => this.handlers.onEvent?.(msg.event));
        return true;
      case 'auth-request':
        this.guard('auth handler', () => this.handlers.onAuthRequest?.());
        return true;
      case 'disconnect':
        // The switch closes after this (or lingers: outbound sockets with `linger`); pending
        // commands can get no answer any more.
        this.closeReason ??= `disconnect notice from ${this.peer}`;
        this.rejectAll();
        return true;
      case 'ignored':
        return true;
    }
  }

  private breach(reason: string): void {
    this.protocolError = reason;
    this.closeReason ??= `protocol error: ${reason}`;
    this.socket.destroy();
  }

  private guard(what: string, fn: () => void): void {
    try {
      fn();
    } catch (err) {
      try {
        this.handlers.onHandlerError?.(what, err);
      } catch {
        /* a failing error reporter must not reach the socket either */
      }
    }
  }

  private rejectAll(): void {
    const err = new FreeSwitchDisconnected(`${this.closeReason ?? 'connection closed'} (${this.peer})`, this.peer);
    for (const w of this.waiters.splice(0)) w.reject(err);
  }

  private onClosed(): void {
    this.rejectAll();
    this.guard('close handler', () => this.handlers.onClose?.(this.closeReason ?? 'connection closed', this.protocolError));
  }
}

const verb = (command: string): string => command.split(/[ \r\n]/, 1)[0] ?? '';
