// `npm run bench -- NAME [args...]`: runs the benchmark module scripts/bench/NAME.ts.
// A benchmark prints progress to stderr and its result as ONE JSON object on the last stdout line.
// Unknown or missing NAME: lists the known benchmarks and exits non-zero.

interface BenchModule {
  description: string;
  usage?: string;
  main(argv: string[]): Promise<Record<string, unknown>>;
}

/** The registry: benchmark name -> its module (scripts/bench/<name>.ts). */
const BENCHES: Record<string, () => Promise<BenchModule>> = {
  'esl-ingest': () => import('./esl-ingest.ts'),
  'esl-parse': () => import('./esl-parse.ts'),
  faults: () => import('./faults.ts'),
  'kb-search': () => import('./kb-search.ts'),
  load: () => import('./load.ts'),
  'load-freeswitch': () => import('./load-freeswitch.ts'),
  push: () => import('./push.ts'),
  route: () => import('./route.ts'),
  soak: () => import('./soak.ts'),
  'two-switches': () => import('./two-switches.ts'),
};

async function list(): Promise<string> {
  const lines = await Promise.all(Object.entries(BENCHES).map(async ([name, load]) => `  ${name.padEnd(14)} ${(await load()).description}`));
  return `usage: npm run bench -- NAME [options]\nknown benchmarks:\n${lines.join('\n')}`;
}

const [name, ...rest] = process.argv.slice(2);
const load = name === undefined ? undefined : BENCHES[name];
if (!load) {
  if (name !== undefined && name !== '--help' && name !== '-h') console.error(`unknown benchmark: ${name}`);
  console.error(await list());
  process.exitCode = name === '--help' || name === '-h' ? 0 : 2;
} else if (rest.includes('--help') || rest.includes('-h')) {
  const mod = await load();
  console.error(`${name}: ${mod.description}\n${mod.usage ?? ''}`);
} else {
  try {
    const result = await (await load()).main(rest);
    console.log(JSON.stringify(result));
  } catch (e) {
    console.error(e instanceof Error ? e.message : e);
    process.exitCode = 1;
  }
}
