// The IVR's view of an outbound-socket call: play, collect one key, set variables. It remembers the
// switch timestamp of the last thing that completed, so the service can take t0 (offered to the
// queue) from FreeSWITCH's clock rather than from when we happened to read the event.
import type { IvrSession } from '../ivr/runner.ts';
import type { OutboundCall } from './outbound-call.ts';
import type { RawEvent } from './event-map.ts';
import { mediaPath, varName, varValue } from './esl-values.ts';

/** Channel variable play_and_get_digits stores the key in. */
const DIGIT_VAR = 'hotline_ivr_digit';

export class SwitchIvrSession implements IvrSession {
  /** Event-Date-Timestamp (µs) of the last completed application. */
  lastEventUs: number | undefined;

  constructor(
    private readonly call: OutboundCall,
    /** Prefix for relative prompt paths (e.g. "hotline/" under sound_prefix, or an absolute folder). */
    private readonly promptsBase: string,
  ) {}

  async play(prompt: string): Promise<void> {
    this.note(await this.call.execute('playback', this.path(prompt)));
  }

  async collectDigit(prompt: string, timeoutMs: number): Promise<string> {
    // min max tries timeout terminators prompt invalid-prompt var regexp digit-timeout
    const args = ['1', '1', '1', String(timeoutMs), "''", this.path(prompt), 'silence_stream://250', DIGIT_VAR, '[0-9*#]', String(timeoutMs)];
    const done = await this.call.execute('play_and_get_digits', args.join(' '));
    this.note(done);
    return done.get(`variable_${DIGIT_VAR}`) ?? '';
  }

  async setVar(name: string, value: string): Promise<void> {
    this.note(await this.call.execute('set', `${varName(name)}=${varValue(value, name)}`));
  }

  /** Answer if not yet answered (the dialplan leaves that to the service). */
  async answer(): Promise<void> {
    this.note(await this.call.execute('answer'));
  }

  private path(prompt: string): string {
    // Absolute paths and stream URLs (tone_stream://, silence_stream://) are used as given.
    return mediaPath(prompt.startsWith('/') || prompt.includes('://') ? prompt : `${this.promptsBase}${prompt}`);
  }

  private note(ev: RawEvent): void {
    const ts = Number(ev.get('Event-Date-Timestamp'));
    if (Number.isFinite(ts) && ts > 0) this.lastEventUs = ts;
  }
}
