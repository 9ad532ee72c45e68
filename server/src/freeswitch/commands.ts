// Typed switch commands over an inbound connection. Domain modules (ACD, handoff) depend on the
// SwitchCommands interface, never on ESL strings; this file is where the strings are built, every
// value checked by esl-values.ts first (a refused value throws before anything is sent).
import * as val from './esl-values.ts';
import { isPhoneNumber, originateVars, sipHeaderVars } from './esl-values.ts';

export { InvalidCommandArgument, originateVars } from './esl-values.ts';

export interface OriginateOptions {
  /** e.g. user/1001, sofia/gateway/gw_110/110 */
  readonly dialstring: string;
  /** Channel variables for the new leg ({name=value,...}); a caller id that is not a phone number is left out. */
  readonly vars?: Readonly<Record<string, string>>;
  /** What the new leg runs once answered: an application, or a dialplan extension. */
  readonly then: { readonly app: string; readonly arg?: string } | { readonly extension: string; readonly context: string };
  readonly timeoutSec?: number;
  /** Choose the new leg's UUID (origination_uuid) so its events can be tied to the call at once. */
  readonly uuid?: string;
  /** Custom headers of the new leg's INVITE (X-12345-Case-Id ...): percent-encoded sip_h_* variables. */
  readonly sipHeaders?: Readonly<Record<string, string>>;
}

export interface SwitchCommands {
  /** Blocking `api originate`: ties up the connection until answered; for short, rare cases. */
  originate(o: OriginateOptions): Promise<string>;
  /**
   * `bgapi originate`: resolves with the new leg's UUID once answered, rejects with the cause
   * (NO_ANSWER, USER_BUSY, ...) — without blocking other commands while the phone rings.
   */
  originateInBackground(o: OriginateOptions, timeoutMs: number): Promise<string>;
  bridge(a: string, b: string): Promise<void>;
  transfer(uuid: string, extension: string, context: string, leg?: '-bleg' | '-both'): Promise<void>;
  kill(uuid: string, cause?: string): Promise<void>;
  answer(uuid: string): Promise<void>;
  hold(uuid: string, on: boolean): Promise<void>;
  broadcast(uuid: string, path: string, leg?: 'aleg' | 'bleg' | 'both'): Promise<void>;
  breakMedia(uuid: string, all?: boolean): Promise<void>;
  setVar(uuid: string, name: string, value: string): Promise<void>;
  /** Several variables in one round trip (uuid_setvar_multi); an empty value unsets. */
  setVars(uuid: string, vars: Readonly<Record<string, string>>): Promise<void>;
  getVar(uuid: string, name: string): Promise<string | undefined>;
  exists(uuid: string): Promise<boolean>;
  record(uuid: string, action: 'start' | 'stop', path: string): Promise<void>;
  /** A member of a conference room: kick (leaves, its leg hangs up), mute, hold (neither hears nor is heard). */
  conference(name: string, action: 'kick' | 'mute' | 'unmute' | 'hold' | 'unhold', memberId: string): Promise<void>;
  conferenceDial(name: string, dialstring: string): Promise<void>;
}

/**
 * Caller-id variables carry what a caller's phone sent (any text a SIP From header holds): a value
 * that is not a phone number is left out, so the leg rings with the switch's default caller id
 * instead of the whole offer failing (a `'` in one caller id used to stall its queue's head).
 */
const CALLER_ID_VARS = new Set(['origination_caller_id_number', 'effective_caller_id_number']);

