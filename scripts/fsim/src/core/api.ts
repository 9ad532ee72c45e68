// API commands (api / bgapi bodies), formatted as FreeSWITCH 1.10.12 prints them.
import type { SwitchCore } from './switch-core.ts';
import type { Channel } from './channel.ts';
import { uptimeText } from './heartbeat.ts';
import { parseDialString, parseInlineApp } from './dialstring.ts';
import { bridgeLegs, dialLeg, flipCid } from './bridge.ts';
import { park } from './park.ts';
import { queueDtmf } from './dtmf.ts';
import { playFile } from './media.ts';
import { showChannels } from './show.ts';
import { conferenceApi } from './conference.ts';
import { breakMedia, broadcast, hold, unhold } from './hold.ts';
import { startRecord, stopRecord } from './record.ts';
import { deflect } from './deflect.ts';
import { setMediaStats } from './sofia-vars.ts';
import { sessionTransfer, takeLeg, transferProfile, uuidBridgeProfile } from './transfer.ts';
import { loopbackPeerOf } from './loopback.ts';
import { finishWhenIdle, leftBehind } from './after-bridge.ts';

const VERSION = '1.10.12-release+git~20240802T210227Z~a88d069d6f~64bit';

export async function runApi(sw: SwitchCore, command: string, args: string, opts?: { jobUuid?: string }): Promise<string> {
  try {
    return await runCommand(sw, command, args, opts);
  } finally {
    // switch_api_execute fires the API event after the command has run (captures 15, 22: the
    // originate's API event follows its channel's CHANNEL_HANGUP / the uuid_kill's CHANNEL_HANGUP).
    sw.fire(sw.eb.plain('API', [['API-Command', command], ...(args ? [['API-Command-Argument', args] as [string, string]] : [])]));
  }
}

