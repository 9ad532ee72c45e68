// mod_conference, the parts a contact centre sees: the `conference NAME[@profile]` application,
// CUSTOM conference::maintenance events (conference-create, add-member, floor-change, mute-member,
// unmute-member, kick-member, del-member, conference-destroy) and the `conference` API (list,
// json_list, mute, unmute, kick, hup, dial, count) in FreeSWITCH 1.10.12's forms (capture 10).
//
// Timing follows the conference thread, which runs on the 20 ms timer: a floor holder is chosen on
// the first tick with none (the newest running member: members are kept newest first), a kicked
// member leaves on the next tick, and an empty conference is destroyed on the tick after its last
// member left.
import { randomUUID } from 'node:crypto';
import type { FsEvent, Header } from '../types.ts';
import type { Channel } from './channel.ts';
import type { SwitchCore } from './switch-core.ts';
import { parseDialString } from './dialstring.ts';
import { dialLeg, flipCid } from './bridge.ts';
import { readDtmf } from './dtmf.ts';

interface Member {
  readonly id: number;
  readonly ch: Channel;
  readonly joinedUs: number;
  canHear: boolean;
  canSpeak: boolean;
  /** conference hold: the member hears the profile's music instead of the room and is not heard. */
  held: boolean;
  kicked: boolean;
  /** Ends the member's conference application. */
  leave: () => void;
}

interface Conference {
  readonly name: string;
  readonly profile: string;
  readonly domain: string;
  readonly uuid: string;
  readonly createdUs: number;
  /** Newest first, as mod_conference links them. */
  members: Member[];
  nextId: number;
  floor: Member | undefined;
  tickArmed: boolean;
  destroyed: boolean;
}

const registry = new WeakMap<SwitchCore, Map<string, Conference>>();
// Member ids count per switch, across conferences (mod_conference's global id counter).
const memberIds = new WeakMap<SwitchCore, number>();

function confs(sw: SwitchCore): Map<string, Conference> {
  let m = registry.get(sw);
  if (!m) registry.set(sw, (m = new Map()));
  return m;
}

function confHeaders(c: Conference): Header[] {
  return [
    ['Conference-Name', c.name], ['Conference-Domain', c.domain], ['Conference-Size', String(c.members.length)],
    ['Conference-Ghosts', '0'], ['Conference-Profile-Name', c.profile], ['Conference-Unique-ID', c.uuid],
  ];
}

/** conference_member_add_event_data: conference data, Floor, the channel's basic data, member flags. */
function memberEvent(sw: SwitchCore, c: Conference, m: Member, action: string, file: [string, string, number]): FsEvent {
  const ev = sw.eb.channel('CUSTOM', m.ch, {
    subclass: 'conference::maintenance', vars: false, other: sw.otherOf(m.ch),
    pre: [...confHeaders(c), ['Floor', String(c.floor === m)]],
    post: [...memberFlags(m), ['Action', action]],
  });
  return withSource(ev, file);
}

function memberFlags(m: Member): Header[] {
  return [
    ['Video', 'false'], ['Hear', String(m.canHear)], ['See', 'true'], ['Speak', String(m.canSpeak)], ['Talking', 'false'],
    ['Mute-Detect', 'false'], ['Hold', String(m.held)], ['Member-ID', String(m.id)], ['Member-Type', 'member'],
    ['Member-Ghost', 'false'], ['Energy-Level', '100'], ['Current-Energy', '0'],
  ];
}

/** Event-Calling-* of events mod_conference fires from different places. */
function withSource(ev: FsEvent, [file, func, line]: [string, string, number]): FsEvent {
  const headers = ev.headers.map(([k, v]): Header => {
    if (k === 'Event-Calling-File') return [k, file];
    if (k === 'Event-Calling-Function') return [k, func];
    if (k === 'Event-Calling-Line-Number') return [k, String(line)];
    return [k, v];
  });
  return { ...ev, headers };
}

function confEvent(sw: SwitchCore, c: Conference, extra: Header[], file: [string, string, number]): FsEvent {
  return withSource(sw.eb.plain('CUSTOM', [...confHeaders(c), ...extra], undefined, 'conference::maintenance', 'conference::maintenance'), file);
}

