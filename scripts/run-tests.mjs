#!/usr/bin/env node
// The README test command: lint, typecheck, the softphone's build (the browser test loads it), then
// every tap test file.
// Its last line is always `N passed, M failed`, so a run that executed no test is visible to CI.
// Lint and typecheck count as one test each; a tap test is each top-level t.test() of a file
// (a file that fails before it declares any test counts as one failure).
import { spawn } from 'node:child_process';

const extraTapArgs = process.argv.slice(2);

function run(cmd, args, onLine) {
  return new Promise((resolve) => {
    const child = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'inherit'], env: { ...process.env, FORCE_COLOR: '0' } });
    let buf = '';
    child.stdout.on('data', (chunk) => {
      process.stdout.write(chunk);
      buf += chunk.toString('utf8');
      let i;
      while ((i = buf.indexOf('\n')) >= 0) {
        onLine?.(buf.slice(0, i));
        buf = buf.slice(i + 1);
      }
    });
    child.on('close', (code) => {
      if (buf) onLine?.(buf);
      resolve(code ?? 1);
    });
  });
}

let passed = 0;
let failed = 0;
let todo = 0;
const failures = [];

for (const [name, cmd, args] of [
  ['lint', 'npx', ['eslint', '.']],
  ['typecheck', 'npx', ['tsc', '-p', 'tsconfig.json', '--noEmit']],
  ['softphone build', 'npm', ['run', 'build', '-w', 'softphone-web']],
]) {
  console.log(`\n== ${name} ==`);
  const code = await run(cmd, args);
  if (code === 0) passed++;
  else {
    failed++;
    failures.push(name);
  }
}

console.log('\n== tests ==');
let fileSubtests = 0;
const tapCode = await run('npx', ['tap', '--reporter=tap', '--no-color', ...extraTapArgs], (line) => {
  const sub = /^ {4}(not )?ok \d+ - (.*?)(?: # (.*))?$/.exec(line);
  if (sub) {
    fileSubtests++;
    // A TODO (a known difference a test names, e.g. fsim vs the real switch) or a SKIP is neither.
    if (/^(TODO|SKIP)\b/i.test(sub[3] ?? '')) {
      todo++;
      return;
    }
    if (sub[1]) {
      failed++;
      failures.push(sub[2]);
    } else passed++;
    return;
  }
  const file = /^(not )?ok \d+ - (\S+)/.exec(line);
  if (file) {
    if (file[1] && fileSubtests === 0) {
      failed++;
      failures.push(file[2]);
    }
    fileSubtests = 0;
  }
});
if (tapCode !== 0 && failed === 0) {
  failed++;
  failures.push(`tap exited with ${tapCode}`);
}
if (failures.length) console.log(`\nfailed: ${failures.join('; ')}`);
if (todo) console.log(`${todo} todo or skipped (not counted)`);
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed === 0 && passed > 0 ? 0 : 1);
