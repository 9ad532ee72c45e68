// parse_command() of mod_event_socket.c (FreeSWITCH 1.10), one verb at a time and in its order.
// Verbs are matched as case-insensitive PREFIXES, like strncasecmp(cmd, "verb", n) in C: "exitfoo"
// exits and "events plain ALL" subscribes. Replies are FreeSWITCH's texts, typos included.

import { randomUUID } from 'node:crypto';
import type { FsEvent, Header, SendMsg, SwitchFacade } from '../types.ts';
import { atoi, frameHeader } from './frame-parser.ts';
import type { CommandFrame } from './frame-parser.ts';
import { apiResponse, commandReply, serializePlain } from './serialize.ts';
import type { EventFormat } from './serialize.ts';
import type { Subscription } from './subscription.ts';

/** The listener state parse_command reads and changes. */
export interface CommandHost {
  readonly sw: SwitchFacade;
  readonly sub: Subscription;
  readonly password: string | undefined;
  /** Outbound-socket listener (LFLAG_OUTBOUND). */
  readonly outbound: boolean;
  /** LFLAG_FULL: inbound listeners always; outbound with `full`. */
  readonly full: boolean;
  authed: boolean;
  /** The channel this listener is bound to (outbound, or inbound after `myevents <uuid>`). */
  bound: string | undefined;
  async: boolean;
  /** undefined = not lingering; -1 = linger until the client closes; else seconds. */
  linger: number | undefined;
  resume: boolean;
  logging: boolean;
  connected: boolean;
  /** Write bytes now, in order with everything else. */
  write(data: string): void;
  /** Deliver a new event to every subscriber (BACKGROUND_JOB). */
  fire(ev: FsEvent): void;
  /** Called when a command was connect (LFLAG_CONNECTED). */
  onConnected(): void;
}

export interface Outcome {
  /** Reply-Text for a plain command/reply ("" = none, e.g. after api or connect). */
  readonly reply: string;
  /** Stop the listener after replying (exit, bad auth, parse error). */
  readonly end?: boolean;
}

const LOG_LEVELS = ['CONSOLE', 'ALERT', 'CRIT', 'ERR', 'WARNING', 'NOTICE', 'INFO', 'DEBUG'];

const starts = (cmd: string, verb: string): boolean => cmd.slice(0, verb.length).toLowerCase() === verb;

/** Words after the first space at or after `from` (how `event`/`nixevent` find their arguments). */
function argsAfter(cmd: string, from: number): string | undefined {
  const sp = cmd.indexOf(' ', from);
  return sp < 0 ? undefined : cmd.slice(sp + 1);
}

function toSendMsg(frame: CommandFrame): SendMsg {
  const headers = new Map<string, string>();
  for (const [k, v] of frame.headers) {
    const lk = k.toLowerCase();
    if (!headers.has(lk)) headers.set(lk, v);
  }
  return frame.body !== undefined ? { headers, body: frame.body } : { headers };
}

/**
 * Caller-profile fields switch_channel_get_variable falls back to when there is no such variable
 * (switch_caller_get_field_by_name): `getvar destination_number` answers 9002 although
 * destination_number is not a channel variable (capture 13 shows it for uuid_getvar).
 */
const PROFILE_FIELDS: Readonly<Record<string, string>> = {
  dialplan: 'Caller-Dialplan',
  username: 'Caller-Username',
  caller_id_name: 'Caller-Caller-ID-Name',
  caller_id_number: 'Caller-Caller-ID-Number',
  orig_caller_id_name: 'Caller-Orig-Caller-ID-Name',
  orig_caller_id_number: 'Caller-Orig-Caller-ID-Number',
  callee_id_name: 'Caller-Callee-ID-Name',
  callee_id_number: 'Caller-Callee-ID-Number',
  ani: 'Caller-ANI',
  network_addr: 'Caller-Network-Addr',
  rdnis: 'Caller-RDNIS',
  destination_number: 'Caller-Destination-Number',
  uuid: 'Caller-Unique-ID',
  source: 'Caller-Source',
  transfer_source: 'Caller-Transfer-Source',
  context: 'Caller-Context',
  chan_name: 'Caller-Channel-Name',
  profile_index: 'Caller-Profile-Index',
};

/** getvar reads the channel's variable from its CHANNEL_DATA headers (variable_<name>). */
function channelVar(sw: SwitchFacade, uuid: string, name: string): string {
  const data = sw.channelData(uuid);
  const key = `variable_${name}`;
  const field = PROFILE_FIELDS[name];
  return data?.find(([k]) => k === key)?.[1] ?? (field ? data?.find(([k]) => k === field)?.[1] : undefined) ?? '';
}

