// Per-listener event selection, as mod_event_socket keeps it: the event_list (by type, with ALL),
// the CUSTOM subclass hash, header filters and the myevents restriction. Reply texts are
// FreeSWITCH's, including its typos.

import type { FsEvent } from '../types.ts';
import { eventHeader } from '../event-header.ts';
import { EVENT_NAMES, nameEvent } from './event-names.ts';
import type { EventFormat } from './serialize.ts';

/** Event types `myevents` turns on (parse_command, 1.10). */
const MYEVENTS_TYPES = [
  'CHANNEL_ANSWER', 'CHANNEL_APPLICATION', 'CHANNEL_BRIDGE', 'CHANNEL_CREATE', 'CHANNEL_DATA',
  'CHANNEL_DESTROY', 'CHANNEL_EXECUTE', 'CHANNEL_EXECUTE_COMPLETE', 'CHANNEL_HANGUP',
  'CHANNEL_HANGUP_COMPLETE', 'CHANNEL_ORIGINATE', 'CHANNEL_UUID', 'CHANNEL_OUTGOING', 'CHANNEL_PARK',
  'CHANNEL_PROGRESS', 'CHANNEL_PROGRESS_MEDIA', 'CHANNEL_STATE', 'CHANNEL_UNBRIDGE', 'CHANNEL_UNPARK',
  'DETECTED_SPEECH', 'DTMF', 'NOTALK', 'TALK',
];

export { eventHeader } from '../event-header.ts';

/** FreeSWITCH's "/regex/flags" filter values; an invalid regex never matches. */
function regexMatch(value: string, expr: string): boolean {
  const m = /^\/(.*)\/([a-z]*)$/s.exec(expr);
  try {
    const re = m ? new RegExp(m[1] as string, (m[2] ?? '').replace(/[^imsu]/g, '')) : new RegExp(expr);
    return re.test(value);
  } catch {
    return false;
  }
}

export class Subscription {
  format: EventFormat = 'plain';
  /** LFLAG_EVENTS: nothing is delivered until an event/myevents/nixevent command sets it. */
  enabled = false;
  myevents = false;
  private all = false;
  private readonly types = new Set<string>();
  private readonly subclasses = new Set<string>();
  /** Called after a command changed what this listener wants (the session re-subscribes). */
  onChange: (() => void) | undefined;
  /** Filters in insertion order; names compared case-insensitively. */
  private filters: Array<[name: string, value: string]> = [];

  /** `event [plain|json|xml] NAME... [CUSTOM sub1 sub2...]` -> reply text. */
  event(args: string): string {
    const words = args.split(' ');
    let keys = 0;
    let custom = false;
    words.forEach((w, idx) => {
      const lw = w.toLowerCase();
      if (idx === 0 && (lw === 'plain' || lw === 'json' || lw === 'xml')) {
        this.format = lw; // set even if the command then fails: FreeSWITCH does the same
        return;
      }
      if (custom) {
        this.subclasses.add(w); // every word after CUSTOM is a subclass (ARCHITECTURE.md section 7)
        return;
      }
      const type = nameEvent(w);
      if (!type) return;
      keys++;
      if (type === 'ALL') this.all = true;
      this.types.add(type);
      if (type === 'CUSTOM') custom = true;
    });
    if (!keys) return '-ERR no keywords supplied';
    this.enabled = true;
    this.onChange?.();
    return `+OK event listener enabled ${this.format}`;
  }

  /** `nixevent NAME...` -> reply text. Naming CUSTOM only switches to removing subclasses. */
  nixevent(args: string): string {
    let keys = 0;
    let custom = false;
    for (const w of args.split(' ')) {
      if (custom) {
        this.subclasses.delete(w);
        continue;
      }
      const type = nameEvent(w);
      if (!type) continue;
      keys++;
      if (type === 'CUSTOM') custom = true;
      else if (type === 'ALL') {
        this.all = false;
        this.types.clear();
      } else {
        if (this.all) {
          // Leaving ALL expands it into every single type so one can be removed.
          this.all = false;
          for (const n of this.allTypes()) this.types.add(n);
        }
        this.types.delete(type);
      }
    }
    if (!keys) return '-ERR no keywords supplied';
    this.enabled = true;
    this.onChange?.();
    return '+OK events nixed';
  }

