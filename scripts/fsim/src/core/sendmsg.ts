// sendmsg as mod_event_socket and switch_ivr_parse_event handle it.
//
// Where the message goes (mod_event_socket parse_command):
// - from the channel's own outbound socket in static (sync) mode, without an `async: true` header:
//   switch_ivr_parse_event runs inline in the listener thread, so the command/reply comes after the
//   application has finished, and no PRIVATE_COMMAND is fired;
// - otherwise (async socket, `async: true`, or `sendmsg <uuid>` from an inbound connection): the
//   message is queued as a private event and the channel's own thread parses it later.
// Which private events become PRIVATE_COMMAND: switch_ivr_parse_next_event (reached through
// switch_ivr_parse_all_events from the park loop, bridges and the state machine once media flows)
// fires the parsed event as PRIVATE_COMMAND *after* the application has run. The park loop of a
// channel without media yet (no read codec) dequeues and parses private events itself and just
// destroys them: no PRIVATE_COMMAND (capture 23_inbound: the `answer` sent right after `connect`
// has none; play_and_get_digits, set and park, parsed with media up, each get one after their
// CHANNEL_EXECUTE_COMPLETE).
import type { FsEvent, Header, SendMsg } from '../types.ts';
import type { Channel } from './channel.ts';
import type { SwitchCore } from './switch-core.ts';

export async function handleSendmsg(sw: SwitchCore, uuid: string, msg: SendMsg, opts: { controlled?: boolean } = {}): Promise<string> {
  const ch = sw.channels.get(uuid);
  if (!ch || ch.destroyed) return `-ERR invalid session id [${uuid}]`;
  // The socket application's park lands right after the listener's first message (apps.ts).
  if (opts.controlled) ch.beforeControlMessage?.();
  const cmd = (msg.headers.get('call-command') ?? '').toLowerCase();
  // parse_command does not look at call-command: "+OK" only says the message was taken. Commands
  // other than execute and hangup (unicast, nomedia, xferext) are accepted and not modelled.
  const inline = opts.controlled === true && !ch.socketAsync && !isTrue(msg.headers.get('async'));
  if (cmd === 'hangup') {
    sw.hangup(ch, msg.headers.get('hangup-cause') ?? 'NORMAL_CLEARING');
    return '+OK';
  }
  if (cmd !== 'execute') return '+OK';
  if (inline) {
    await parseExecute(sw, ch, msg);
    return '+OK';
  }
  void queuePrivate(sw, ch, msg, { commandLine: opts.controlled === true ? 'sendmsg' : `sendmsg ${ch.uuid}` });
  return '+OK';
}

/**
 * switch_core_session_queue_private_event + the channel thread parsing it later, one at a time in
 * arrival order. With media up the parsed event is fired afterwards (switch_ivr_parse_next_event):
 * its own headers first - a sendmsg's Command line or, for an event created with headers of its
 * own (switch_ivr_broadcast's COMMAND, `prefix`), those - then the message headers, then
 * Event-Name PRIVATE_COMMAND with a second set of base headers, then the channel data.
 */
export function queuePrivate(sw: SwitchCore, ch: Channel, msg: SendMsg, opts: { commandLine?: string; prefix?: Header[] }): Promise<void> {
  const job = async (): Promise<void> => {
    // The park loop reads a frame (20 ms) between looks at the private event queue: a parked
    // channel runs a queued sendmsg a tick later (capture 13: CHANNEL_EXECUTE 21 ms after the
    // sendmsg, by which time the caller's ACK has set sip_to_tag / sip_cseq).
    if (ch.parked && !ch.isHungUp) await sw.clock.sleep(20, ch.hangupCtl.signal);
    if (ch.isHungUp) return;
    const withMedia = ch.mediaUp;
    await parseExecute(sw, ch, msg);
    if (withMedia && !ch.destroyed) sw.fire(privateCommand(sw, ch, msg, opts));
  };
  const q = sw.queues.get(ch.uuid) ?? Promise.resolve();
  const next = q.then(job).catch((e: unknown) => sw.log.warn?.('private event failed', e));
  sw.queues.set(ch.uuid, next);
  return next;
}

/**
 * switch_ivr_parse_event, CMD_EXECUTE: `loops` runs (negative = until stopped), current_loop /
 * total_loops set before each run; the loop also stops when the channel is gone or when one run
 * took less than half a second (a guard against spinning on an application that fails at once).
 */
async function parseExecute(sw: SwitchCore, ch: Channel, msg: SendMsg): Promise<void> {
  const h = msg.headers;
  const app = h.get('execute-app-name');
  if (!app) return;
  let arg = h.get('execute-app-arg');
  // The body is the argument when the message says content-type: text/plain.
  if (!arg && (h.get('content-type') ?? '').toLowerCase() === 'text/plain') arg = msg.body;
  const loopsH = h.get('loops');
  const loops = loopsH !== undefined ? Math.trunc(Number(loopsH)) || 0 : 1;
  const eventUuid = h.get('event-uuid');
  for (let x = 0; x < loops || loops < 0; x++) {
    if (ch.isHungUp) break;
    ch.vars.set('current_loop', String(x + 1));
    ch.vars.set('total_loops', String(loops));
    const b4 = sw.clock.nowUs();
    await sw.execute(ch, app, arg ?? '', eventUuid);
    // CF_STOP_BROADCAST (uuid_hold off, uuid_break all) ends a looping broadcast; so does a
    // transfer: the channel leaves for its new extension (a held caller transferred away does not
    // take the partner's music on hold along).
    if (ch.isHungUp || ch.stopBroadcast || ch.transferTo || sw.clock.nowUs() - b4 < 500_000) break;
  }
  // Cleared once the loop is over: the next events (PRIVATE_COMMAND's channel, CHANNEL_UNPARK) do
  // not show them (capture 23_inbound).
  ch.stopBroadcast = false;
  ch.vars.unset('current_loop');
  ch.vars.unset('total_loops');
}

/**
 * The parsed sendmsg event re-fired as PRIVATE_COMMAND: its own headers first (Command holds the
 * command line and the message's header block), then the base headers switch_event_prep_for_delivery
 * appends, then the channel's basic data and caller profile; no channel variables.
 */
function privateCommand(sw: SwitchCore, ch: Channel, msg: SendMsg, opts: { commandLine?: string; prefix?: Header[] }): FsEvent {
  const own: Header[] = [...msg.headers.entries()];
  const first: Header[] = opts.prefix ?? [['Command', `${opts.commandLine ?? 'sendmsg'}\n${own.map(([k, v]) => `${k}: ${v}`).join('\n')}\n\n`]];
  const ev = sw.eb.channel('PRIVATE_COMMAND', ch, { other: sw.otherOf(ch), vars: false, ...(msg.body !== undefined ? { body: msg.body } : {}) });
  return { ...ev, headers: [...first, ...own, ...ev.headers] };
}

function isTrue(v: string | undefined): boolean {
  return !!v && /^(true|yes|on|enabled|active|allow|1)$/i.test(v.trim());
}
