// Small helpers shared by the benchmarks.

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

export const round = (x: number, d = 2): number => Math.round(x * 10 ** d) / 10 ** d;

/** The p-th percentile (nearest rank) of an ascending array; NaN when empty. */
export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!;
}

/** A progress logger to stderr, prefixed with the benchmark's name. */
export const benchLog =
  (bench: string) =>
  (m: string): void =>
    console.error(`${bench}: ${m}`);

/** One option of a command line as a bench's parser sees it: its name and readers for its value. */
export interface CliOption {
  readonly name: string;
  /** The next argument, the option's value. */
  value(): string;
  /** The value as a number of at least `min` (exclusive when `exclusive`). */
  number(min: number, exclusive?: boolean): number;
}

/** Walk `--name [value]` options; every error names the option and ends with the usage text. */
export function* cliOptions(argv: readonly string[], usage: string): Generator<CliOption> {
  for (let i = 0; i < argv.length; i++) {
    const name = argv[i]!;
    const value = (): string => {
      const x = argv[++i];
      if (x === undefined) throw new Error(`${name} needs a value\n${usage}`);
      return x;
    };
    yield {
      name,
      value,
      number(min, exclusive = false) {
        const n = Number(value());
        if (!Number.isFinite(n) || n < min || (exclusive && n === min)) throw new Error(`${name} needs a number ${exclusive ? '>' : '>='} ${min}\n${usage}`);
        return n;
      },
    };
  }
}

/** `--intake socket|dialplan` of the load benches (the service's freeswitch.intake). */
export function intakeOption(v: string, usage: string): 'socket' | 'dialplan' {
  if (v !== 'socket' && v !== 'dialplan') throw new Error(`--intake: socket or dialplan\n${usage}`);
  return v;
}