export function connectReply(h: CommandHost): string {
  const uuid = h.bound ?? '';
  const data: readonly Header[] =
    h.sw.channelData(uuid) ?? h.sw.baseHeaders('CHANNEL_DATA', 'mod_event_socket.c', 'parse_command', 2021);
  // mod_event_socket builds this event itself: the caller profile under the prefix "Channel"
  // (Channel-Direction ... Channel-Privacy-Hide-Number, right after the base headers), then the
  // usual channel data with its Caller-* copy of the same profile (captures 13, 21b).
  const profile: Header[] = data.filter(([k]) => k.startsWith('Caller-')).map(([k, v]) => [`Channel-${k.slice(7)}`, v]);
  const at = data.findIndex(([k]) => k === 'Event-Sequence') + 1;
  const withProfile = at > 0 && profile.length ? [...data.slice(0, at), ...profile, ...data.slice(at)] : data;
  // The reply headers are appended to the CHANNEL_DATA event and the whole event is serialised in
  // plain form with no outer frame, so Reply-Text shows up URL-encoded as "%2BOK%0A" (capture 13).
  return serializePlain([
    ...withProfile,
    ['Content-Type', 'command/reply'],
    ['Reply-Text', '+OK\n'],
    ['Socket-Mode', h.async ? 'async' : 'static'],
    ['Control', h.full ? 'full' : 'single-channel'],
  ]);
}

export async function runCommand(h: CommandHost, frame: CommandFrame): Promise<Outcome> {
  const cmd = frame.command;
  if (starts(cmd, 'exit') || starts(cmd, '...')) return { reply: '+OK bye', end: true };

  if (!h.authed) {
    if (starts(cmd, 'auth ')) {
      if (h.password !== undefined && cmd.slice(5) === h.password) {
        h.authed = true;
        return { reply: '+OK accepted' };
      }
      return { reply: '-ERR invalid', end: true };
    }
    // userauth needs a user directory, which the simulator does not have: always refused.
    if (starts(cmd, 'userauth ')) return { reply: '-ERR invalid', end: true };
    return { reply: '-ERR command not found' };
  }

  if (starts(cmd, 'filter ')) return { reply: h.sub.filter(cmd.slice(7)) };

  if (h.bound !== undefined && starts(cmd, 'resume')) {
    h.resume = true;
    return { reply: '+OK' };
  }

  if (h.bound !== undefined || starts(cmd, 'myevents ')) {
    if (starts(cmd, 'connect')) {
      h.connected = true;
      h.write(connectReply(h));
      h.onConnected();
      return { reply: '' };
    }
    if (starts(cmd, 'getvar')) {
      const sp = cmd.indexOf(' ');
      const val = sp < 0 || h.bound === undefined ? '' : channelVar(h.sw, h.bound, cmd.slice(sp + 1));
      return { reply: val || '-ERR command not found' };
    }
    if (starts(cmd, 'myevents')) return { reply: myevents(h, cmd) };
  }

  if (starts(cmd, 'divert_events')) {
    if (h.bound === undefined) return { reply: '-ERR not controlling a session.' };
    const onoff = cmd.slice(13).replace(/^ +/, '');
    if (!onoff) return { reply: '-ERR missing value.' };
    // Diverted events are session-queued events (sendevent to a uuid); nothing else to model here.
    return { reply: onoff.toLowerCase() === 'on' ? '+OK events diverted' : '+OK events not diverted' };
  }

  if (starts(cmd, 'sendmsg')) return { reply: await sendmsg(h, frame) };

  // An outbound socket without `full` may only use the commands above.
  if (h.outbound && !h.full) return { reply: '-ERR command not found' };

  if (starts(cmd, 'api ')) {
    const [command, args] = splitApi(cmd.slice(4));
    const result = await h.sw.api(command, args ?? '');
    h.write(apiResponse(result === '' ? '-ERR no reply\n' : result));
    return { reply: '' };
  }
  if (starts(cmd, 'bgapi ')) {
    bgapi(h, frame);
    return { reply: '' };
  }
  if (starts(cmd, 'log')) return { reply: logCommand(h, cmd) };
  if (starts(cmd, 'linger')) {
    if (h.bound === undefined) return { reply: '-ERR not controlling a session' };
    const secs = cmd[6] === ' ' && cmd.length > 7 ? atoi(cmd.slice(7)) : -1;
    h.linger = secs;
    return { reply: secs === -1 ? '+OK will linger' : `+OK will linger ${secs} seconds` };
  }
  if (starts(cmd, 'nolinger')) {
    if (h.bound === undefined) return { reply: '-ERR not controlling a session' };
    h.linger = undefined;
    return { reply: '+OK will not linger' };
  }
  if (starts(cmd, 'nolog')) {
    const was = h.logging;
    h.logging = false;
    return { reply: was ? '+OK no longer logging' : '-ERR not loging' };
  }
  if (starts(cmd, 'event')) {
    const args = argsAfter(cmd, 5);
    return { reply: args === undefined ? '-ERR no keywords supplied' : h.sub.event(args) };
  }
  if (starts(cmd, 'nixevent')) {
    const args = argsAfter(cmd, 5);
    return { reply: args === undefined ? '-ERR no keywords supplied' : h.sub.nixevent(args) };
  }
  if (starts(cmd, 'noevents')) return { reply: h.sub.noevents() };
  return { reply: '-ERR command not found' };
}