  noevents(): string {
    if (!this.enabled) return '-ERR not listening for events';
    this.enabled = false;
    this.all = false;
    this.types.clear();
    this.subclasses.clear();
    this.onChange?.();
    return '+OK no longer listening for events';
  }

  /** `myevents` on an already-restricted listener is refused ("aready" sic). */
  enableMyevents(format?: EventFormat): string {
    if (this.myevents) return '-ERR aready enabled.';
    for (const t of MYEVENTS_TYPES) this.types.add(t);
    this.myevents = true;
    this.enabled = true;
    if (format) this.format = format;
    this.onChange?.();
    return '+OK Events Enabled';
  }

  /** `filter <header> <value>`, `filter add ...`, `filter delete <header> [value]|all`. */
  filter(args: string): string {
    let rest = args.replace(/^ +/, '');
    const sp = rest.indexOf(' ');
    let name = sp < 0 ? rest : rest.slice(0, sp);
    let value: string | undefined = sp < 0 ? undefined : rest.slice(sp + 1);
    if (name.toLowerCase() === 'delete' && value !== undefined) {
      rest = value;
      const sp2 = rest.indexOf(' ');
      name = sp2 < 0 ? rest : rest.slice(0, sp2);
      value = sp2 < 0 ? undefined : rest.slice(sp2 + 1);
      if (name.toLowerCase() === 'all') this.filters = [];
      else {
        const ln = name.toLowerCase();
        this.filters = this.filters.filter(([n, v]) => n.toLowerCase() !== ln || (value !== undefined && v !== value));
      }
      return `+OK filter deleted. [${name}][${value ?? ''}]`;
    }
    if (value === undefined) return '-ERR invalid syntax';
    if (name.toLowerCase() === 'add') {
      rest = value;
      const sp2 = rest.indexOf(' ');
      name = sp2 < 0 ? rest : rest.slice(0, sp2);
      value = sp2 < 0 ? '' : rest.slice(sp2 + 1);
    }
    this.filters.push([name, value]);
    return `+OK filter added. [${name}]=[${value}]`;
  }

  /**
   * event_handler(): type/subclass selection, then filters (once any exists an event must match a
   * positive one; a "-value" filter that matches vetoes; "/re/" values are regexes), then myevents
   * (only events whose Unique-ID is the bound channel; with no bound channel any Unique-ID passes).
   */
  wants(ev: FsEvent, boundUuid: string | undefined): boolean {
    if (!this.enabled) return false;
    if (!this.all) {
      if (!this.types.has(ev.name)) return false;
      if (ev.name === 'CUSTOM' && ev.subclass && !this.subclasses.has(ev.subclass)) return false;
    }
    if (this.filters.length && !this.passesFilters(ev)) return false;
    if (this.myevents) {
      const uuid = eventHeader(ev, 'unique-id') ?? ev.uuid;
      if (uuid === undefined || (boundUuid !== undefined && uuid !== boundUuid)) return false;
    }
    return true;
  }

  private passesFilters(ev: FsEvent): boolean {
    let send = false;
    for (const [name, raw] of this.filters) {
      const hval = eventHeader(ev, name);
      if (hval === undefined) continue;
      let pos = true;
      let p = 0;
      for (; p < raw.length; p++) {
        const c = raw[p];
        if (c === '+') pos = true;
        else if (c === '-') pos = false;
        else if (c !== ' ') break;
      }
      if (send && pos) continue;
      const comp = raw.slice(p);
      // Only a value that itself starts with '/' is a regex ("-/re/" compares literally).
      const hit = raw.startsWith('/') ? regexMatch(hval, comp) : hval.toLowerCase() === comp.toLowerCase();
      if (hit) {
        if (pos) send = true;
        else return false;
      }
    }
    return send;
  }

  private allTypes(): string[] {
    return EVENT_NAMES.filter((n) => n !== 'ALL');
  }
}
