// Settings of the quality features (issue #14): the satisfaction survey after an agent hangs up,
// call recording with its retention, and the QA sample and scorecard. config-schema.ts adds these
// sections to the one schema; config.ts parses them with the rest.
import { z } from 'zod';

const int = (min: number, max: number, what = 'an integer') =>
  z.number({ error: `expected ${what} between ${min} and ${max}` }).int().min(min).max(max);

/** A prompt file as FreeSWITCH plays it: one token of a dialplan argument (no spaces). */
const prompt = z.string({ error: 'expected a prompt file name without spaces' }).regex(/^[A-Za-z0-9_.@:+/-]{1,200}$/, { error: 'expected a prompt file name without spaces' });
const key = z.string({ error: 'expected one telephone key (0-9)' }).regex(/^[0-9]$/, { error: 'expected one telephone key (0-9)' });

// -- survey (好差评): the caller is asked once its agent has hung up first --
export const surveySchema = z
  .strictObject({
    enabled: z.boolean({ error: 'expected true or false' }).default(true),
    // Relative to ivr.promptsBase, like the IVR's prompts.
    prompt: prompt.default('survey.wav'),
    thanksPrompt: prompt.default('survey-thanks.wav'),
    // Which key means what; a key not listed (or none) is "not rated".
    keys: z
      .strictObject({ satisfied: key.default('1'), basicallySatisfied: key.default('2'), notSatisfied: key.default('3') })
      .prefault({}),
    // How long the caller has to press a key after the prompt.
    timeoutSec: int(1, 60).default(8),
  })
  .refine((s) => new Set(Object.values(s.keys)).size === 3, { error: 'expected three different keys', path: ['keys'] });

// -- recording: every agent call, two channels (caller left, agent right) --
export const recordingSchema = z.strictObject({
  enabled: z.boolean({ error: 'expected true or false' }).default(true),
  // Absolute directory FreeSWITCH writes to and the service reads from (same host or a shared
  // mount): <dir>/<YYYY-MM-DD>/<call id>.wav.
  dir: z.string({ error: 'expected an absolute directory path' }).regex(/^\/[A-Za-z0-9_.@:+/-]{0,200}$/, { error: 'expected an absolute directory path' }).default('/var/lib/hotline12345/recordings'),
  // Recordings older than this are deleted by the sweeper.
  retentionDays: int(1, 3650).default(180),
  // How often the sweeper runs.
  sweepEveryMin: int(1, 1440).default(60),
});

// -- QA (质检): the daily sample per agent and the scorecard it is scored on --
export const qaSchema = z
  .strictObject({
    // Share of each agent's answered calls drawn at random each day (complaints and unsatisfied
    // ratings are always in the sample).
    sampleShare: z.number({ error: 'expected a fraction between 0 and 1' }).min(0).max(1).default(0.05),
    // At least this many random calls per agent and day (when it has that many).
    sampleMinPerAgent: int(0, 100).default(1),
    scorecard: z
      .array(
        z.strictObject({
          id: z.string().regex(/^[a-z][a-z0-9-]{0,31}$/, { error: 'expected an id of lower-case letters, digits and -' }),
          label: z.string().min(1).max(60),
          labelEn: z.string().min(1).max(60).optional(),
          weight: int(1, 100, 'a weight'),
        }),
      )
      .min(1)
      .default([
        { id: 'greeting', label: '规范用语', labelEn: 'Greeting and courtesy', weight: 20 },
        { id: 'accuracy', label: '答复准确', labelEn: 'Accurate answer', weight: 40 },
        { id: 'ticket', label: '工单记录', labelEn: 'Ticket record', weight: 25 },
        { id: 'attitude', label: '服务态度', labelEn: 'Attitude', weight: 15 },
      ]),
  })
  .refine((q) => new Set(q.scorecard.map((i) => i.id)).size === q.scorecard.length, { error: 'expected distinct scorecard ids', path: ['scorecard'] });
