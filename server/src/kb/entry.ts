// A knowledge-base entry (热线百科: one question, one answer) and when it is visible.
// Visibility is by Beijing calendar day: a published entry shows from 00:00 of validFrom and through
// the whole of validTo (hidden from 00:00 the day after); a draft never shows. Days, not instants,
// because departments file a policy "effective from" a date (at least a day ahead, by the seeds'
// rules), and agents must see the same answers all day.
import { z } from 'zod';
import { DAY_MS, BEIJING_OFFSET_MS } from '../sla/windows.ts';
import { calendarDateSchema, formatZodIssues } from '../validation.ts';

const text = (max: number) => z.string().trim().max(max);

/** The fields alone, before the rules across them (REST bodies pick from it). */
export const kbEntryFields = z
  .object({
    id: z.string().regex(/^[A-Za-z0-9_.:-]{1,64}$/, 'letters, digits, _ . : - (1 to 64)'),
    question: text(200).min(1),
    answer: text(20_000).min(1),
    category: text(50).default(''),
    /** The responsible department (责任单位). */
    department: text(100).default(''),
    /** Where the answer applies: a district, or '' / the city for all. */
    region: text(50).default(''),
    validFrom: calendarDateSchema.nullable().default(null),
    validTo: calendarDateSchema.nullable().default(null),
    source: text(500).default(''),
    // '|' is the CSV export's tag separator.
    tags: z.array(text(50).min(1).regex(/^[^|]*$/, "no '|'")).max(50).default([]),
    status: z.enum(['draft', 'published']).default('draft'),
  })
  .strict();

export const kbEntrySchema = kbEntryFields
  .refine((e) => e.status === 'draft' || e.validFrom !== null, { message: 'a published entry needs validFrom', path: ['validFrom'] })
  .refine((e) => e.validFrom === null || e.validTo === null || e.validTo >= e.validFrom, { message: 'validTo is before validFrom', path: ['validTo'] });

export type KbEntry = z.output<typeof kbEntrySchema>;
export type KbEntryInput = z.input<typeof kbEntrySchema>;

export class KbInputError extends Error {
  override readonly name = 'KbInputError';
}

/** Validate and normalise one entry (trimmed text, defaults filled); throws KbInputError. */
export function parseEntry(raw: unknown): KbEntry {
  const r = kbEntrySchema.safeParse(raw);
  if (!r.success) throw new KbInputError(formatZodIssues(r.error.issues));
  return r.data;
}

/** Regions that mean "the whole city": such entries match any region filter. */
export const CITY_WIDE_REGIONS: readonly string[] = ['', '全市'];

/** Days since 1970-01-01 of a calendar date. */
export const dayNumberOf = (date: string): number => Date.parse(`${date}T00:00:00Z`) / DAY_MS;

/** The Beijing calendar day (days since 1970-01-01) holding the instant `ms`. */
export const beijingDayNumber = (ms: number): number => Math.floor((ms + BEIJING_OFFSET_MS) / DAY_MS);

/** Is the entry shown to agents on Beijing day `day` (see beijingDayNumber)? */
export function visibleOnDay(e: Pick<KbEntry, 'status' | 'validFrom' | 'validTo'>, day: number): boolean {
  if (e.status !== 'published' || e.validFrom === null) return false;
  return dayNumberOf(e.validFrom) <= day && (e.validTo === null || day <= dayNumberOf(e.validTo));
}
