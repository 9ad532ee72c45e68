// The switch behind mini-esl-server.ts in the ESL benches: it fires the bench's events and answers
// api commands. `esl-ingest` wants a strict switch with the full header block of a real event
// (hostname, local and GMT dates: the bytes a client parses); `push` wants one that accepts the
// service's commands (connect-time `show channels`, kills, transfers) as done.
import { randomUUID } from 'node:crypto';
import type { EventListener, FsEvent, Header, SwitchFacade } from '../fsim/src/types.ts';

export interface BenchSwitchOptions {
  /** strict: anything but `status` is "Command not found"; accepting: +OK, no channels. */
  readonly api: 'strict' | 'accepting';
  /** full: the host and date headers of a real event; minimal: name, ids, timestamp, sequence. */
  readonly headers: 'full' | 'minimal';
}

export class BenchSwitch implements SwitchFacade {
  readonly coreUuid = randomUUID();
  private readonly listeners = new Set<EventListener>();
  private sequence = 1;
  readonly apis: string[] = [];

  constructor(private readonly opts: BenchSwitchOptions) {}

  onEvent(listener: EventListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
  get listenerCount(): number {
    return this.listeners.size;
  }
  fire(ev: FsEvent): void {
    for (const l of this.listeners) l(ev);
  }
  async api(command: string, args = ''): Promise<string> {
    if (command === 'status') return '+OK bench switch\n';
    if (this.opts.api === 'strict') return `-ERR ${command} Command not found!\n`;
    this.apis.push(`${command} ${args}`.trim());
    if (command === 'show' && args.startsWith('channels')) return '{"row_count": 0}\n';
    return '+OK\n';
  }
  async sendmsg(uuid: string): Promise<string> {
    return `-ERR invalid session id [${uuid}]`;
  }
  channelData(): readonly Header[] | undefined {
    return undefined;
  }
  channelExists(): boolean {
    return false;
  }
  eventMeta(): { sequence: number; timestampUs: number } {
    // performance.timeOrigin + now: sub-millisecond and the same clock the clients read.
    return { sequence: this.sequence++, timestampUs: Math.round((performance.timeOrigin + performance.now()) * 1000) };
  }
  baseHeaders(name: string, callingFile: string, callingFunction: string, callingLine: number): Header[] {
    const { sequence, timestampUs } = this.eventMeta();
    const d = new Date(timestampUs / 1000);
    const host: Header[] =
      this.opts.headers === 'full'
        ? [['FreeSWITCH-Hostname', 'bench'], ['FreeSWITCH-Switchname', 'bench'], ['FreeSWITCH-IPv4', '127.0.0.1'], ['FreeSWITCH-IPv6', '::1'],
           ['Event-Date-Local', d.toISOString().replace('T', ' ').slice(0, 19)], ['Event-Date-GMT', d.toUTCString()]]
        : [];
    return [
      ['Event-Name', name],
      ['Core-UUID', this.coreUuid],
      ...host,
      ['Event-Date-Timestamp', String(timestampUs)],
      ['Event-Calling-File', callingFile],
      ['Event-Calling-Function', callingFunction],
      ['Event-Calling-Line-Number', String(callingLine)],
      ['Event-Sequence', String(sequence)],
    ];
  }
}
