export { type RunningCloud, type StartCloudOptions, startCloud } from './app.ts';
export { type CloudConfig, ConfigError, loadConfig, readConfigFile } from './config/index.ts';
export { type Db, openPgliteDb, openPostgresDb } from './db/index.ts';
export { createLogger, type Logger } from './log/logger.ts';
export type { Notifier, NotifierFactory, OutboundMessage } from './notify/index.ts';
