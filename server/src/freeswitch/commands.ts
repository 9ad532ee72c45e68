// Typed switch commands over an inbound connection. Domain modules (ACD, handoff) depend on the
// SwitchCommands interface, never on ESL strings; this file is where the strings are built, with
// the escaping FreeSWITCH's parsers expect.

export interface OriginateOptions {
  /** e.g. user/1001, sofia/gateway/gw_110/110 */
  readonly dialstring: string;
  /** Channel variables for the new leg ({name=value,...}). */
  readonly vars?: Readonly<Record<string, string>>;
  /** What the new leg runs once answered: an application, or a dialplan extension. */
  readonly then: { readonly app: string; readonly arg?: string } | { readonly extension: string; readonly context: string };
  readonly timeoutSec?: number;
  /** Choose the new leg's UUID (origination_uuid) so its events can be tied to the call at once. */
  readonly uuid?: string;
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
  getVar(uuid: string, name: string): Promise<string | undefined>;
  exists(uuid: string): Promise<boolean>;
  record(uuid: string, action: 'start' | 'stop', path: string): Promise<void>;
  conference(name: string, action: 'kick' | 'mute' | 'unmute', memberId: string): Promise<void>;
  conferenceDial(name: string, dialstring: string): Promise<void>;
}

const NAME = /^[A-Za-z0-9_.-]+$/;
const UUID = /^[0-9a-fA-F-]{36}$/;
const CAUSE = /^[A-Z_]+$/;
/** Dial strings, extensions, paths: no whitespace or braces that would split the command. */
const TOKEN = /^[^\s{}]+$/;

export class InvalidCommandArgument extends Error {
  override name = 'InvalidCommandArgument';
}

function check(re: RegExp, value: string, what: string): string {
  if (!re.test(value)) throw new InvalidCommandArgument(`invalid ${what}: ${JSON.stringify(value)}`);
  return value;
}

/**
 * {a=b,c=d}: commas inside values are escaped with a backslash, values with spaces single-quoted,
 * as FreeSWITCH's originate parser reads them. Braces and newlines are refused.
 */
export function originateVars(vars: Readonly<Record<string, string>>): string {
  const parts = Object.entries(vars).map(([k, v]) => {
    check(NAME, k, 'variable name');
    if (/[{}\n\r']/.test(v)) throw new InvalidCommandArgument(`invalid value for ${k}`);
    const escaped = v.replace(/,/g, '\\,');
    return `${k}=${/\s/.test(escaped) ? `'${escaped}'` : escaped}`;
  });
  return parts.length ? `{${parts.join(',')}}` : '';
}

export function originateCommand(o: OriginateOptions): string {
  const vars: Record<string, string> = { ...o.vars };
  if (o.uuid) vars.origination_uuid = check(UUID, o.uuid, 'uuid');
  if (o.timeoutSec) vars.originate_timeout = String(Math.max(1, Math.round(o.timeoutSec)));
  const target = `${originateVars(vars)}${check(TOKEN, o.dialstring, 'dial string')}`;
  if ('app' in o.then) {
    const arg = o.then.arg ? `(${o.then.arg.replace(/[()]/g, '')})` : '';
    return `originate ${target} &${check(NAME, o.then.app, 'application')}${arg}`;
  }
  return `originate ${target} ${check(TOKEN, o.then.extension, 'extension')} XML ${check(NAME, o.then.context, 'context')}`;
}

/** Implements SwitchCommands over a node's `api` and `bgapi` (both reject on -ERR). */
export function switchCommands(api: (command: string) => Promise<string>, bgapi?: (command: string, timeoutMs: number) => Promise<string>): SwitchCommands {
  const u = (uuid: string): string => check(UUID, uuid, 'uuid');
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
    bridge: (a, b) => run(`uuid_bridge ${u(a)} ${u(b)}`),
    transfer: (uuid, ext, ctx, leg) => run(`uuid_transfer ${u(uuid)}${leg ? ` ${leg}` : ''} ${check(TOKEN, ext, 'extension')} XML ${check(NAME, ctx, 'context')}`),
    kill: (uuid, cause = 'NORMAL_CLEARING') => run(`uuid_kill ${u(uuid)} ${check(CAUSE, cause, 'cause')}`),
    answer: (uuid) => run(`uuid_answer ${u(uuid)}`),
    hold: (uuid, on) => run(`uuid_hold ${on ? '' : 'off '}${u(uuid)}`),
    broadcast: (uuid, path, leg = 'aleg') => run(`uuid_broadcast ${u(uuid)} ${check(TOKEN, path, 'path')} ${leg}`),
    breakMedia: (uuid, all = false) => run(`uuid_break ${u(uuid)}${all ? ' all' : ''}`),
    setVar: (uuid, name, value) => {
      if (/[\n\r]/.test(value)) throw new InvalidCommandArgument(`invalid value for ${name}`);
      return run(`uuid_setvar ${u(uuid)} ${check(NAME, name, 'variable name')} ${value}`);
    },
    async getVar(uuid, name) {
      const v = (await api(`uuid_getvar ${u(uuid)} ${check(NAME, name, 'variable name')}`)).trim();
      return v === '_undef_' ? undefined : v;
    },
    async exists(uuid) {
      return (await api(`uuid_exists ${u(uuid)}`)).trim() === 'true';
    },
    record: (uuid, action, path) => run(`uuid_record ${u(uuid)} ${action} ${check(TOKEN, path, 'path')}`),
    conference: (name, action, member) => run(`conference ${check(NAME, name, 'conference')} ${action} ${check(/^(\d+|all|last)$/, member, 'member')}`),
    conferenceDial: (name, dialstring) => run(`conference ${check(NAME, name, 'conference')} dial ${check(TOKEN, dialstring, 'dial string')}`),
  };
}
