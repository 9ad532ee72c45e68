// `push`'s switch behind mini-esl-server.ts: fires the bench's events and answers the service's
// connect-time `show channels`.
import { randomUUID } from 'node:crypto';
import type { EventListener, FsEvent, Header, SwitchFacade } from '../../fsim/src/types.ts';

/** A switch that fires the bench's events and answers the service's connect-time `show channels`. */
export class BenchSwitch implements SwitchFacade {
  readonly coreUuid = randomUUID();
  private readonly listeners = new Set<EventListener>();
  private sequence = 1;
  apis: string[] = [];
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
  async api(command: string, args: string): Promise<string> {
    this.apis.push(`${command} ${args}`.trim());
    if (command === 'show' && args.startsWith('channels')) return '{"row_count": 0}\n';
    if (command === 'status') return '+OK bench switch\n';
    // The service kills or transfers nothing in this scenario; answer like a switch that did it.
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
    return { sequence: this.sequence++, timestampUs: Math.round((performance.timeOrigin + performance.now()) * 1000) };
  }
  baseHeaders(name: string, callingFile: string, callingFunction: string, callingLine: number): Header[] {
    const { sequence, timestampUs } = this.eventMeta();
    return [
      ['Event-Name', name],
      ['Core-UUID', this.coreUuid],
      ['Event-Date-Timestamp', String(timestampUs)],
      ['Event-Calling-File', callingFile],
      ['Event-Calling-Function', callingFunction],
      ['Event-Calling-Line-Number', String(callingLine)],
      ['Event-Sequence', String(sequence)],
    ];
  }
}
