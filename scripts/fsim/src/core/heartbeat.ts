// HEARTBEAT (switch_core.c send_heartbeat, every 20 s by default) and the uptime text that
// `status` and HEARTBEAT's Up-Time share.
import type { SwitchCore } from './switch-core.ts';

export function fireHeartbeat(sw: SwitchCore): void {
  if (sw.closed) return;
  const up = sw.clock.nowUs() - sw.startedUs;
  sw.fire(sw.eb.plain('HEARTBEAT', [
    ['Event-Info', 'System Ready'], ['Up-Time', uptimeText(up)], ['FreeSWITCH-Version', '1.10.12-release+git~20240802T210227Z~a88d069d6f~64bit'],
    ['Uptime-msec', String(Math.floor(up / 1000))], ['Session-Count', String(sw.liveCount())],
    ['Max-Sessions', String(sw.config.maxSessions ?? 1000)], ['Session-Per-Sec', '30'], ['Session-Per-Sec-Last', '0'],
    ['Session-Per-Sec-Max', '2'], ['Session-Per-Sec-FiveMin', '0'], ['Session-Since-Startup', String(sw.sessionsSinceStart)],
    ['Session-Peak-Max', String(sw.peakSessions)], ['Session-Peak-FiveMin', String(sw.peakSessions)],
    ['Idle-CPU', '98.000000'],
  ]));
}

export function uptimeText(us: number): string {
  let r = Math.floor(us);
  const micro = r % 1000; r = Math.floor(r / 1000);
  const ms = r % 1000; r = Math.floor(r / 1000);
  const s = r % 60; r = Math.floor(r / 60);
  const m = r % 60; r = Math.floor(r / 60);
  const h = r % 24; r = Math.floor(r / 24);
  const d = r % 365; const y = Math.floor(r / 365);
  return `${y} years, ${d} days, ${h} hours, ${m} minutes, ${s} seconds, ${ms} milliseconds, ${micro} microseconds`;
}
