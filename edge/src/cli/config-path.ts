import { existsSync } from 'node:fs';

/** Where `anju-gw init` writes the gateway's config, and where every command looks for it. */
export const DEFAULT_CONFIG_FILE = process.env.ANJU_CONFIG ?? '/etc/anju/gateway.yaml';

/**
 * The config file a reading command uses: the one given, else the default when it exists — so an
 * installer can type `anju-gw status` after `init` — else none (environment and built-in defaults only).
 */
export function configFileOrDefault(given: string | undefined): string | undefined {
  if (given) return given;
  return existsSync(DEFAULT_CONFIG_FILE) ? DEFAULT_CONFIG_FILE : undefined;
}

/** `--config` help of the commands that read the config. */
export const READ_CONFIG_HELP = `gateway config, YAML or JSON (default ${DEFAULT_CONFIG_FILE} when it exists; env ANJU_CONFIG)`;
