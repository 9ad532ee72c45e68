// Dialplan applications. Each returns the Application-Response FreeSWITCH reports
// (undefined = "_none_"). Long-running ones wait on simulated time and stop early on
// hangup / uuid_break (the channel's break signal).
import type { Channel } from './channel.ts';
import type { SwitchCore } from './switch-core.ts';
import { setAckVars } from './sofia-vars.ts';
import { bridgeApp } from './bridge.ts';
import { sessionTransfer } from './transfer.ts';
import { mediaDurationMs, playFile } from './media.ts';
import { conferenceApp } from './conference.ts';
import { dequeueDtmf, readDtmf } from './dtmf.ts';
import { park } from './park.ts';
import { eavesdropApp } from './eavesdrop.ts';

type App = (sw: SwitchCore, ch: Channel, arg: string) => Promise<string | undefined> | string | undefined;

const APPS: Record<string, App> = {
  answer: async (sw, ch) => {
    sw.answer(ch);
    // A loopback -b leg's answer completes once the -a leg has taken the answer (capture 05: the
    // originate's own application runs on -a before -b's next application).
    if (ch.endpoint === 'loopback' && ch.direction === 'inbound') await sw.clock.sleep(20, ch.hangupCtl.signal);
    // The caller's ACK re-parses the dialog headers a moment later.
    if (ch.endpoint === 'sofia' && ch.direction === 'inbound') sw.clock.after(20, () => { if (!ch.destroyed) setAckVars(ch); });
    return undefined;
  },
  pre_answer: (sw, ch) => { sw.preAnswer(ch); return undefined; },
  ring_ready: (sw, ch) => { sw.ringReady(ch); return undefined; },
  hangup: (sw, ch, arg) => { sw.hangup(ch, arg.trim() || 'NORMAL_CLEARING'); return undefined; },
  playback: (sw, ch, arg) => playFile(sw, ch, arg, false),
  endless_playback: (sw, ch, arg) => playFile(sw, ch, arg, true),
  park: (sw, ch) => park(sw, ch),
  set: (_sw, ch, arg) => { setVar(ch, arg); return undefined; },
  export: (_sw, ch, arg) => { setVar(ch, arg.replace(/^nolocal:/, '')); return undefined; },
  multiset: (_sw, ch, arg) => { for (const a of multisetArgs(arg)) setVar(ch, a); return undefined; },
  unset: (_sw, ch, arg) => { ch.vars.unset(arg.trim()); return undefined; },
  sleep: async (sw, ch, arg) => { await sw.clock.sleep(Number(arg) || 0, ch.resetBreak()); return undefined; },
  log: () => undefined,
  info: () => undefined,
  event: (sw, ch, arg) => { fireEventApp(sw, ch, arg); return undefined; },
  respond: (sw, ch, arg) => {
    const code = Number(arg.split(' ')[0]);
    if (code === 183) sw.preAnswer(ch);
    else if (code === 180) sw.ringReady(ch);
    else if (code >= 300) sw.hangup(ch, code === 486 ? 'USER_BUSY' : code === 404 ? 'UNALLOCATED_NUMBER' : 'CALL_REJECTED');
    return undefined;
  },
  transfer: (sw, ch, arg) => {
    const [dest = '', dialplan = 'XML', context = ch.profile?.context ?? 'default'] = arg.trim().split(/\s+/);
    sessionTransfer(sw, ch, dest, dialplan, context);
    return undefined;
  },
  bridge: (sw, ch, arg) => bridgeApp(sw, ch, arg),
  socket: (sw, ch, arg) => socketApp(sw, ch, arg),
  play_and_get_digits: (sw, ch, arg) => playAndGetDigits(sw, ch, arg),
  deflect: (sw, ch) => { sw.hangup(ch, 'BLIND_TRANSFER'); return undefined; },
  record_session: () => undefined,
  eavesdrop: (sw, ch, arg) => eavesdropApp(sw, ch, arg),
  conference: (sw, ch, arg) => conferenceApp(sw, ch, arg),
};

export async function runApp(sw: SwitchCore, ch: Channel, app: string, arg: string): Promise<string | undefined> {
  const f = APPS[app];
  if (!f) {
    // switch_core_session_execute_application: "Invalid Application", then the channel is hung
    // up with CHANNEL_UNACCEPTABLE? FreeSWITCH 1.10 logs and hangs up with DESTINATION_OUT_OF_ORDER.
    sw.log.warn?.(`Invalid Application ${app}`);
    sw.hangup(ch, 'DESTINATION_OUT_OF_ORDER');
    return undefined;
  }
  return f(sw, ch, arg);
}

/**
 * The `event` application: "Header=value,..." on a CHANNEL_APPLICATION event, Event-Name and
 * Event-Subclass renaming it (CUSTOM with a subclass reaches `event json CUSTOM <subclass>`
 * listeners), then the channel's data with its variables.
 */
function fireEventApp(sw: SwitchCore, ch: Channel, arg: string): void {
  const extra: [string, string][] = [];
  let name = 'CHANNEL_APPLICATION';
  let subclass: string | undefined;
  for (const part of arg.split(',')) {
    const i = part.indexOf('=');
    if (i <= 0) continue;
    const k = part.slice(0, i).trim();
    const v = part.slice(i + 1).trim();
    if (k.toLowerCase() === 'event-name') name = v;
    else if (k.toLowerCase() === 'event-subclass') subclass = v;
    else extra.push([k, v]);
  }
  sw.fire(sw.eb.channel(name, ch, { sourceKey: 'CHANNEL_APPLICATION', pre: extra, vars: true, ...(subclass ? { subclass } : {}) }));
}

function setVar(ch: Channel, arg: string): void {
  const i = arg.indexOf('=');
  if (i <= 0) return;
  ch.vars.set(arg.slice(0, i), arg.slice(i + 1));
}

