// Errors of the dialplan layer. Every error about a file names the file and the 1-based line.

export class DialplanError extends Error {
  readonly file: string | undefined;
  readonly line: number | undefined;

  constructor(message: string, where?: { file?: string; line?: number; column?: number }) {
    const file = where?.file;
    const line = where?.line;
    const loc = file !== undefined ? `${file}${line !== undefined ? `:${line}` : ''}${line !== undefined && where?.column !== undefined ? `:${where.column}` : ''}: ` : '';
    super(`${loc}${message}`);
    this.name = 'DialplanError';
    this.file = file;
    this.line = line;
  }
}