export function originateCommand(o: OriginateOptions): string {
  const vars: Record<string, string> = {};
  for (const [k, v] of Object.entries(o.vars ?? {})) if (!CALLER_ID_VARS.has(k) || isPhoneNumber(v)) vars[k] = v;
  if (o.uuid) vars.origination_uuid = val.uuid(o.uuid);
  if (o.timeoutSec) vars.originate_timeout = String(Math.max(1, Math.round(o.timeoutSec)));
  const headers = o.sipHeaders ? sipHeaderVars(o.sipHeaders) : '';
  // Both blocks merge into one `{...}`: the header values are percent-encoded, never plain tokens.
  const block = [originateVars(vars).slice(1, -1), headers.slice(1, -1)].filter(Boolean).join(',');
  const target = `${block ? `{${block}}` : ''}${val.path(o.dialstring, 'dial string')}`;
  if ('app' in o.then) {
    const arg = o.then.arg ? `(${val.token(o.then.arg, 'application argument')})` : '';
    return `originate ${target} &${val.name(o.then.app, 'application')}${arg}`;
  }
  return `originate ${target} ${val.token(o.then.extension, 'extension')} XML ${val.name(o.then.context, 'context')}`;
}

/** Implements SwitchCommands over a node's `api` and `bgapi` (both reject on -ERR). */
export function switchCommands(api: (command: string) => Promise<string>, bgapi?: (command: string, timeoutMs: number) => Promise<string>): SwitchCommands {
  const u = val.uuid;
  const run = async (cmd: string): Promise<void> => void (await api(cmd));
  return {
    async originate(o) {
      const body = await api(originateCommand(o));
      return body.replace(/^\+OK\s*/, '').trim();
    },
    async originateInBackground(o, timeoutMs) {
      if (!bgapi) throw new Error('this connection has no bgapi');
      const body = await bgapi(originateCommand(o), timeoutMs);
      return body.replace(/^\+OK\s*/, '').trim();
    },
    // Arguments are checked inside the async functions' bodies, so a refusal is a rejected promise.
    bridge: async (a, b) => run(`uuid_bridge ${u(a)} ${u(b)}`),
    transfer: async (uuid, ext, ctx, leg) => {
      const which = leg === undefined ? '' : leg === '-bleg' || leg === '-both' ? ` ${leg}` : val.token(leg, 'leg');
      return run(`uuid_transfer ${u(uuid)}${which} ${val.token(ext, 'extension')} XML ${val.name(ctx, 'context')}`);
    },
    kill: async (uuid, cause = 'NORMAL_CLEARING') => run(`uuid_kill ${u(uuid)} ${val.cause(cause)}`),
    answer: async (uuid) => run(`uuid_answer ${u(uuid)}`),
    hold: async (uuid, on) => run(`uuid_hold ${on ? '' : 'off '}${u(uuid)}`),
    broadcast: async (uuid, path, leg = 'aleg') => run(`uuid_broadcast ${u(uuid)} ${val.path(path)} ${val.name(leg, 'leg')}`),
    breakMedia: async (uuid, all = false) => run(`uuid_break ${u(uuid)}${all ? ' all' : ''}`),
    setVar: async (uuid, name, value) => run(`uuid_setvar ${u(uuid)} ${val.varName(name)} ${val.varValue(value, name)}`),
    // mod_commands splits the list on ';' and each item at its first '='; a checked value holds
    // neither, nor a space (the command's two arguments are split on spaces).
    setVars: async (uuid, vars) => {
      const list = Object.entries(vars).map(([name, value]) => `${val.varName(name)}=${val.varValue(value, name)}`);
      if (list.length > 0) await run(`uuid_setvar_multi ${u(uuid)} ${list.join(';')}`);
    },
    async getVar(uuid, name) {
      const v = (await api(`uuid_getvar ${u(uuid)} ${val.varName(name)}`)).trim();
      return v === '_undef_' ? undefined : v;
    },
    async exists(uuid) {
      return (await api(`uuid_exists ${u(uuid)}`)).trim() === 'true';
    },
    record: async (uuid, action, path) => run(`uuid_record ${u(uuid)} ${action === 'stop' ? 'stop' : 'start'} ${val.path(path)}`),
    conference: async (name, action, member) =>
      run(`conference ${val.name(name, 'conference')} ${val.name(action, 'action')} ${val.match(/^(\d{1,9}|all|last)$/, member, 'member')}`),
    conferenceDial: async (name, dialstring) => run(`conference ${val.name(name, 'conference')} dial ${val.path(dialstring, 'dial string')}`),
  };
}