/** multiset's arguments: space-separated, or split by the character after a leading "^^". */
function multisetArgs(arg: string): string[] {
  const a = arg.trim();
  if (a.startsWith('^^') && a.length > 2) return a.slice(3).split(a[2]!).filter(Boolean);
  return a.split(/\s+/).filter(Boolean);
}


/**
 * mod_event_socket's socket application. Async mode: once the listener has sent `connect` the app
 * parks the channel (CHANNEL_PARK after the connect reply) and returns when the park ends (a
 * transfer from the inbound side, hangup). Static mode: the listener runs in the channel's thread
 * and the app returns when it ends; no park.
 */
async function socketApp(sw: SwitchCore, ch: Channel, arg: string): Promise<string | undefined> {
  const [hp = '', ...flags] = arg.trim().split(/\s+/);
  const i = hp.lastIndexOf(':');
  const host = i > 0 ? hp.slice(0, i) : hp;
  const port = Number(i > 0 ? hp.slice(i + 1) : 8084);
  if (!sw.outbound) return undefined;
  const async = flags.includes('async');
  ch.vars.set('socket_host', host);
  ch.controlled = true;
  ch.socketAsync = async;
  const brk = ch.resetBreak();
  let stopDtmf = (): void => undefined;
  const parkNow = (): void => {
    ch.beforeControlMessage = undefined;
    if (!async || ch.parked || ch.isHungUp || brk.aborted) return;
    ch.parked = true;
    sw.chEvent('CHANNEL_PARK', ch);
    // The park loop reads DTMF between the applications the listener runs, not during them.
    stopDtmf = readDtmf(sw, ch, undefined, () => ch.appDepth <= 1);
  };
  // The park follows `connect` on the channel's thread while the listener goes on with its next
  // commands: FreeSWITCH's listener sees CHANNEL_PARK after the reply to its first command
  // (captures 13, 23: connect, [myevents, linger,] sendmsg +OK, then CHANNEL_PARK). So park when
  // that first message comes in, or - for a listener that sends none - once both a timer tick and
  // a few real milliseconds (the listener's next commands travel over a real socket, whatever the
  // clock's time scale) have passed.
  const onConnected = (): void => {
    if (!async) return;
    ch.beforeControlMessage = parkNow;
    const t = setTimeout(() => sw.clock.after(20, parkNow), 10);
    t.unref();
  };
  const ended = new Promise<void>((r) => brk.addEventListener('abort', () => r(), { once: true }));
  try {
    const conn = sw.outbound({ uuid: ch.uuid, host, port, async, full: flags.includes('full'), onConnected });
    await Promise.race([conn, ended]);
  } catch {
    stopDtmf();
    ch.controlled = false;
    ch.socketAsync = false;
    if (ch.parked) {
      ch.parked = false;
      sw.chEvent('CHANNEL_UNPARK', ch);
    }
    return undefined; // connect failed: the dialplan continues with the next action
  }
  // A transfer from the inbound side ends the socket application (ARCHITECTURE 7); otherwise let
  // the commands already queued finish first.
  const q = sw.queues.get(ch.uuid);
  if (q && !ch.transferTo) await Promise.race([q, ended]);
  stopDtmf();
  ch.controlled = false;
  ch.socketAsync = false;
  if (ch.parked) {
    ch.parked = false;
    sw.chEvent('CHANNEL_UNPARK', ch);
  }
  return undefined;
}

async function playAndGetDigits(sw: SwitchCore, ch: Channel, arg: string): Promise<string | undefined> {
  const [minS = '1', maxS = '1', triesS = '1', timeoutS = '5000', terms = '#', file = '', invalid = '', varName = '', re = '', digitTimeoutS] = arg.trim().split(/\s+/);
  const min = Number(minS), max = Number(maxS), tries = Number(triesS), timeout = Number(timeoutS);
  const digitTimeout = digitTimeoutS ? Number(digitTimeoutS) : timeout;
  const regex = re ? new RegExp(`^(?:${re})$`) : undefined;
  for (let t = 0; t < tries && !ch.isHungUp; t++) {
    // switch_ivr_read clears both before each try: a try that times out leaves the variable
    // unset, not holding the previous try's key (the service took a timeout for an invalid key).
    ch.vars.unset('read_result');
    if (varName) ch.vars.unset(varName);
    if (file) await playFile(sw, ch, file, false, true);
    let got = '';
    let terminated = false;
    while (!ch.isHungUp && got.length < max && !terminated) {
      const d = await nextDigit(sw, ch, got ? digitTimeout : timeout);
      if (d === undefined) break;
      if (terms.includes(d)) {
        terminated = true;
        ch.vars.set('read_terminator_used', d);
      }
      else got += d;
    }
    if (got.length >= min && (!regex || regex.test(got))) {
      if (varName) ch.vars.set(varName, got);
      ch.vars.set('read_result', 'success');
      return undefined;
    }
    // Every failed try, the last one too (switch_play_and_get_digits).
    if (invalid && !ch.isHungUp) await playFile(sw, ch, invalid, false, true);
  }
  ch.vars.set('read_result', 'failure');
  return undefined;
}

/** Next DTMF digit from the channel's queue, or undefined after `ms`. */
export async function nextDigit(sw: SwitchCore, ch: Channel, ms: number): Promise<string | undefined> {
  const d = dequeueDtmf(sw, ch);
  if (d !== undefined) return d;
  const ctl = new AbortController();
  ch.dtmfWaiters.push(() => ctl.abort());
  await sw.clock.sleep(ms, AbortSignal.any([ctl.signal, ch.hangupCtl.signal]));
  return dequeueDtmf(sw, ch);
}

export { mediaDurationMs, park };
