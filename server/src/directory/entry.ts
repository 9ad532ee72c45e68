// One entry of the department directory (部门通讯录): a department or partner the agents transfer
// callers to, with its number, its hours and what it handles. The number is dialled as an external
// transfer target, so it is checked here as digits, the way the transfer contract checks it.
import { z } from 'zod';

export type DirectoryEntry = {
  readonly id: string;
  readonly name: string;
  readonly number: string;
  readonly hours: string;
  readonly notes?: string;
  readonly tags: string[];
  readonly updatedMs: number;
  /** `role:username` of the admin who last wrote it. */
  readonly updatedBy: string;
};

const text = (what: string, max: number) => z.string({ error: `expected ${what}` }).trim().min(1, { error: `expected ${what}` }).max(max, { error: `expected ${what} of at most ${max} characters` });

export const entryFields = {
  name: text('a department name', 64),
  /** Digits only (3 to 20, an optional leading +): what an external transfer can dial. */
  number: z.string({ error: 'expected a number of 3 to 20 digits' }).trim().regex(/^\+?[0-9]{3,20}$/, { error: 'expected a number of 3 to 20 digits' }),
  hours: text('the hours (e.g. 工作日 9:00-17:00)', 64),
  notes: z.string({ error: 'expected notes' }).trim().max(500, { error: 'expected notes of at most 500 characters' }),
  tags: z.array(text('a tag', 16), { error: 'expected a list of tags' }).max(10, { error: 'expected at most 10 tags' }),
};

export const createEntrySchema = z.strictObject({ ...entryFields, notes: entryFields.notes.optional(), tags: entryFields.tags.default([]) });
export const updateEntrySchema = z
  .strictObject({ name: entryFields.name.optional(), number: entryFields.number.optional(), hours: entryFields.hours.optional(), notes: entryFields.notes.optional(), tags: entryFields.tags.optional() })
  .refine((p) => Object.keys(p).length > 0, { error: 'expected at least one field to change' });

export type CreateEntry = z.output<typeof createEntrySchema>;
export type UpdateEntry = z.output<typeof updateEntrySchema>;
