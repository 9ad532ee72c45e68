// Every setting of the service: one zod schema, parsed once at start-up from the environment and an
// optional JSON file, deep-frozen and passed to whoever needs it. Nothing else reads process.env.
//
// The schema, section by section, is in config-schema.ts (re-exported here); the environment's
// bindings are in config-env.ts.
import { readFileSync } from 'node:fs';
import { CONFIG_FILE_ENV, envBindings, singleNodeEnv, type Env, type EnvKind } from './config-env.ts';
import { exposureProblems } from './config-exposure.ts';
import { redactSecrets } from './redact.ts';
import { configSchema, type Config } from './config-schema.ts';

export * from './config-schema.ts';
export { CONFIG_FILE_ENV, envBindings, singleNodeEnv, unknownEnvVars, type Env, type EnvBinding } from './config-env.ts';

// ---- loading ----

export class ConfigError extends Error {
  /** One line per problem: `path: expected ..., got ...`. */
  readonly problems: readonly string[];
  constructor(problems: readonly string[]) {
    super(`invalid configuration:\n  ${problems.join('\n  ')}`);
    this.name = 'ConfigError';
    this.problems = problems;
  }
}

export interface LoadConfigOptions {
  env: Env;
  /** A path to a JSON file, or its already-parsed contents. Default: the file named by HOTLINE_CONFIG_FILE. */
  file?: string | Record<string, unknown>;
}

type Json = Record<string, unknown>;
const isRecord = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

function readConfigFile(file: string | Json | undefined, env: Env): { data: Json; source: string | undefined } {
  if (isRecord(file)) return { data: file, source: 'config file' };
  const filePath = file ?? nonEmpty(env[CONFIG_FILE_ENV]);
  if (filePath === undefined) return { data: {}, source: undefined };
  let text: string;
  try {
    text = readFileSync(filePath, 'utf8');
  } catch (err) {
    throw new ConfigError([`${CONFIG_FILE_ENV}: cannot read ${filePath}: ${(err as Error).message}`]);
  }
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (err) {
    throw new ConfigError([`${CONFIG_FILE_ENV}: ${filePath} is not valid JSON: ${(err as Error).message}`]);
  }
  if (!isRecord(data)) throw new ConfigError([`${CONFIG_FILE_ENV}: ${filePath}: expected a JSON object at the top`]);
  return { data, source: filePath };
}

// Empty variables count as unset: `FOO=` in a compose file or a shell means "no value".
const nonEmpty = (v: string | undefined): string | undefined => (v === undefined || v.trim() === '' ? undefined : v);

/**
 * Text to value. A value that does not convert is passed on as the raw string so that the schema
 * reports it as `expected a number ..., got "abc"` under the setting's own path.
 */
function fromEnvText(raw: string, kind: EnvKind, name: string, problems: string[]): unknown {
  const v = raw.trim();
  switch (kind) {
    case 'string':
      return v;
    case 'int':
    case 'number':
      return /^[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/i.test(v) ? Number(v) : raw;
    case 'json':
      try {
        return JSON.parse(v);
      } catch {
        problems.push(`${name}: expected JSON, got ${JSON.stringify(raw)}`);
        return undefined;
      }
  }
}

function setPath(target: Json, path: readonly string[], value: unknown): void {
  let obj = target;
  for (const key of path.slice(0, -1)) {
    const next = obj[key];
    if (!isRecord(next)) obj[key] = {};
    obj = obj[key] as Json;
  }
  obj[path[path.length - 1]!] = value;
}

function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const v of Object.values(value)) deepFreeze(v);
  }
  return value;
}

function valueAt(root: unknown, path: readonly PropertyKey[]): unknown {
  let v: unknown = root;
  for (const key of path) v = typeof v === 'object' && v !== null ? (v as Record<PropertyKey, unknown>)[key] : undefined;
  return v;
}

function show(input: unknown): string {
  if (input === undefined) return 'nothing';
  const s = JSON.stringify(input);
  return s.length > 80 ? `${s.slice(0, 77)}...` : s;
}

/** deploy/systemd/hotline12345.env marks every value a site must set with it: never start on one. */
const PLACEHOLDER = /CHANGE_ME/i;

/**
 * Parse the file (if any) overlaid with the environment, once. The result is deep-frozen.
 * Throws ConfigError naming each bad setting (and the variable it came from, when it came from one).
 */
export function loadConfig({ env, file }: LoadConfigOptions): Config {
  const { data: fileData } = readConfigFile(file, env);
  // structuredClone: the overlay below must not write into the caller's object.
  const raw: Json = structuredClone(fileData);
  const problems: string[] = [];
  const sourceOf = new Map<string, string>();

  for (const b of envBindings) {
    const v = nonEmpty(env[b.name]);
    if (v === undefined) continue;
    if (PLACEHOLDER.test(v)) problems.push(`${b.name}: still holds the example's placeholder CHANGE_ME; set the site's value`);
    const value = fromEnvText(v, b.kind, b.name, problems);
    if (value === undefined) continue;
    setPath(raw, b.path, value);
    sourceOf.set(b.path.join('.'), b.name);
  }

  const single = Object.entries(singleNodeEnv).filter(([name]) => nonEmpty(env[name]) !== undefined);
  if (single.length > 0) {
    if (nonEmpty(env.HOTLINE_FS_NODES) !== undefined) {
      problems.push(`HOTLINE_FS_NODES: set either HOTLINE_FS_NODES or ${single.map(([n]) => n).join('/')}, not both`);
    } else {
      // The single-node variables override the file's first node field by field (so the file can
      // hold the password and the environment the host); further nodes in the file are dropped.
      const fs = isRecord(raw.freeswitch) ? raw.freeswitch : {};
      const firstNode = Array.isArray(fs.nodes) && isRecord(fs.nodes[0]) ? fs.nodes[0] : {};
      const node: Json = { ...firstNode };
      for (const [name, { field, kind }] of single) {
        if (PLACEHOLDER.test(env[name]!)) problems.push(`${name}: still holds the example's placeholder CHANGE_ME; set the site's value`);
        node[field] = fromEnvText(env[name]!, kind, name, problems);
        sourceOf.set(`freeswitch.nodes.0.${field}`, name);
      }
      setPath(raw, ['freeswitch', 'nodes'], [node]);
    }
  }

  const result = configSchema.safeParse(raw, { reportInput: true });
  if (!result.success) {
    for (const issue of result.error.issues) {
      const path = issue.path.map(String).join('.');
      const from = (p: string): string => {
        const name = sourceOf.get(p) ?? [...sourceOf].find(([k]) => p.startsWith(`${k}.`))?.[1];
        return name ? ` (${name})` : '';
      };
      if (issue.code === 'unrecognized_keys') {
        for (const key of issue.keys) {
          const p = path ? `${path}.${key}` : key;
          problems.push(`${p}${from(p)}: unknown setting`);
        }
        continue;
      }
      const label = path || '(top level)';
      // A refinement's input is the whole object; show the value at the path it points to instead.
      const input = issue.code === 'custom' ? valueAt(raw, issue.path) : issue.input;
      problems.push(`${label}${from(path)}: ${issue.message}, got ${show(input)}`);
    }
  }
  // Only a config that parsed can be judged; the listeners' addresses decide what it may hold.
  if (result.success) problems.push(...exposureProblems(result.data));
  if (problems.length > 0) throw new ConfigError(problems);
  return deepFreeze(result.data!) as Config;
}

/** The config with every secret and every credential inside a URL replaced, for logging at start-up. */
export function redactConfig(config: Config): unknown {
  return redactSecrets(config);
}
