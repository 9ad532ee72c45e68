// Where FreeSWITCH 1.10.12 fires each event from (Event-Calling-File/-Function/-Line-Number), as
// seen in the captures. A client never depends on these, but they make the frames identical in form.
export type Source = readonly [file: string, func: string, line: number];

export const SOURCES: Readonly<Record<string, Source>> = {
  CHANNEL_STATE: ['switch_channel.c', 'switch_channel_perform_set_running_state', 2408],
  CHANNEL_CREATE: ['switch_core_state_machine.c', 'switch_core_session_run', 626],
  CHANNEL_ORIGINATE: ['switch_core_state_machine.c', 'switch_core_session_run', 632],
  CHANNEL_OUTGOING: ['switch_core_session.c', 'switch_core_session_outgoing_channel', 768],
  CHANNEL_CALLSTATE: ['switch_channel.c', 'switch_channel_perform_set_callstate', 301],
  PRESENCE_IN: ['switch_channel.c', 'switch_channel_perform_presence', 805],
  CHANNEL_EXECUTE: ['switch_core_session.c', 'switch_core_session_exec', 2944],
  CHANNEL_EXECUTE_COMPLETE: ['switch_core_session.c', 'switch_core_session_exec', 2967],
  CODEC_READ: ['switch_core_codec.c', 'switch_core_session_set_real_read_codec', 168],
  CODEC_WRITE: ['switch_core_codec.c', 'switch_core_session_set_write_codec', 450],
  CHANNEL_PROGRESS: ['switch_channel.c', 'switch_channel_perform_mark_ring_ready_value', 3505],
  CHANNEL_PROGRESS_MEDIA: ['switch_channel.c', 'switch_channel_perform_mark_pre_answered', 3560],
  CHANNEL_ANSWER: ['switch_channel.c', 'switch_channel_perform_mark_answered', 3846],
  PLAYBACK_START: ['switch_ivr_play_say.c', 'switch_ivr_play_file', 1646],
  PLAYBACK_STOP: ['switch_ivr_play_say.c', 'switch_ivr_play_file', 2020],
  CHANNEL_HANGUP: ['switch_channel.c', 'switch_channel_perform_hangup', 3445],
  CHANNEL_HANGUP_COMPLETE: ['switch_core_state_machine.c', 'switch_core_session_reporting_state', 943],
  CHANNEL_DESTROY: ['switch_core_session.c', 'switch_core_session_perform_destroy', 1584],
  CHANNEL_PARK: ['switch_ivr.c', 'switch_ivr_park', 1002],
  CHANNEL_UNPARK: ['switch_ivr.c', 'switch_ivr_park', 1213],
  CHANNEL_BRIDGE: ['switch_ivr_bridge.c', 'switch_ivr_multi_threaded_bridge', 1689],
  CHANNEL_UNBRIDGE: ['switch_ivr_bridge.c', 'switch_ivr_multi_threaded_bridge', 1879],
  CALL_UPDATE: ['mod_sofia.c', 'sofia_receive_message', 2100],
  CHANNEL_HOLD: ['switch_ivr.c', 'switch_ivr_hold', 1558],
  CHANNEL_UNHOLD: ['switch_ivr.c', 'switch_ivr_unhold', 1638],
  COMMAND: ['switch_ivr_async.c', 'switch_ivr_broadcast', 5731],
  RECORD_START: ['switch_ivr_async.c', 'record_callback', 1481],
  RECORD_STOP: ['switch_ivr_async.c', 'send_record_stop_event', 1240],
  MEDIA_BUG_START: ['switch_core_media_bug.c', 'switch_core_media_bug_add', 1014],
  MEDIA_BUG_STOP: ['switch_core_media_bug.c', 'switch_core_media_bug_destroy', 84],
  DTMF: ['switch_channel.c', 'switch_channel_dequeue_dtmf', 677],
  API: ['switch_loadable_module.c', 'switch_api_execute', 2954],
  HEARTBEAT: ['switch_core.c', 'send_heartbeat', 95],
  RE_SCHEDULE: ['switch_scheduler.c', 'switch_scheduler_execute', 73],
  BACKGROUND_JOB: ['mod_event_socket.c', 'api_exec', 1572],
  PRIVATE_COMMAND: ['switch_ivr.c', 'switch_ivr_parse_next_event', 804],
  CHANNEL_DATA_DUMP: ['mod_commands.c', 'uuid_dump_function', 6468],
  'conference::maintenance': ['conference_member.c', 'conference_member_add', 962],
  // The dialplan's `event` application (mod_dptools event_function): a CHANNEL_APPLICATION event renamed by its arguments.
  CHANNEL_APPLICATION: ['mod_dptools.c', 'event_function', 1553],
  'sofia::notify_refer': ['sofia.c', 'sofia_handle_sip_i_notify', 630],
};

export function sourceOf(key: string): Source {
  return SOURCES[key] ?? ['switch_event.c', 'switch_event_fire_detailed', 0];
}
