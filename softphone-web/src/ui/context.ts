// What every panel gets from the app: who is signed in, the phone, the connection, and how to
// report. Panels never talk to each other; the app re-renders them all from one state.
import type { AgentView, SoftphoneConfig } from '../../../server/src/realtime/events.ts';
import type { Connection } from '../net/connection.ts';
import type { Phone } from '../phone/phone-base.ts';
import type { SoftphoneState } from '../state/store.ts';
import type { Announcer, Toast } from './notify.ts';

export interface Ctx {
  readonly me: string;
  readonly config: SoftphoneConfig;
  readonly phone: Phone;
  readonly conn: Connection;
  readonly toast: Toast;
  readonly announcer: Announcer;
  /** Run an action, reporting a failure in the toast; resolves to false when it failed. */
  attempt(f: () => Promise<unknown>): Promise<boolean>;
  /** My agent record as last reported. */
  agent(): AgentView | null;
  /** Ask for a render outside the regular tick (after local state changed). */
  refresh(): void;
}

export interface View {
  readonly state: SoftphoneState;
  readonly now: number;
}