const SRC = {
  create: ['mod_conference.c', 'conference_new', 3848],
  add: ['conference_member.c', 'conference_member_add', 962],
  floor: ['conference_member.c', 'conference_member_set_floor_holder', 1158],
  mute: ['conference_api.c', 'conference_api_sub_mute', 339],
  unmute: ['conference_api.c', 'conference_api_sub_unmute', 417],
  hold: ['conference_api.c', 'conference_api_sub_hold', 609],
  unhold: ['conference_api.c', 'conference_api_sub_unhold', 648],
  kick: ['conference_api.c', 'conference_api_sub_kick', 902],
  del: ['conference_member.c', 'conference_member_del', 1355],
  destroy: ['conference.c', 'conference_thread_run', 863],
} as const satisfies Record<string, [string, string, number]>;

/** conference_member_set_floor_holder: floor-change with the new holder's data, or none. */
function setFloor(sw: SwitchCore, c: Conference, m: Member | undefined): void {
  if (c.floor === m) return;
  const old = c.floor;
  c.floor = m;
  const head: Header[] = [['Action', 'floor-change'], ['Old-ID', old ? String(old.id) : 'none']];
  if (m) {
    const data = memberEvent(sw, c, m, 'floor-change', [...SRC.floor]);
    // The new holder's data sits between Old-ID and New-ID; its own Action header is not repeated.
    const base = data.headers.slice(0, data.headers.findIndex(([k]) => k === 'Conference-Name'));
    const body = data.headers.slice(base.length).filter(([k]) => k !== 'Action');
    sw.fire({ ...data, headers: [...base, ...confHeaders(c), ...head, ...body, ['New-ID', String(m.id)]] });
  } else {
    sw.fire(confEvent(sw, c, [...head, ['New-ID', 'none']], [...SRC.floor]));
  }
}

/** One conference thread tick: pick a floor holder, destroy an empty conference. */
function armTick(sw: SwitchCore, c: Conference): void {
  if (c.tickArmed || c.destroyed) return;
  c.tickArmed = true;
  sw.clock.after(20, () => {
    c.tickArmed = false;
    if (c.destroyed) return;
    if (!c.members.length) {
      c.destroyed = true;
      confs(sw).delete(c.name);
      sw.fire(confEvent(sw, c, [['Action', 'conference-destroy']], [...SRC.destroy]));
      return;
    }
    if (!c.floor) {
      const head = c.members.find((m) => !m.kicked);
      if (head) setFloor(sw, c, head);
    }
  });
}

/** The `conference` application: join NAME[@profile] until hangup or kick. */
export async function conferenceApp(sw: SwitchCore, ch: Channel, arg: string): Promise<string | undefined> {
  const [spec = ''] = arg.trim().split(/\s+/);
  const [rawName = '', profile = 'default'] = spec.split('@');
  const name = rawName.replace(/\+.*$/, '');
  if (!name) return undefined;
  if (!ch.answered) sw.answer(ch);
  let c = confs(sw).get(name);
  if (!c || c.destroyed) {
    c = {
      name, profile, domain: sw.config.domain, uuid: randomUUID(), createdUs: sw.clock.nowUs(),
      members: [], nextId: 1, floor: undefined, tickArmed: false, destroyed: false,
    };
    confs(sw).set(name, c);
    sw.fire(confEvent(sw, c, [['Action', 'conference-create']], [...SRC.create]));
  }
  const conf = c;
  const id = (memberIds.get(sw) ?? 0) + 1;
  memberIds.set(sw, id);
  let leave: () => void = () => undefined;
  const left = new Promise<void>((r) => (leave = r));
  const m: Member = { id, ch, joinedUs: sw.clock.nowUs(), canHear: true, canSpeak: true, held: false, kicked: false, leave };
  conf.members.unshift(m);
  ch.vars.set('conference_name', name);
  ch.vars.set('app_session_uuid', conf.uuid);
  ch.vars.set('conference_member_id', String(id));
  ch.vars.set('conference_moderator', 'false');
  ch.vars.set('conference_ghost', 'false');
  ch.vars.set('conference_uuid', conf.uuid);
  sw.fire(memberEvent(sw, conf, m, 'add-member', [...SRC.add]));
  armTick(sw, conf);
  const sig = ch.resetBreak();
  // The member thread reads DTMF (caller controls).
  const stopDtmf = readDtmf(sw, ch);
  await Promise.race([left, new Promise<void>((r) => (sig.aborted ? r() : sig.addEventListener('abort', () => r(), { once: true })))]);
  stopDtmf();
  // conference_member_del: the floor goes first, then del-member.
  if (conf.floor === m) setFloor(sw, conf, undefined);
  conf.members = conf.members.filter((x) => x !== m);
  sw.fire(memberEvent(sw, conf, m, 'del-member', [...SRC.del]));
  armTick(sw, conf);
  return undefined;
}

