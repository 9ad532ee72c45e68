// The deployment files as the tests read them: docker/compose.yaml's service environment, the
// systemd EnvironmentFile example, and the server files the softphone's build imports.
import { readFile, readdir } from 'node:fs/promises';
import path from 'node:path';
import { REPO } from './fsim.ts';

export interface ComposeService {
  readonly compose: string;
  /** The text from `  service:` on. */
  readonly block: string;
  /** HOTLINE_* variables of the service's `environment:`, values unquoted (`${VAR:?msg}` kept). */
  readonly env: Record<string, string>;
}

export async function composeService(): Promise<ComposeService> {
  const compose = await readFile(path.join(REPO, 'docker', 'compose.yaml'), 'utf8');
  const block = compose.slice(compose.indexOf('  service:'));
  const env: Record<string, string> = {};
  for (const line of block.slice(block.indexOf('    environment:')).split('\n').slice(1)) {
    const m = /^ {6}(HOTLINE_[A-Z0-9_]+): (.*)$/.exec(line);
    if (m) env[m[1]!] = m[2]!.replace(/^'(.*)'$/, '$1').replace(/^"(.*)"$/, '$1');
    else if (/^ {4}\S/.test(line)) break;
  }
  return { compose, block, env };
}

/** Compose's required values filled the way an operator would (`${NAME:?msg}` -> a site value). */
export function fillCompose(env: Record<string, string>): Record<string, string> {
  return Object.fromEntries(
    Object.entries(env).map(([k, v]) => [
      k,
      v.replace(/\$\{([A-Z_]+)(:\?[^}]*)?\}/g, (_m, name: string) => (name === 'PUBLIC_HOST' ? 'pbx.example' : `${name.toLowerCase()}-0123456789-0123456789-0123456789`)),
    ]),
  );
}

/** deploy/systemd/hotline12345.env as systemd reads it: KEY=VALUE lines, # comments. */
export async function systemdEnv(): Promise<Record<string, string>> {
  const text = await readFile(path.join(REPO, 'deploy', 'systemd', 'hotline12345.env'), 'utf8');
  const env: Record<string, string> = {};
  for (const line of text.split('\n')) {
    const m = /^([A-Z0-9_]+)=(.*)$/.exec(line.trim());
    if (m) env[m[1]!] = m[2]!;
  }
  return env;
}

/** Every file under server/ that softphone-web/src imports, directly or through other server files. */
export async function softphoneServerImports(): Promise<string[]> {
  const found = new Set<string>();
  const pending: string[] = [];
  const importsOf = async (file: string): Promise<string[]> => {
    const text = await readFile(file, 'utf8');
    return [...text.matchAll(/(?:^|\n)\s*(?:import|export)\s[^'"]*?from\s+'(\.[^']+)'/g)].map((m) => path.resolve(path.dirname(file), m[1]!));
  };
  const walk = async (dir: string): Promise<void> => {
    for (const e of await readdir(dir, { withFileTypes: true })) {
      const p = path.join(dir, e.name);
      if (e.isDirectory()) await walk(p);
      else if (/\.ts$/.test(e.name)) pending.push(...(await importsOf(p)).filter((f) => f.startsWith(path.join(REPO, 'server') + path.sep)));
    }
  };
  await walk(path.join(REPO, 'softphone-web', 'src'));
  while (pending.length > 0) {
    const f = pending.pop()!;
    if (found.has(f)) continue;
    found.add(f);
    pending.push(...(await importsOf(f)));
  }
  return [...found].map((f) => path.relative(REPO, f)).sort();
}