async function runCommand(sw: SwitchCore, command: string, args: string, opts?: { jobUuid?: string }): Promise<string> {
  const a = args.trim();
  const w = a.split(/\s+/).filter(Boolean);
  const chOf = (u: string | undefined) => (u ? sw.channels.get(u) : undefined);
  switch (command) {
    case 'status': {
      const up = sw.clock.nowUs() - sw.startedUs;
      const n = sw.liveCount();
      return `UP ${uptimeText(up)}\nFreeSWITCH (Version 1.10.12-release git a88d069 2024-08-02 21:02:27Z 64bit) is ready\n${sw.sessionsSinceStart} session(s) since startup\n${n} session(s) - peak ${sw.peakSessions}, last 5min ${sw.peakSessions} \n0 session(s) per Sec out of max 30, peak ${sw.peakSessions}, last 5min ${sw.peakSessions} \n${sw.config.maxSessions ?? 1000} session(s) max\nmin idle cpu 0.00/98.00\nCurrent Stack Size/Max 240K/8192K\n`;
    }
    case 'version':
      return `FreeSWITCH Version ${VERSION} (git a88d069 2024-08-02 21:02:27Z 64bit)\n`;
    case 'uptime':
      return `${Math.floor((sw.clock.nowUs() - sw.startedUs) / 1e6)}\n`;
    case 'show':
      return showChannels(sw, a);
    case 'sofia':
      return sofiaStatus(sw);
    case 'originate':
      return originate(sw, a, opts?.jobUuid);
    case 'uuid_kill': {
      const ch = chOf(w[0]);
      if (!ch) return '-ERR No such channel!\n';
      sw.hangup(ch, w[1] ?? 'NORMAL_CLEARING');
      return '+OK\n';
    }
    case 'uuid_exists':
      return chOf(w[0]) ? 'true' : 'false';
    case 'uuid_answer': {
      const ch = chOf(w[0]);
      if (!ch) return '-ERR No such channel!\n';
      sw.answer(ch);
      return '+OK\n';
    }
    case 'uuid_getvar': {
      const ch = chOf(w[0]);
      if (!ch) return '-ERR No such channel!\n';
      // No trailing newline, and _undef_ for a missing variable. switch_channel_get_variable falls
      // back to the caller profile's fields (destination_number, caller_id_name, ...: capture 13).
      return ch.vars.get(w[1] ?? '') ?? profileField(ch, w[1] ?? '') ?? '_undef_';
    }
    case 'uuid_set_media_stats': {
      const ch = chOf(w[0]);
      if (!ch) return '-ERR No such channel!\n';
      setMediaStats(sw, ch);
      return '+OK\n';
    }
    case 'uuid_setvar': {
      const ch = chOf(w[0]);
      if (!ch) return '-ERR No such channel!\n';
      if (!w[1]) return '-USAGE: <uuid> <var> [value]\n';
      ch.vars.set(w[1], w.slice(2).join(' ') || undefined);
      return '+OK\n';
    }
    case 'uuid_setvar_multi': {
      // mod_commands (seen on 1.10.12): exactly <uuid> and one list, items split on ';', each at its
      // first '=' (an empty value unsets); an error is followed by the usage line.
      const usage = '-USAGE: <uuid> <var>=<value>;<var>=<value>...';
      if (w.length !== 2) return `${usage}\n`;
      const ch = chOf(w[0]);
      if (!ch) return `-ERR No such channel!\n${usage}`;
      const items = w[1]!.split(';').map((item) => {
        const eq = item.indexOf('=');
        return eq < 0 ? ([item, undefined] as const) : ([item.slice(0, eq), item.slice(eq + 1) || undefined] as const);
      });
      if (items.some(([name]) => name === '')) return `-ERR No variable specified\n${usage}`;
      for (const [name, value] of items) ch.vars.set(name, value);
      return '+OK\n';
    }
    case 'uuid_dump': {
      const ch = chOf(w[0]);
      if (!ch) return '-ERR No such channel!\n';
      const h = sw.channelData(ch.uuid) ?? [];
      if (w[1] === 'json') return JSON.stringify(Object.fromEntries(h));
      // switch_event_serialize's "k: v\n" lines, then the blank line that ends the block (capture 21).
      return h.map(([k, v]) => `${k}: ${encodeURIComponent(v)}`).join('\n') + '\n\n';
    }
    case 'uuid_bridge': {
      const x = chOf(w[0]);
      const y = chOf(w[1]);
      if (!x || !y) return '-ERR Invalid uuid\n';
      // Each leg is taken from whatever held it: park, an extension's application, or a bridge
      // from an earlier uuid_bridge (that bridge ends; the partner it leaves behind hangs up or
      // parks by its own park_after_bridge, after-bridge.ts).
      const xc = takeLeg(x);
      const yc = takeLeg(y);
      const mine = (l: Channel, c: number): boolean => l.claim === c;
      uuidBridgeProfile(sw, x, y);
      uuidBridgeProfile(sw, y, x);
      x.inBridge = true;
      y.inBridge = true;
      // Both legs leave what they run (park: CHANNEL_UNPARK, EXECUTE_COMPLETE) before the bridge.
      x.breakCtl.abort();
      y.breakCtl.abort();
      void (async () => {
        await sw.clock.sleep(20);
        if (!x.isHungUp && !y.isHungUp && mine(x, xc) && mine(y, yc)) await bridgeLegs(sw, x, y, { uuidBridge: true });
        // A leg a newer uuid_bridge or a transfer took meanwhile belongs to that now.
        const legs = ([[x, xc], [y, yc]] as const).filter(([l, c]) => mine(l, c)).map(([l]) => l);
        for (const l of legs) l.inBridge = false;
        // The originator re-enters CS_EXECUTE with no application left: it hangs up, or parks
        // with park_after_bridge. (The originatee's fate was settled as the bridge ended.)
        for (const l of legs) leftBehind(sw, l);
        for (const l of legs) finishWhenIdle(sw, l);
      })().catch((e: unknown) => sw.log.error?.('uuid_bridge failed', e));
      return `+OK ${y.uuid}\n`;
    }
    case 'uuid_transfer': {
      const ch = chOf(w[0]);
      if (!ch) return '-ERR No such channel!\n';
      let rest = w.slice(1);
      let target = ch;
      const which = rest[0];
      if (which === '-bleg' || which === '-both') {
        target = chOf(ch.bridgedTo) ?? ch;
        rest = rest.slice(1);
      }
      const [dest = '', dialplan = 'XML', context = target.profile?.context ?? 'default'] = rest;
      // -both: the bridged partner first, then the leg named (mod_commands transfer_function),
      // both to the same extension; neither is left behind by the bridge they leave.
      sessionTransfer(sw, target, dest, dialplan, context);
      if (which === '-both' && target !== ch) sessionTransfer(sw, ch, dest, dialplan, context);
      return '+OK\n';
    }
    case 'uuid_break': {
      const ch = chOf(w[0]);
      if (!ch) return '-ERR No such channel!\n';
      breakMedia(ch, w[1] === 'all');
      return '+OK\n';
    }
    case 'uuid_hold': {
      const off = w[0] === 'off';
      const toggle = w[0] === 'toggle';
      const ch = chOf(off || toggle ? w[1] : w[0]);
      if (!ch) return '-ERR No such channel!\n';
      if (toggle ? !ch.held : !off) hold(sw, ch);
      else await unhold(sw, ch);
      return '+OK Success\n';
    }
    case 'uuid_broadcast': {
      const ch = chOf(w[0]);
      if (!ch) return '-ERR No such channel!\n';
      const file = w[1] ?? '';
      const leg = w[2] ?? 'aleg';
      const targets = leg === 'both' ? [ch, chOf(ch.bridgedTo)] : leg === 'bleg' ? [chOf(ch.bridgedTo)] : [ch];
      for (const t of targets) if (t) void broadcast(sw, t, file);
      return '+OK Message sent\n';
    }
    case 'uuid_send_dtmf':
    case 'uuid_recv_dtmf': {
      const ch = chOf(w[0]);
      if (!ch) return '-ERR No such channel!\n';
      const raw = w[1] ?? '';
      const digits = raw.split('@')[0] ?? '';
      if (command === 'uuid_recv_dtmf') {
        // As if the far end had sent them: DTMF-Source APP, on this channel (capture 07b).
        queueDtmf(sw, ch, digits, 'APP');
        ch.vars.set('last_dtmf_duration', '2000');
        return `+OK ${ch.uuid} received DTMF ${raw}.\n`;
      }
      // Sent out to the far end. A loopback leg's far end is its other half, which fires the DTMF
      // events (DTMF-Source UNKNOWN); a SIP phone's digits leave the switch unseen.
      const peer = loopbackPeerOf(sw, ch);
      if (peer) queueDtmf(sw, peer, digits, 'UNKNOWN');
      return `+OK ${ch.uuid} sent DTMF ${raw}.\n`;
    }
    case 'uuid_record': {
      const ch = chOf(w[0]);
      if (!ch) return '-ERR No such channel!\n';
      const path = w[2] ?? '';
      if (w[1] === 'start' && path) return startRecord(sw, ch, path);
      if (w[1] === 'stop' && path) return stopRecord(sw, ch, path);
      return '-USAGE: <uuid> [start|stop|mask|unmask] <path> [<limit>] [<recording_vars>]\n';
    }
    case 'uuid_deflect': {
      const ch = chOf(w[0]);
      if (!ch) return '-ERR No such channel!\n';
      if (!w[1]) return '-USAGE: <uuid> <uri>\n';
      return deflect(sw, ch, w[1]);
    }
    case 'conference':
      return conferenceApi(sw, a);
    case 'global_setvar': {
      const i = a.indexOf('=');
      if (i <= 0) return '-USAGE: <var>=<value>\n';
      sw.globals.set(a.slice(0, i).trim(), a.slice(i + 1).trim());
      return '+OK';
    }
    case 'global_getvar':
      return sw.globals.get(a) ?? '';
    case 'sched_api': {
      const m = /^(\S+)\s+(\S+)\s+(\S+)\s*(.*)$/.exec(a);
      if (!m) return '-ERR Invalid syntax\n';
      const [, when = '', group = '', cmd = '', rest = ''] = m;
      return sw.scheduler.add(when, group, () => void runApi(sw, cmd, rest).catch(() => undefined));
    }
    case 'sched_del':
      return w[0] ? sw.scheduler.del(w[0]) : '-ERR Invalid syntax\n';
    case 'hupall': {
      for (const ch of [...sw.channels.values()]) sw.hangup(ch, w[0] ?? 'MANAGER_REQUEST');
      return '+OK\n';
    }
    default:
      return `-ERR ${command} Command not found!\n`;
  }
}