/** `conference` API. */
export async function conferenceApi(sw: SwitchCore, args: string): Promise<string> {
  const w = args.trim().split(/\s+/).filter(Boolean);
  const [name, sub = '', ...rest] = w;
  if (!name || name === 'list') {
    const all = [...confs(sw).values()].filter((c) => !c.destroyed);
    if (!all.length) return 'No active conferences.\n';
    return all.map((c) => `+OK Conference ${c.name} (${c.members.length} member${c.members.length === 1 ? '' : 's'} rate: 8000 flags: running|answered|enforce_min|dynamic|exit_sound|enter_sound)\n${listText(c)}`).join('');
  }
  if (name === 'count') return `${[...confs(sw).values()].filter((c) => !c.destroyed).length}\n`;
  const c = confs(sw).get(name);
  if (sub === 'dial') return dial(sw, name, c, rest);
  // FreeSWITCH 1.10.12 (seen in switch-threeway on the real switch): "-ERR Conference <name> not found".
  if (!c || c.destroyed) return `-ERR Conference ${name} not found\n`;
  switch (sub) {
    case 'list':
      return listText(c);
    case 'json_list':
      return cjson([confJson(sw, c)], 0);
    case 'count':
      return `${c.members.length}\n`;
    case 'mute':
    case 'unmute':
    case 'hold':
    case 'unhold':
    case 'kick':
    case 'hup':
      return memberCommand(sw, c, sub, rest[0] ?? '');
    default:
      return `-ERR ${sub || 'Command'} not found\n`;
  }
}

function listText(c: Conference): string {
  return c.members.map((m) => {
    const flags = [m.canHear ? 'hear' : '', m.canSpeak ? 'speak' : '', c.floor === m ? 'floor' : ''].filter(Boolean).join('|');
    const p = m.ch.profile;
    return `${m.id};${m.ch.name};${m.ch.uuid};${p?.callerIdName ?? ''};${p?.callerIdNumber ?? ''};${flags};0;0;100\n`;
  }).join('');
}

/** mute|unmute|kick|hup <id|all|last|non_moderator>: one line per member, in list order. */
function memberCommand(sw: SwitchCore, c: Conference, sub: string, who: string): string {
  let targets: Member[];
  if (who === 'all' || who === 'non_moderator') targets = [...c.members];
  else if (who === 'last') targets = c.members.slice(0, 1);
  else {
    const m = c.members.find((x) => String(x.id) === who);
    if (!m) return `Non-Existant ID ${who}\n`;
    targets = [m];
  }
  let out = '';
  for (const m of targets) {
    if (sub === 'mute') {
      m.canSpeak = false;
      out += `+OK mute ${m.id}\n`;
      sw.fire(memberEvent(sw, c, m, 'mute-member', [...SRC.mute]));
    } else if (sub === 'unmute') {
      m.canSpeak = true;
      out += `+OK unmute ${m.id}\n`;
      sw.fire(memberEvent(sw, c, m, 'unmute-member', [...SRC.unmute]));
    } else if (sub === 'hold' || sub === 'unhold') {
      // conference_api_sub_hold: the member stops hearing and speaking (moh-sound plays to it).
      m.held = sub === 'hold';
      out += `+OK ${sub} ${m.id}\n`;
      sw.fire(memberEvent(sw, c, m, `${sub}-member`, [...SRC[sub]]));
    } else if (sub === 'kick') {
      m.kicked = true;
      out += `+OK kicked ${m.id}\n`;
      sw.fire(memberEvent(sw, c, m, 'kick-member', [...SRC.kick]));
    } else {
      m.kicked = true;
      out += `+OK hup ${m.id}\n`;
      sw.hangup(m.ch, 'NORMAL_CLEARING');
    }
  }
  // Kicked members' threads see the flag on their next frame: they leave one tick later, oldest
  // first (capture 10: kick 3, 2, 1 then del-member 1, 2, 3).
  const kicked = targets.filter((m) => m.kicked && sub === 'kick');
  if (kicked.length) sw.clock.after(20, () => { for (const m of [...kicked].reverse()) m.leave(); });
  return out;
}

