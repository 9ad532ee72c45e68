// Global variables set at run time (global_setvar / global_getvar) and scheduled api commands
// (sched_api / sched_del), as mod_commands prints them (FreeSWITCH 1.10.12, checked by hand on the
// bundle: global_setvar answers "+OK" without a line feed, global_getvar the bare value,
// sched_api "+OK Added: N\n", sched_del "+OK Deleted: N\n" with the count of tasks it removed,
// 0 for an unknown group). The service leases its intake mode with them (intake-mode.ts).
import type { Clock } from './clock.ts';

export interface GlobalStore {
  get(name: string): string | undefined;
  set(name: string, value: string): void;
}

interface Task {
  readonly id: number;
  readonly group: string;
  readonly cancel: () => void;
}

export class Scheduler {
  private readonly tasks = new Map<number, Task>();
  // The real switch's own tasks (heartbeat, limit sweeps ...) take the first ids.
  private nextId = 4;

  constructor(private readonly clock: Clock) {}

  /** `sched_api [+]<sec> <group> <command>`: an absolute time is an epoch second. */
  add(when: string, group: string, run: () => void): string {
    const rel = when.startsWith('+');
    const n = Number(rel ? when.slice(1) : when.replace(/^@/, ''));
    if (!Number.isFinite(n)) return '-ERR Invalid syntax\n';
    const ms = rel || when.startsWith('@') ? n * 1000 : n * 1000 - this.clock.nowUs() / 1000;
    const id = this.nextId++;
    const cancel = this.clock.after(Math.max(0, ms), () => {
      this.tasks.delete(id);
      run();
    });
    this.tasks.set(id, { id, group, cancel });
    return `+OK Added: ${id}\n`;
  }

  /** `sched_del <id|group>`. */
  del(key: string): string {
    let n = 0;
    for (const t of [...this.tasks.values()]) {
      if (String(t.id) !== key && t.group !== key) continue;
      t.cancel();
      this.tasks.delete(t.id);
      n++;
    }
    return `+OK Deleted: ${n}\n`;
  }

  close(): void {
    for (const t of this.tasks.values()) t.cancel();
    this.tasks.clear();
  }
}
