import { type Logger, pino } from 'pino';

export type { Logger };

/**
 * Paths pino blanks out wherever they appear. Secrets never reach a log line; personal data (phones,
 * names, message bodies) is kept out by the call sites, and these paths are the safety net.
 */
const REDACT = [
  'password',
  'secret',
  'apiToken',
  'token',
  'phone',
  'body',
  '*.password',
  '*.secret',
  '*.apiToken',
  '*.jwtSecret',
  '*.phone',
  'req.headers.authorization',
  'config.apiToken',
  'config.database.url',
  '*.accessKeySecret',
  '*.authToken',
  '*.webhookToken',
];

/**
 * The root logger of the cloud process: JSON lines when stdout is not a terminal (containers, CI,
 * tests), pino-pretty when a human is watching (STYLE §3.7: chosen by TTY, not NODE_ENV).
 */
export function createLogger(level: string, opts: { pretty?: boolean } = {}): Logger {
  const pretty = opts.pretty ?? process.stdout.isTTY === true;
  return pino({
    level,
    base: { service: 'anju-cloud' },
    redact: { paths: REDACT, censor: '[redacted]' },
    ...(pretty ? { transport: { target: 'pino-pretty', options: { translateTime: 'SYS:HH:MM:ss.l' } } } : {}),
  });
}
