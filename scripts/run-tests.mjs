#!/usr/bin/env node
// The README test command: lint, typecheck, the softphone's build (the browser test loads it), then
// every tap test file.
// Its last line is always `N passed, M failed`, so a run that executed no test is visible to CI.
// Lint and typecheck count as one test each; a tap test is each top-level t.test() of a file
// (a file that fails before it declares any test counts as one failure).
import { spawn } from 'node:child_process';

const extraTapArgs = process.argv.slice(2);

function run(cmd, args, onLine, { quiet = false } = {}) {
  return new Promise((resolve) => {
    // quiet: stdout and stderr go to onLine only (the caller prints them).
    const child = spawn(cmd, args, { stdio: ['ignore', 'pipe', quiet ? 'pipe' : 'inherit'], env: { ...process.env, FORCE_COLOR: '0' } });
    if (quiet) child.stderr.on('data', (chunk) => onLine?.(chunk.toString('utf8').replace(/\n$/, '')));
    let buf = '';
    child.stdout.on('data', (chunk) => {
      if (!quiet) process.stdout.write(chunk);
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

// The three checks run side by side (one machine's two cores; about 45 s less than one after the
// other); each one's output is printed whole when it ends, so the log stays readable.
const checks = [
  ['lint', 'npx', ['eslint', '.']],
  ['typecheck', 'npx', ['tsc', '-p', 'tsconfig.json', '--noEmit']],
  ['softphone build', 'npm', ['run', 'build', '-w', 'softphone-web']],
];
const results = await Promise.all(
  checks.map(async ([name, cmd, args]) => {
    const out = [];
    const started = Date.now();
    const code = await run(cmd, args, (line) => out.push(line), { quiet: true });
    return { name, code, out, sec: Math.round((Date.now() - started) / 1000) };
  }),
);
for (const { name, code, out, sec } of results) {
  console.log(`\n== ${name} (${sec} s) ==`);
  if (out.length) console.log(out.join('\n'));
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
