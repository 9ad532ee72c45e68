// One way to say what was wrong with an input, used by config, flow files, REST and socket payloads:
// "path.to.field: what was expected (got ...)", one line per problem.
import type { z } from 'zod';

export function formatZodIssues(issues: readonly z.core.$ZodIssue[]): string {
  return issues
    .map((i) => {
      const where = i.path.length ? i.path.map(String).join('.') : '(root)';
      return `${where}: ${i.message}`;
    })
    .join('; ');
}
