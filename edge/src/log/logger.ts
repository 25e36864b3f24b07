import pino, { type Logger } from 'pino';

export type { Logger };

/** One root logger per process: JSON when stdout is not a TTY, pretty when a person is watching. */
export function createLogger(name: string, level = process.env.LOG_LEVEL ?? 'info'): Logger {
  const pretty = process.stdout.isTTY && !process.env.LOG_JSON;
  return pino({
    name,
    level,
    redact: {
      paths: ['secret', 'password', '*.secret', '*.password', 'config.cloud.secret'],
      censor: '[redacted]',
    },
    ...(pretty ? { transport: { target: 'pino-pretty', options: { translateTime: 'HH:MM:ss.l' } } } : {}),
  });
}

/** A logger that drops everything: for benchmarks and library use where the caller owns the output. */
export const silentLogger: Logger = pino({ level: 'silent' });
