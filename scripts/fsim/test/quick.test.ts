// Every *.quick.ts file of this folder, in one process (see scripts/lib/quick-tests.ts).
import { runQuickFiles } from '../../lib/quick-tests.ts';

await runQuickFiles(import.meta.url);
