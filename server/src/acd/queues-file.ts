// Reads the queue definitions file; a bad file stops start-up with the field named.
import { readFile } from 'node:fs/promises';
import { formatZodIssues } from '../validation.ts';
import { queuesFileSchema, type QueueConfig } from './queue-config.ts';

export async function loadQueuesFile(path: string): Promise<QueueConfig[]> {
  let json: unknown;
  try {
    json = JSON.parse(await readFile(path, 'utf8'));
  } catch (err) {
    throw new Error(`${path}: ${(err as Error).message}`, { cause: err });
  }
  const res = queuesFileSchema.safeParse(json);
  if (!res.success) throw new Error(`${path}: ${formatZodIssues(res.error.issues)}`);
  return res.data;
}