/** conference NAME dial <dialstring> [cid_number] [cid_name]: the answered leg joins NAME. */
async function dial(sw: SwitchCore, name: string, c: Conference | undefined, rest: string[]): Promise<string> {
  const [dialString = '', cidNum, cidName] = rest;
  const leg = parseDialString(dialString)[0];
  if (!leg) return 'Call Requested: result: [INVALID_NUMBER_FORMAT]\n';
  const res = await dialLeg(sw, leg, { ...(cidNum ? { cidNumber: cidNum } : {}), ...(cidName ? { cidName } : {}) });
  if (!res.ok || !res.leg) return `Call Requested: result: [${res.cause}]\n`;
  const ch = res.leg;
  flipCid(sw, ch);
  ch.busy = true;
  void sw.execute(ch, 'conference', `${name}@${c?.profile ?? 'default'}`)
    .catch((e: unknown) => sw.log.warn?.('conference dial failed', e))
    .finally(() => {
      ch.busy = false;
      if (!ch.isHungUp) sw.hangup(ch, 'NORMAL_CLEARING');
      else sw.finish(ch);
    });
  return 'Call Requested: result: [SUCCESS]\n';
}

type Json = string | number | boolean | Json[] | { [k: string]: Json };

function confJson(sw: SwitchCore, c: Conference): Json {
  const now = sw.clock.nowUs();
  return {
    conference_name: c.name, member_count: c.members.length, ghost_count: 0, rate: 8000,
    run_time: Math.floor((now - c.createdUs) / 1e6), conference_uuid: c.uuid, canvas_count: 0, max_bw_in: 0,
    force_bw_in: 0, video_floor_packets: 0, locked: false, destruct: false, wait_mod: false, audio_always: false,
    running: true, answered: true, enforce_min: true, bridge_to: false, dynamic: true, exit_sound: true,
    enter_sound: true, recording: false, video_bridge: false, video_floor_only: false, video_rfc4579: false,
    variables: {},
    members: c.members.map((m): Json => ({
      type: 'caller', id: m.id,
      flags: {
        can_hear: m.canHear, can_see: true, can_speak: m.canSpeak, hold: false, mute_detect: false, talking: false,
        has_video: false, video_bridge: false, has_floor: c.floor === m, is_moderator: false, end_conference: false,
        mandatory_member_end_conference: false, pass_digits: false,
      },
      uuid: m.ch.uuid, caller_id_name: m.ch.profile?.callerIdName ?? '', caller_id_number: m.ch.profile?.callerIdNumber ?? '',
      join_time: Math.floor((now - m.joinedUs) / 1e6), last_talking: 0, energy: 100, volume_in: 0, volume_out: 0,
      'output-volume': 0, 'input-volume': 0,
    })),
  };
}

/** cJSON_Print's layout: tabs, `"key":\t value`, `}, {` between array objects, `{\n<tabs>}` when empty. */
function cjson(v: Json, depth: number): string {
  const tabs = (n: number): string => '\t'.repeat(n);
  if (typeof v === 'string') return JSON.stringify(v);
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  if (Array.isArray(v)) {
    if (!v.length) return '[]';
    return `[${v.map((x) => cjson(x, depth + 1)).join(', ')}]`;
  }
  const entries = Object.entries(v);
  if (!entries.length) return `{\n${tabs(depth)}}`;
  return `{\n${entries.map(([k, x]) => `${tabs(depth + 1)}${JSON.stringify(k)}:\t${cjson(x, depth + 1)}`).join(',\n')}\n${tabs(depth)}}`;
}
