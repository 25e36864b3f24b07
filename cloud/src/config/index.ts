export {
  ConfigError,
  type DeepPartial,
  type LoadConfigOptions,
  loadConfig,
  readConfigFile,
} from './config.loader.ts';
export {
  CLIENT_ID_PATTERN,
  type CloudConfig,
  CloudConfigSchema,
  defaultConfig,
  envOverrides,
} from './config.schema.ts';
export { type LimitsConfig, resolveLimits } from './limits.config.ts';