function splitApi(rest: string): [string, string | undefined] {
  const sp = rest.indexOf(' ');
  return sp < 0 ? [rest, undefined] : [rest.slice(0, sp), rest.slice(sp + 1)];
}

function myevents(h: CommandHost, cmd: string): string {
  if (h.sub.myevents) return '-ERR aready enabled.';
  let fmtSource = cmd;
  if (h.bound === undefined) {
    // Inbound `myevents <uuid> [format]`. FreeSWITCH cuts the command at the space after the uuid
    // before it looks for a format word, so the format argument is ignored (a 1.10 quirk kept on
    // purpose); an unknown uuid with a format is refused, without one the listener stays unbound
    // and then gets these event types for every channel.
    const rest = cmd.slice(9);
    const sp = rest.indexOf(' ');
    const uuid = sp < 0 ? rest : rest.slice(0, sp);
    if (h.sw.channelExists(uuid)) {
      h.bound = uuid;
      h.async = true;
    } else if (sp >= 0) {
      return '-ERR invalid uuid';
    }
    fmtSource = `myevents ${uuid}`;
  }
  let format: EventFormat | undefined;
  if (fmtSource.includes('xml') || fmtSource.includes('XML')) format = 'xml';
  if (fmtSource.includes('json') || fmtSource.includes('JSON')) format = 'json';
  return h.sub.enableMyevents(format);
}

async function sendmsg(h: CommandHost, frame: CommandFrame): Promise<string> {
  let uuid: string | undefined = frame.command.slice(7).replace(/^ +/, '');
  if (!uuid) uuid = frameHeader(frame, 'session-id');
  if (uuid !== undefined && uuid === h.bound) uuid = undefined;
  if (!uuid && h.bound !== undefined) {
    return h.sw.sendmsg(h.bound, toSendMsg(frame), { controlled: h.outbound });
  }
  if (uuid) return h.sw.sendmsg(uuid, toSendMsg(frame), { controlled: false });
  return `-ERR invalid session id [${uuid ?? ''}]`;
}

function bgapi(h: CommandHost, frame: CommandFrame): void {
  const [command, args] = splitApi(frame.command.slice(6));
  // A caller-chosen Job-UUID is copied into a 37-byte buffer: at most 36 characters survive.
  const jobUuid = (frameHeader(frame, 'job-uuid') ?? randomUUID()).slice(0, 36);
  h.write(commandReply(`+OK Job-UUID: ${jobUuid}`, [['Job-UUID', jobUuid]]));
  // The job runs beside the listener (a thread in FreeSWITCH); its result is an ordinary event that
  // every BACKGROUND_JOB subscriber receives, not only this connection.
  void h.sw
    .api(command, args ?? '', { jobUuid })
    .catch((err: unknown) => `-ERR ${err instanceof Error ? err.message : String(err)}\n`)
    .then((result) => {
      const headers: Header[] = [
        ...h.sw.baseHeaders('BACKGROUND_JOB', 'mod_event_socket.c', 'api_exec', 1572),
        ['Job-UUID', jobUuid],
        ['Job-Command', command],
      ];
      if (args !== undefined) headers.push(['Job-Command-Arg', args]);
      h.fire({ name: 'BACKGROUND_JOB', headers, body: result });
    });
}

function logCommand(h: CommandHost, cmd: string): string {
  // "log" alone means debug; "log <level>" takes a name or a number (switch_log_str2level).
  const levelS = cmd.length > 3 ? cmd.slice(4) : '';
  let level = 7;
  if (levelS) {
    if (/^\d+$/.test(levelS)) level = Math.min(atoi(levelS), 63);
    else level = LOG_LEVELS.indexOf(levelS.toUpperCase());
  }
  if (level < 0) return '-ERR invalid log level';
  h.logging = true; // the simulator has no log stream to send: the flag only changes nolog's reply
  return `+OK log level ${levelS} [${level}]`;
}