/** originate <dialstring> <&app(arg) | ext [dialplan] [context]> [cid_name] [cid_num] [timeout] */
async function originate(sw: SwitchCore, a: string, jobUuid?: string): Promise<string> {
  const m = /^(\{[^}]*\})?(\S+)\s*(.*)$/.exec(a);
  if (!m) return '-USAGE: <call url> <exten>|&<application_name>(<app_args>) [<dialplan>] [<context>] [<cid_name>] [<cid_num>] [<timeout_sec>]\n';
  const dial = (m[1] ?? '') + (m[2] ?? '');
  const rest = (m[3] ?? '').trim();
  const legs = parseDialString(dial);
  const leg = legs[0];
  if (!leg) return '-ERR INVALID_NUMBER_FORMAT\n';
  const parts = rest.split(/\s+/);
  const res = await dialLeg(sw, leg, { timeoutSec: Number(parts[5] ?? leg.vars.originate_timeout ?? 60) });
  if (!res.ok || !res.leg) return `-ERR ${res.cause}\n`;
  const ch = res.leg;
  flipCid(sw, ch);
  // After answer the leg runs the extension: either an inline app or the dialplan.
  if (rest.startsWith('&')) {
    const { app, arg } = parseInlineApp(rest);
    ch.runningState = 'CS_EXECUTE';
    ch.state = 'CS_EXECUTE';
    sw.chEvent('CHANNEL_STATE', ch);
    ch.busy = true;
    void (async () => {
      try {
        await sw.execute(ch, app, arg);
      } catch (e) {
        sw.log.warn?.('originate application failed', e);
      } finally {
        ch.busy = false;
        if (ch.transferTo && !ch.isHungUp) void sw.routeAndExecute(ch, true).catch(() => undefined);
        else if (ch.isHungUp) sw.finish(ch);
        // Broken out of park by uuid_bridge: the bridge owns the leg now.
        else if (!ch.bridgedTo && !ch.inBridge) sw.hangup(ch, 'NORMAL_CLEARING');
      }
    })();
  } else {
    const [ext = '', dialplan = 'XML', context = 'default'] = parts;
    // switch_ivr_originate hands an answered leg to an extension by switch_ivr_session_transfer.
    transferProfile(sw, ch, ext, dialplan, context, true);
    // The transfer is only requested here; the leg's own thread routes it once originate has
    // returned: a bgapi's BACKGROUND_JOB comes first (capture 10: BACKGROUND_JOB, then
    // conference-create and add-member, leg by leg).
    ch.busy = true;
    let started = false;
    const start = (): void => {
      if (started) return;
      started = true;
      stopWatch();
      ch.busy = false;
      void sw.routeAndExecute(ch).catch((e: unknown) => sw.log.error?.('channel thread failed', e));
    };
    const stopWatch = jobUuid
      ? sw.onEvent((ev) => { if (ev.name === 'BACKGROUND_JOB' && ev.headers.some(([k, v]) => k === 'Job-UUID' && v === jobUuid)) start(); })
      : () => undefined;
    // Without a BACKGROUND_JOB through the switch (blocking api, or an ESL layer that delivers it
    // itself) the leg starts on the next timer turn.
    sw.clock.after(jobUuid ? 20 : 0, start);
  }
  return `+OK ${ch.uuid}\n`;
}

