// Commands waiting for FreeSWITCH. Replies are matched to commands by order in the connection
// (esl-connection.ts); this table adds a timeout on every command (the whole bgapi job included),
// and rejects every pending command at once when the node gives up its connection.
import { FreeSwitchDisconnected, FreeSwitchTimeout } from './errors.ts';

interface Entry {
  reject(err: Error): void;
  timer: ReturnType<typeof setTimeout>;
}

export class PendingCommands {
  private readonly entries = new Set<Entry>();

  constructor(private readonly node: string) {}

  get size(): number {
    return this.entries.size;
  }

  /** Run `send`, which must call done(result) or fail(err) once; time out after timeoutMs. */
  run<T>(what: string, timeoutMs: number, send: (done: (result: T) => void, fail: (err: Error) => void) => void): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      const entry: Entry = {
        reject,
        timer: setTimeout(() => {
          this.entries.delete(entry);
          reject(new FreeSwitchTimeout(`${what}: no answer in ${timeoutMs} ms`, this.node));
        }, timeoutMs),
      };
      this.entries.add(entry);
      const done = (result: T): void => {
        // A late answer after a timeout or a disconnect is dropped: the promise is settled already.
        if (!this.entries.delete(entry)) return;
        clearTimeout(entry.timer);
        resolve(result);
      };
      const fail = (err: Error): void => {
        if (!this.entries.delete(entry)) return;
        clearTimeout(entry.timer);
        reject(err);
      };
      try {
        send(done, fail);
      } catch (err) {
        this.entries.delete(entry);
        clearTimeout(entry.timer);
        reject(err as Error);
      }
    });
  }

  rejectAll(reason: string): void {
    for (const e of this.entries) {
      clearTimeout(e.timer);
      e.reject(new FreeSwitchDisconnected(reason, this.node));
    }
    this.entries.clear();
  }
}
