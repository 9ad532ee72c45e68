// The globals FreeSWITCH's core sets before it reads any XML: what $${base_dir} and friends expand to.
/** Core globals of a FreeSWITCH 1.10 Debian package install (switch_core.c sets them at start-up). */
export const FREESWITCH_BUILTIN_GLOBALS: Readonly<Record<string, string>> = Object.freeze({
  hostname: 'vm',
  local_ip_v4: '127.0.0.1',
  local_mask_v4: '255.0.0.0',
  local_ip_v6: '::1',
  base_dir: '/usr',
  conf_dir: '/etc/freeswitch',
  log_dir: '/var/log/freeswitch',
  run_dir: '/var/run/freeswitch',
  db_dir: '/var/lib/freeswitch/db',
  mod_dir: '/usr/lib/freeswitch/mod',
  script_dir: '/usr/share/freeswitch/scripts',
  temp_dir: '/tmp',
  grammar_dir: '/usr/share/freeswitch/grammar',
  certs_dir: '/etc/freeswitch/tls',
  storage_dir: '/var/lib/freeswitch/storage',
  cache_dir: '/var/cache/freeswitch',
  recordings_dir: '/var/lib/freeswitch/recordings',
  sounds_dir: '/usr/share/freeswitch/sounds',
  sound_prefix: '/usr/share/freeswitch/sounds/en/us/callie',
});
