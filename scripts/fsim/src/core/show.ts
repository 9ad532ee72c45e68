// `show channels|calls [as json] | count`, in FreeSWITCH's column order (capture 26).
import type { Channel } from './channel.ts';
import type { SwitchCore } from './switch-core.ts';
import { formatLocal } from './clock.ts';

function row(sw: SwitchCore, c: Channel): Record<string, string> {
  const p = c.profile;
  const peer = c.bridgedTo ? sw.channels.get(c.bridgedTo) : undefined;
  return {
    uuid: c.uuid, direction: c.direction, created: formatLocal(c.times.created), created_epoch: String(Math.floor(c.times.created / 1e6)),
    name: c.name, state: c.runningState, cid_name: p?.callerIdName ?? '', cid_num: p?.callerIdNumber ?? '', ip_addr: p?.networkAddr ?? '',
    dest: p?.destinationNumber ?? '', application: c.vars.get('current_application') ?? '', application_data: c.vars.get('current_application_data') ?? '',
    dialplan: p?.dialplan ?? '', context: p?.context ?? '', read_codec: c.mediaUp ? 'PCMU' : '', read_rate: c.mediaUp ? '8000' : '',
    read_bit_rate: c.mediaUp ? '64000' : '', write_codec: c.mediaUp ? 'PCMU' : '', write_rate: c.mediaUp ? '8000' : '', write_bit_rate: c.mediaUp ? '64000' : '',
    secure: '', hostname: sw.config.hostname, presence_id: c.presenceId ?? '', presence_data: '', accountcode: '', callstate: c.callState,
    callee_name: peer ? 'Outbound Call' : '', callee_num: peer?.profile?.destinationNumber ?? '', callee_direction: peer ? 'SEND' : '',
    call_uuid: c.callUuid, sent_callee_name: peer ? (c.direction === 'inbound' ? 'Outbound Call' : peer.profile?.callerIdName ?? '') : '',
    sent_callee_num: peer ? (c.direction === 'inbound' ? peer.profile?.destinationNumber ?? '' : peer.profile?.callerIdNumber ?? '') : '',
    initial_cid_name: p?.origCallerIdName ?? '', initial_cid_num: p?.origCallerIdNumber ?? '', initial_ip_addr: p?.networkAddr ?? '',
    initial_dest: p?.destinationNumber ?? '', initial_dialplan: p?.dialplan ?? '', initial_context: p?.context ?? '',
  };
}

const CALL_KEYS = ['uuid', 'direction', 'created', 'created_epoch', 'name', 'state', 'cid_name', 'cid_num', 'ip_addr', 'dest', 'presence_id', 'presence_data', 'accountcode', 'callstate', 'callee_name', 'callee_num', 'callee_direction', 'call_uuid', 'hostname', 'sent_callee_name', 'sent_callee_num'];
const B_KEYS = ['uuid', 'direction', 'created', 'created_epoch', 'name', 'state', 'cid_name', 'cid_num', 'ip_addr', 'dest', 'presence_id', 'presence_data', 'accountcode', 'callstate', 'callee_name', 'callee_num', 'callee_direction', 'sent_callee_name', 'sent_callee_num'];

export function showChannels(sw: SwitchCore, args: string): string {
  const w = args.split(/\s+/).filter(Boolean);
  const what = w[0] ?? '';
  const live = [...sw.channels.values()].filter((c) => !c.destroyed);
  const calls = live.filter((c) => !(c.direction === 'outbound' && c.bridgedTo && sw.channels.get(c.bridgedTo)));
  if (what !== 'channels' && what !== 'calls') return '-USAGE: show channels|calls [as json|xml|delim <c>] | count\n';
  if (w[1] === 'count') return `\n${what === 'channels' ? live.length : calls.length} total.\n`;
  let rows: Record<string, string>[];
  if (what === 'channels') rows = live.map((c) => row(sw, c));
  else {
    rows = calls.map((c) => {
      const r = row(sw, c);
      const out: Record<string, string> = {};
      for (const k of CALL_KEYS) out[k] = r[k] ?? '';
      const peer = c.bridgedTo ? sw.channels.get(c.bridgedTo) : undefined;
      if (peer) {
        const b = row(sw, peer);
        for (const k of B_KEYS) out[`b_${k}`] = b[k] ?? '';
      }
      out.call_created_epoch = r.created_epoch ?? '';
      return out;
    });
  }
  if (w[1] === 'as' && w[2] === 'json') {
    if (!rows.length) return '{"row_count": 0}\n';
    return JSON.stringify({ row_count: rows.length, rows }) + '\n';
  }
  if (!rows.length) return '\n0 total.\n';
  const keys = Object.keys(rows[0] ?? {});
  return `${keys.join(',')}\n${rows.map((r) => keys.map((k) => r[k] ?? '').join(',')).join('\n')}\n\n${rows.length} total.\n`;
}
