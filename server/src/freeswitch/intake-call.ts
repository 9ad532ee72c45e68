// IntakeCall over an outbound-socket connection.
import type { IntakeCall } from '../intake/call-intake.ts';
import { SwitchIvrSession } from './ivr-session.ts';
import type { OutboundCall } from './outbound-call.ts';

export interface IntakeCallOptions {
  readonly promptsBase: string;
  /** Moves the caller to the waiting extension (uuid_transfer from the inbound side). */
  readonly wait: (uuid: string) => Promise<void>;
  /** Dial string for a transfer target, e.g. "sofia/gateway/gw_110/110"; throws for a bad target. */
  readonly dialstring: (target: string, reason: string) => string;
}

export function intakeCallOf(call: OutboundCall, node: string, opts: IntakeCallOptions): IntakeCall {
  const ivr = new SwitchIvrSession(call, opts.promptsBase);
  return {
    callId: call.uuid,
    node,
    line: call.channel.get('variable_hotline_line') ?? 'main',
    callerNumber: call.channel.get('Caller-Caller-ID-Number') ?? '',
    get lastEventUs() {
      return ivr.lastEventUs;
    },
    get hungUp() {
      return call.hungUp;
    },
    play: (p) => ivr.play(p),
    collectDigit: (p, ms) => ivr.collectDigit(p, ms),
    setVar: (n, v) => ivr.setVar(n, v),
    answer: () => ivr.answer(),
    wait: () => opts.wait(call.uuid),
    async transferOut(target, reason) {
      // The dial string is checked (it throws) before anything is sent.
      const dial = opts.dialstring(target, reason);
      await call.setVar('hangup_after_bridge', 'true');
      await call.execute('bridge', dial);
    },
    hangup: (cause) => call.hangup(cause),
    variable: (name) => call.channel.get(`variable_${name}`),
  };
}
