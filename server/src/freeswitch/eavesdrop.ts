// Supervision over FreeSWITCH's eavesdrop (mod_dptools): the supervisor's phone is originated into
// `eavesdrop <agent leg>`; the eavesdrop loop switches its mix on DTMF the eavesdropper's channel
// receives, and `uuid_recv_dtmf` queues such digits as if the phone had sent them. Checked on the
// real 1.10.12 with distinct tones per party (server/test/switch/switch-supervision.test.ts), the
// target being the agent's leg:
//   0  listen: the supervisor hears both parties, nobody hears the supervisor
//   2  whisper: mixed into what the target (the agent) hears; the caller does not hear it
//   3  barge: mixed into both directions, all three talk
//   (1 would speak to the caller only; not offered)
// The switch raises MEDIA_BUG_START (Media-Bug-Function eavesdrop, Media-Bug-Target the agent leg)
// on the target and a DTMF event on the supervisor's leg per mode change.
import * as val from './esl-values.ts';
import { originateCommand } from './commands.ts';

export const SUPERVISION_MODES = ['listen', 'whisper', 'barge'] as const;
export type SupervisionMode = (typeof SUPERVISION_MODES)[number];

const DIGIT: Record<SupervisionMode, string> = { listen: '0', whisper: '2', barge: '3' };

export interface EavesdropCommands {
  /**
   * Ring the supervisor's phone; once answered it runs eavesdrop on `targetUuid` in `mode`.
   * Resolves with the supervisor leg's uuid when answered; rejects with the cause otherwise.
   */
  eavesdrop(o: { dialstring: string; targetUuid: string; legUuid: string; mode: SupervisionMode; timeoutSec: number }): Promise<string>;
  /** Change the mix of a running eavesdrop. */
  eavesdropMode(legUuid: string, mode: SupervisionMode): Promise<void>;
  kill(legUuid: string): Promise<void>;
}

export function eavesdropCommands(api: (command: string) => Promise<string>, bgapi: (command: string, timeoutMs: number) => Promise<string>): EavesdropCommands {
  const recv = async (uuid: string, mode: SupervisionMode): Promise<void> => {
    if (!SUPERVISION_MODES.includes(mode)) throw new val.InvalidCommandArgument(`mode: expected one of ${SUPERVISION_MODES.join(', ')}`);
    await api(`uuid_recv_dtmf ${val.uuid(uuid)} ${DIGIT[mode]}`);
  };
  return {
    async eavesdrop(o) {
      const cmd = originateCommand({
        dialstring: o.dialstring,
        uuid: o.legUuid,
        timeoutSec: o.timeoutSec,
        vars: { hotline_leg_role: 'supervisor', hotline_eavesdrop_target: val.uuid(o.targetUuid) },
        then: { app: 'eavesdrop', arg: val.uuid(o.targetUuid) },
      });
      const body = await bgapi(cmd, (o.timeoutSec + 5) * 1000);
      const leg = body.replace(/^\+OK\s*/, '').trim();
      // Digits wait in the channel's queue until the eavesdrop loop reads them, so the mode holds
      // from the loop's first frame (listen is eavesdrop's own default).
      if (o.mode !== 'listen') await recv(leg, o.mode);
      return leg;
    },
    eavesdropMode: recv,
    kill: async (uuid) => void (await api(`uuid_kill ${val.uuid(uuid)} NORMAL_CLEARING`)),
  };
}