/** switch_caller_get_field_by_name: the caller-profile fields a variable lookup falls back to. */
function profileField(ch: Channel, name: string): string | undefined {
  const p = ch.profile;
  if (!p) return undefined;
  const f: Record<string, string | undefined> = {
    dialplan: p.dialplan, username: p.username, caller_id_name: p.callerIdName, caller_id_number: p.callerIdNumber,
    orig_caller_id_name: p.origCallerIdName, orig_caller_id_number: p.origCallerIdNumber, callee_id_name: p.calleeIdName,
    callee_id_number: p.calleeIdNumber, ani: p.ani, network_addr: p.networkAddr, rdnis: p.rdnis,
    destination_number: p.destinationNumber, uuid: ch.uuid, source: p.source, context: p.context, chan_name: ch.name,
    transfer_source: p.transferSource, profile_index: String(p.profileIndex),
  };
  return f[name] || undefined;
}

function sofiaStatus(sw: SwitchCore): string {
  const line = '='.repeat(97);
  const rows: string[] = [];
  for (const p of sw.config.profiles) {
    rows.push(`${p.ip.padStart(25)}\t${'alias'.padStart(7)}\t${p.name.padStart(42)}\tALIASED`);
    rows.push(`${p.name.padStart(25)}\t${'profile'.padStart(7)}\t${`sip:mod_sofia@${p.ip}:${p.port}`.padStart(42)}\tRUNNING (0)`);
  }
  for (const g of sw.config.gateways ?? []) {
    rows.push(`${`${sw.config.profiles[0]?.name ?? 'internal'}::${g.name}`.padStart(25)}\t${'gateway'.padStart(7)}\t${`sip:${g.proxy ?? g.name}`.padStart(42)}\tNOREG`);
  }
  const np = sw.config.profiles.length;
  return `${'Name'.padStart(25)}\t${'Type'.padStart(7)}\t${'Data'.padStart(42)}\tState\n${line}\n${rows.join('\n')}\n${line}\n${np} profile${np === 1 ? '' : 's'} ${np} alias${np === 1 ? '' : 'es'}\n`;
}

export { park, playFile };
