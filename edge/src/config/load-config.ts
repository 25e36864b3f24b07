import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { Value } from '@sinclair/typebox/value';
import { parse as parseYaml } from 'yaml';
import { driverConfigSchemas } from '../drivers/registry.ts';
import { UserError } from '../errors.ts';
import { scorers } from '../scoring/registry.ts';
import { CredentialsError, readCredentials } from './credentials.ts';
import { ENV_OVERRIDES, type GatewayConfig, GatewayConfigSchema } from './gateway.config.ts';

export class ConfigError extends UserError {
  constructor(
    readonly problems: string[],
    source: string,
  ) {
    super('EDGE_CONFIG_INVALID', `invalid gateway config (${source}):\n  - ${problems.join('\n  - ')}`);
  }
}

/** Reads a YAML/JSON config file (optional), applies env overrides, validates everything at once, freezes. */
export function loadGatewayConfig(
  file: string | undefined,
  env: NodeJS.ProcessEnv = process.env,
  overrides: Record<string, unknown> = {},
): Readonly<GatewayConfig> {
  let raw: unknown = {};
  if (file) {
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch (err) {
      throw new ConfigError([`cannot read ${file}: ${(err as Error).message}`], file);
    }
    try {
      raw = parseYaml(text) ?? {};
    } catch (err) {
      throw new ConfigError([`not valid YAML/JSON: ${(err as Error).message}`], file);
    }
    if (typeof raw !== 'object' || Array.isArray(raw))
      throw new ConfigError(['the file must hold a mapping'], file);
  }
  const merged = structuredClone(raw) as Record<string, unknown>;
  for (const [name, key] of Object.entries(ENV_OVERRIDES)) {
    const v = env[name];
    if (v !== undefined && v !== '') setPath(merged, key, coerce(v));
  }
  for (const [key, v] of Object.entries(overrides)) if (v !== undefined) setPath(merged, key, v);
  fillSecretFromFile(merged, file);
  return validateGatewayConfig(merged, file ?? 'environment');
}

/**
 * `cloud.secretFile` (written by `anju-gw init`) supplies the secret unless the file or the environment
 * gives one. A relative path is relative to the config file. Its gateway id must be the config's.
 */
function fillSecretFromFile(merged: Record<string, unknown>, file: string | undefined): void {
  const cloud = merged.cloud as Record<string, unknown> | undefined;
  if (!cloud || typeof cloud.secretFile !== 'string' || cloud.secret !== undefined) return;
  const path = resolve(file ? dirname(file) : '.', cloud.secretFile);
  try {
    const creds = readCredentials(path);
    if (merged.gatewayId !== undefined && creds.gatewayId !== merged.gatewayId)
      throw new ConfigError(
        [
          `cloud.secretFile: ${path} holds the credentials of gateway ${creds.gatewayId}, not ${String(merged.gatewayId)}`,
        ],
        file ?? 'environment',
      );
    cloud.secret = creds.secret;
  } catch (err) {
    if (err instanceof CredentialsError)
      throw new ConfigError([`cloud.secretFile: ${err.message}`], file ?? 'environment');
    throw err;
  }
}

export function validateGatewayConfig(input: unknown, source = 'config'): Readonly<GatewayConfig> {
  const withDefaults = Value.Default(GatewayConfigSchema, structuredClone(input));
  // One line per key: TypeBox reports "required" and "expected string" for the same missing key.
  const byKey = new Map<string, string>();
  for (const e of Value.Errors(GatewayConfigSchema, withDefaults)) {
    const key = e.path.slice(1).replaceAll('/', '.') || '(root)';
    if (!byKey.has(key))
      byKey.set(
        key,
        `${key}: ${e.message}${e.value === undefined ? '' : ` (got ${JSON.stringify(e.value)})`}`,
      );
  }
  const problems = [...byKey.values()];
  const config = withDefaults as GatewayConfig;
  if (problems.length === 0) config.devices = config.devices.map((d, i) => validateDevice(d, i, problems));
  if (problems.length === 0 && !(config.fall.scorer in scorers)) {
    problems.push(
      `fall.scorer: unknown scorer "${config.fall.scorer}"; known: ${Object.keys(scorers).join(', ')}`,
    );
  }
  if (problems.length === 0 && config.cloud.reconnectMaxMs < config.cloud.reconnectMinMs) {
    problems.push('cloud.reconnectMaxMs: must be ≥ cloud.reconnectMinMs');
  }
  if (problems.length) throw new ConfigError(problems, source);
  return deepFreeze(config);
}

/** Checks one `devices[i]` entry against its driver's schema, filling defaults; problems name the key. */
function validateDevice(entry: GatewayConfig['devices'][number], index: number, problems: string[]) {
  const { type, ...rest } = entry;
  const schema = driverConfigSchemas[type as keyof typeof driverConfigSchemas];
  if (!schema) {
    problems.push(
      `devices.${index}.type: unknown driver "${type}"; known: ${Object.keys(driverConfigSchemas).join(', ')}`,
    );
    return entry;
  }
  const filled = Value.Default(schema, structuredClone(rest)) as Record<string, unknown>;
  const seen = new Set<string>();
  for (const e of Value.Errors(schema, filled)) {
    const key = `devices.${index}.${e.path.slice(1).replaceAll('/', '.')}`.replace(/\.$/, '');
    if (seen.has(key)) continue;
    seen.add(key);
    problems.push(`${key}: ${e.message}${e.value === undefined ? '' : ` (got ${JSON.stringify(e.value)})`}`);
  }
  return { type, ...filled };
}

function coerce(v: string): unknown {
  if (v === 'true' || v === 'false') return v === 'true';
  return /^-?\d+(\.\d+)?$/.test(v) ? Number(v) : v;
}

function setPath(obj: Record<string, unknown>, path: string, value: unknown): void {
  const keys = path.split('.');
  let cur = obj;
  for (const k of keys.slice(0, -1)) {
    const next = cur[k];
    if (typeof next !== 'object' || next === null) cur[k] = {};
    cur = cur[k] as Record<string, unknown>;
  }
  cur[keys[keys.length - 1]!] = value;
}

function deepFreeze<T>(o: T): T {
  if (o && typeof o === 'object') {
    for (const v of Object.values(o)) deepFreeze(v);
    Object.freeze(o);
  }
  return o;
}
