// Channel variables keep FreeSWITCH's order: they live in a switch_event_t, and setting an
// existing variable deletes the old header and appends a new one at the bottom. So a re-set
// variable moves to the end of the variable_* list (visible in the captures: call_uuid moves
// after ep_codec_string when the first application runs).
export class VarStore {
  private readonly map = new Map<string, string>();

  get(name: string): string | undefined {
    return this.map.get(name);
  }

  has(name: string): boolean {
    return this.map.has(name);
  }

  /** Set (or re-set, moving to the end). An undefined or empty value unsets, as FreeSWITCH does. */
  set(name: string, value: string | undefined): void {
    this.map.delete(name);
    if (value !== undefined && value !== '') this.map.set(name, value);
  }

  /** Set only if absent (keeps position when present). */
  setIfAbsent(name: string, value: string): void {
    if (!this.map.has(name)) this.map.set(name, value);
  }

  unset(name: string): void {
    this.map.delete(name);
  }

  entries(): IterableIterator<[string, string]> {
    return this.map.entries();
  }

  toObject(): Record<string, string> {
    return Object.fromEntries(this.map);
  }

  get size(): number {
    return this.map.size;
  }
}
