// Rules that create revisit tasks by themselves: every complaint (a wrap-up filed with category
// complaint) and every unsatisfied satisfaction rating on a CDR. Pure: a record in, the task to
// create (or nothing) out; the service de-duplicates by call and reason.
import type { Cdr } from '../calls/cdr.ts';
import type { SurveyRating } from '../calls/survey.ts';
import type { CreateRevisit } from './task.ts';

/**
 * The CDR field carrying the citizen's satisfaction rating (满意度: calls/cdr.ts `survey`, a record
 * `{ rating, digit }`), and the rating that asks for a revisit. Read here, and only here.
 */
export const SURVEY_FIELD = 'survey' satisfies keyof Cdr;
export const UNSATISFIED = 'not-satisfied' satisfies SurveyRating;

/** Wrap-up category that always gets a revisit (投诉). */
export const COMPLAINT_CATEGORY = 'complaint';

export interface WrapUpFacts {
  readonly callId: string;
  readonly category: string;
  readonly summary: string;
  readonly ticketRef?: string;
  readonly callerNumber?: string;
}

const DIALLABLE = /^\+?[0-9]{3,20}$/;

export function taskFromWrapUp(w: WrapUpFacts): CreateRevisit | undefined {
  if (w.category !== COMPLAINT_CATEGORY || !w.callerNumber || !DIALLABLE.test(w.callerNumber)) return undefined;
  return { number: w.callerNumber, reason: 'complaint', summary: w.summary.slice(0, 2000), callId: w.callId, ...(w.ticketRef ? { ticketId: w.ticketRef } : {}) };
}

/** The rating may be a plain value or an object with a `rating` (the survey's own record). */
function ratingOf(v: unknown): string | undefined {
  if (typeof v === 'string') return v;
  if (v && typeof v === 'object' && typeof (v as { rating?: unknown }).rating === 'string') return (v as { rating: string }).rating;
  return undefined;
}

export function taskFromCdr(cdr: Readonly<Record<string, unknown>>): CreateRevisit | undefined {
  if (ratingOf(cdr[SURVEY_FIELD]) !== UNSATISFIED) return undefined;
  const number = cdr.callerNumber;
  const callId = cdr.callId;
  if (typeof number !== 'string' || !DIALLABLE.test(number) || typeof callId !== 'string') return undefined;
  return { number, reason: 'unsatisfied', summary: '满意度评价：不满意 (unsatisfied rating)', callId };
}
