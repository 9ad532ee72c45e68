// A minimal SwitchFacade for protocol-layer tests: no call model, just channels as header lists,
// scripted api answers and a recorder of sendmsg calls. Events are fired explicitly by the test.

import type { EventListener, FsEvent, Header, SendMsg, SwitchFacade } from '../../src/types.ts';

export class FakeSwitch implements SwitchFacade {
  readonly coreUuid = 'b8a7bb27-d8b2-41aa-9633-f5385d305945';
  private readonly listeners = new Set<EventListener>();
  private sequence = 600;
  private timestampUs = 1795316173968468;
  /** Channel uuid -> its CHANNEL_DATA channel headers (without the base headers). */
  readonly channels = new Map<string, Header[]>();
  /** Answers for api/bgapi by "command args" (or just "command"); unknown -> FreeSWITCH's error. */
  readonly apiAnswers = new Map<string, string>();
  readonly apiCalls: Array<{ command: string; args: string; jobUuid?: string | undefined }> = [];
  readonly sendmsgCalls: Array<{ uuid: string; msg: SendMsg; controlled: boolean }> = [];
  /** Delay before api answers, in ms (to test ordering around a blocking api). */
  apiDelayMs = 0;
  /** Replace the base headers of non-channel events (to reproduce a capture byte for byte). */
  baseOverride: ((name: string) => Header[] | undefined) | undefined;

  onEvent(listener: EventListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  fireEvent(ev: FsEvent): void {
    for (const l of [...this.listeners]) l(ev);
  }

  get listenerCount(): number {
    return this.listeners.size;
  }

  async api(command: string, args: string, opts?: { jobUuid?: string }): Promise<string> {
    this.apiCalls.push({ command, args, jobUuid: opts?.jobUuid });
    if (this.apiDelayMs) await new Promise((r) => setTimeout(r, this.apiDelayMs));
    return this.apiAnswers.get(args ? `${command} ${args}` : command) ?? this.apiAnswers.get(command) ?? `-ERR ${command} Command not found!\n`;
  }

  async sendmsg(uuid: string, msg: SendMsg, opts?: { controlled?: boolean }): Promise<string> {
    this.sendmsgCalls.push({ uuid, msg, controlled: opts?.controlled ?? false });
    if (!this.channels.has(uuid)) return `-ERR invalid session id [${uuid}]`;
    if (opts?.controlled && msg.headers.get('execute-app-name') === 'park') return '+OK';
    return '+OK';
  }

  channelData(uuid: string): readonly Header[] | undefined {
    const ch = this.channels.get(uuid);
    if (!ch) return undefined;
    return [...this.baseHeaders('CHANNEL_DATA', 'mod_event_socket.c', 'parse_command', 2021), ...ch];
  }

  channelExists(uuid: string): boolean {
    return this.channels.has(uuid);
  }

  eventMeta(): { sequence: number; timestampUs: number } {
    this.timestampUs += 20_000;
    return { sequence: ++this.sequence, timestampUs: this.timestampUs };
  }

  baseHeaders(name: string, callingFile: string, callingFunction: string, callingLine: number): Header[] {
    const override = this.baseOverride?.(name);
    if (override) return override;
    const { sequence, timestampUs } = this.eventMeta();
    return [
      ['Event-Name', name],
      ['Core-UUID', this.coreUuid],
      ['FreeSWITCH-Hostname', 'vm'],
      ['FreeSWITCH-Switchname', 'vm'],
      ['FreeSWITCH-IPv4', '192.0.2.2'],
      ['FreeSWITCH-IPv6', 'fd00::2'],
      ['Event-Date-Local', '2026-11-22 02:56:13'],
      ['Event-Date-GMT', 'Sun, 22 Nov 2026 02:56:13 GMT'],
      ['Event-Date-Timestamp', String(timestampUs)],
      ['Event-Calling-File', callingFile],
      ['Event-Calling-Function', callingFunction],
      ['Event-Calling-Line-Number', String(callingLine)],
      ['Event-Sequence', String(sequence)],
    ];
  }

  /** Add a channel with a few typical headers. */
  addChannel(uuid: string, name = `sofia/internal/sipp@127.0.0.1:5076`): void {
    this.channels.set(uuid, [
      ['Channel-State', 'CS_EXECUTE'],
      ['Channel-Name', name],
      ['Unique-ID', uuid],
      ['variable_destination_number', '9002'],
    ]);
  }

  /** A channel event as FreeSWITCH shapes it: base headers, then channel headers. */
  channelEvent(name: string, uuid: string, extra: Header[] = [], body?: string): FsEvent {
    const headers: Header[] = [
      ...this.baseHeaders(name, 'switch_channel.c', 'test', 1),
      ['Channel-Name', this.channels.get(uuid)?.find(([k]) => k === 'Channel-Name')?.[1] ?? 'x'],
      ['Unique-ID', uuid],
      ...extra,
    ];
    return body === undefined ? { name, uuid, headers } : { name, uuid, headers, body };
  }

  /** Fire a channel event; hangup-type events also remove the channel afterwards when asked. */
  fire(ev: FsEvent): void {
    this.fireEvent(ev);
  }
}
