// The satisfaction survey's answer as the CDR and the reports carry it. The dialplan's
// hotline_survey extension leaves two channel variables on the caller leg, read at its
// CHANNEL_HANGUP_COMPLETE: hotline_survey=offered (the caller reached the survey: its agent hung
// up first) and hotline_survey_digit (the key pressed, absent if none). Pure: facts and the site's
// key map in, a rating out.

export type SurveyRating = 'satisfied' | 'basically-satisfied' | 'not-satisfied' | 'not-rated';

/** The site's keys (config survey.keys). */
export interface SurveyKeys {
  readonly satisfied: string;
  readonly basicallySatisfied: string;
  readonly notSatisfied: string;
}

export const DEFAULT_SURVEY_KEYS: SurveyKeys = { satisfied: '1', basicallySatisfied: '2', notSatisfied: '3' };

/** What the call record keeps of the survey: offered, and the key if one was pressed. */
export interface SurveyFacts {
  readonly digit?: string;
}

/**
 * null: the caller was never asked (it hung up first, or the survey is off). Asked but no key, a
 * key the site does not use, or a hang-up during the prompt: 'not-rated'.
 */
export function surveyRating(survey: SurveyFacts | undefined, keys: SurveyKeys = DEFAULT_SURVEY_KEYS): SurveyRating | null {
  if (!survey) return null;
  switch (survey.digit) {
    case keys.satisfied:
      return 'satisfied';
    case keys.basicallySatisfied:
      return 'basically-satisfied';
    case keys.notSatisfied:
      return 'not-satisfied';
    default:
      return 'not-rated';
  }
}

/** Channel variables the survey extension reads (the service sets them as it bridges an agent). */
export function surveyVars(s: { prompt: string; thanksPrompt: string; keys: SurveyKeys; timeoutSec: number }, promptsBase: string): Record<string, string> {
  return {
    hotline_survey_prompt: `${promptsBase}${s.prompt}`,
    hotline_survey_thanks: `${promptsBase}${s.thanksPrompt}`,
    hotline_survey_keys: `${s.keys.satisfied}${s.keys.basicallySatisfied}${s.keys.notSatisfied}`,
    hotline_survey_timeout_ms: String(s.timeoutSec * 1000),
    // Set with the rest in one uuid_setvar_multi: once set, an agent hanging up sends the caller to the survey.
    transfer_after_bridge: 'hotline_survey:XML:hotline_queue',
  };
}
