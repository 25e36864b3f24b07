import { UserError } from '../errors.ts';

/** Thrown when the configuration is invalid; `problems` lists every error, each naming its key. */
export class ConfigError extends UserError {
  constructor(readonly problems: readonly string[]) {
    super('CLOUD_CONFIG_INVALID', `invalid configuration:\n  - ${problems.join('\n  - ')}`);
  }
}
