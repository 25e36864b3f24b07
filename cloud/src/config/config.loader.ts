import { readFile } from 'node:fs/promises';
import { extname } from 'node:path';
import { TypeCompiler } from '@sinclair/typebox/compiler';
import { parse as parseYaml } from 'yaml';
import { ConfigError } from '../core/config-error.ts';
import {
  type CloudConfig,
  CloudConfigSchema,
  configCrossProblems,
  defaultConfig,
  envOverrides,
} from './config.schema.ts';

export { ConfigError };

const checker = TypeCompiler.Compile(CloudConfigSchema);

type Json = Record<string, unknown>;

export interface LoadConfigOptions {
  /** Parsed file contents (already read); see `readConfigFile`. */
  file?: unknown;
  /** Environment to read overrides from; pass `{}` in tests to ignore the process environment. */
  env?: Readonly<Record<string, string | undefined>>;
  /** Last layer, e.g. CLI flags or test settings, as a partial config. */
  overrides?: DeepPartial<CloudConfig>;
}

export type DeepPartial<T> = { [K in keyof T]?: T[K] extends object ? DeepPartial<T[K]> : T[K] };

/**
 * Builds the configuration: defaults ← file ← env ← overrides, validated once, reporting ALL errors with
 * their key (`http.port: Expected integer`), then deep-frozen (STYLE §3.5).
 */
export function loadConfig(opts: LoadConfigOptions = {}): Readonly<CloudConfig> {
  const problems: string[] = [];
  let merged: Json = structuredClone(defaultConfig) as unknown as Json;
  if (opts.file !== undefined && opts.file !== null) {
    if (typeof opts.file !== 'object' || Array.isArray(opts.file)) {
      problems.push('(file): the config file must contain an object');
    } else {
      merged = deepMerge(merged, opts.file as Json);
    }
  }
  const env = opts.env ?? process.env;
  for (const [name, { key, type }] of Object.entries(envOverrides)) {
    const raw = env[name];
    if (raw === undefined || raw === '') continue;
    if (type === 'integer') {
      const n = Number(raw);
      if (!/^\d+$/.test(raw.trim()) || !Number.isSafeInteger(n)) {
        problems.push(`${key} (env ${name}): expected an integer, got ${JSON.stringify(raw)}`);
        continue;
      }
      setPath(merged, key, n);
    } else {
      setPath(merged, key, raw);
    }
  }
  if (opts.overrides) merged = deepMerge(merged, opts.overrides as Json);

  for (const err of checker.Errors(merged)) {
    const key = err.path.replace(/^\//, '').replaceAll('/', '.') || '(root)';
    // Never echo secrets back: a bad apiToken or URL is named, not printed.
    problems.push(`${key}: ${err.message}`);
  }
  if (problems.length === 0) problems.push(...configCrossProblems(merged as unknown as CloudConfig));
  if (problems.length > 0) throw new ConfigError(problems);
  return deepFreeze(merged as unknown as CloudConfig);
}

/** Reads a YAML or JSON config file (by extension; YAML is a superset of JSON anyway). */
export async function readConfigFile(path: string): Promise<unknown> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    throw new ConfigError([`(file): cannot read ${path}: ${(err as Error).message}`]);
  }
  try {
    return extname(path) === '.json' ? JSON.parse(text) : parseYaml(text);
  } catch (err) {
    throw new ConfigError([
      `(file): ${path} is not valid ${extname(path) === '.json' ? 'JSON' : 'YAML'}: ${(err as Error).message}`,
    ]);
  }
}

function isPlainObject(v: unknown): v is Json {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function deepMerge(base: Json, over: Json): Json {
  const out: Json = { ...base };
  for (const [k, v] of Object.entries(over)) {
    if (v === undefined) continue;
    const prev = out[k];
    out[k] = isPlainObject(prev) && isPlainObject(v) ? deepMerge(prev, v) : v;
  }
  return out;
}

function setPath(target: Json, path: string, value: unknown): void {
  const parts = path.split('.');
  let node = target;
  for (const part of parts.slice(0, -1)) {
    const next = node[part];
    if (!isPlainObject(next)) node[part] = {};
    node = node[part] as Json;
  }
  node[parts.at(-1)!] = value;
}

function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null) {
    for (const v of Object.values(value)) deepFreeze(v);
    Object.freeze(value);
  }
  return value;
}
