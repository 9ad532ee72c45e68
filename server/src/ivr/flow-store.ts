// Holds the flows in force. A reload that fails validation is refused with an error naming the
// field, and the flows in force stay as they were.
import { readFile } from 'node:fs/promises';
import { flowFileSchema, type FlowFile } from './flow-schema.ts';
import { DEFAULT_FLOWS } from './default-flows.ts';
import { formatZodIssues } from '../validation.ts';

export class FlowFileError extends Error {}

export function parseFlowFile(input: unknown, source: string): FlowFile {
  const res = flowFileSchema.safeParse(input);
  if (!res.success) throw new FlowFileError(`${source}: ${formatZodIssues(res.error.issues)}`);
  return res.data;
}

export class FlowStore {
  private current: FlowFile;

  constructor(private readonly path?: string) {
    this.current = parseFlowFile(DEFAULT_FLOWS, 'embedded flows');
  }

  get flows(): FlowFile {
    return this.current;
  }

  /** Load (or reload) the flow file. Without a path the embedded flows stay. */
  async reload(): Promise<{ ok: true } | { ok: false; error: string }> {
    if (!this.path) return { ok: true };
    try {
      let json: unknown;
      try {
        json = JSON.parse(await readFile(this.path, 'utf8'));
      } catch (err) {
        throw new FlowFileError(`${this.path}: ${(err as Error).message}`);
      }
      this.current = parseFlowFile(json, this.path);
      return { ok: true };
    } catch (err) {
      return { ok: false, error: (err as Error).message };
    }
  }
}
