// What the service does on the switch around each bridge of a caller to an agent:
//   before  arm the satisfaction survey: the caller leg gets the survey's prompt, keys and timeout
//           and transfer_after_bridge, so that an agent hanging up first sends the caller to the
//           dialplan's hotline_survey extension instead of hanging it up (dialplan/queue.xml).
//           RECORD_STEREO=true too, read by uuid_record as it starts.
//   after   start the recording on the caller leg (uuid_record): stereo, caller left, agent right,
//           <dir>/<YYYY-MM-DD>/<call id>.wav. Once per call: a later bridge (a transfer to a
//           colleague) goes on in the same file, the media bug stays on the caller leg.
import type { CallRecord } from '../calls/call-record.ts';
import { surveyVars, type SurveyKeys } from '../calls/survey.ts';

export interface BridgeHookSwitch {
  setVars(uuid: string, vars: Readonly<Record<string, string>>): Promise<void>;
  record(uuid: string, action: 'start' | 'stop', path: string): Promise<void>;
}

export interface BridgeHookSettings {
  readonly survey: { readonly enabled: boolean; readonly prompt: string; readonly thanksPrompt: string; readonly keys: SurveyKeys; readonly timeoutSec: number };
  readonly recording: { readonly enabled: boolean; readonly dir: string };
  readonly promptsBase: string;
}

/** Where a call's recording goes: one folder per day (UTC) under the recordings dir. */
export function recordingPath(dir: string, callId: string, atMs: number): string {
  return `${dir.replace(/\/+$/, '')}/${new Date(atMs).toISOString().slice(0, 10)}/${callId}.wav`;
}

export function bridgeHooks(s: BridgeHookSettings, deps: { sw: BridgeHookSwitch; call: (id: string) => Readonly<CallRecord> | undefined; now: () => number }) {
  const survey = s.survey.enabled ? surveyVars(s.survey, s.promptsBase) : {};
  return {
    // One uuid_setvar_multi: these round trips sit between the agent's answer and the bridge.
    async before(callId: string): Promise<void> {
      const call = deps.call(callId);
      const vars: Record<string, string> = {
        // Armed once: a transfer to a colleague bridges the same caller again.
        ...(s.recording.enabled && !call?.recording ? { RECORD_STEREO: 'true' } : {}),
        ...(call?.connectedUs === undefined ? survey : {}),
      };
      if (Object.keys(vars).length > 0) await deps.sw.setVars(callId, vars);
    },
    async after(callId: string): Promise<void> {
      if (!s.recording.enabled || deps.call(callId)?.recording) return;
      await deps.sw.record(callId, 'start', recordingPath(s.recording.dir, callId, deps.now()));
    },
  };
}
