// One way to say what was wrong with an input, used by config, flow files, REST and socket payloads:
// "path.to.field: what was expected (got ...)", one line per problem.
import { z } from 'zod';

export function formatZodIssues(issues: readonly z.core.$ZodIssue[]): string {
  return issues
    .map((i) => {
      const where = i.path.length ? i.path.map(String).join('.') : '(root)';
      return `${where}: ${i.message}`;
    })
    .join('; ');
}

// The round trip rejects 2026-02-30, which Date.parse would roll over into March.
const isCalendarDate = (d: string): boolean => !Number.isNaN(Date.parse(`${d}T00:00:00Z`)) && new Date(`${d}T00:00:00Z`).toISOString().startsWith(d);

/** A calendar date, YYYY-MM-DD (a Beijing day wherever the project uses one). */
export const calendarDateSchema = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'a date YYYY-MM-DD').refine(isCalendarDate, 'a real calendar date');
