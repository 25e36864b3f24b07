import pino, { type Logger } from 'pino';

export type { Logger };

/**
 * One root logger per process: JSON when stdout is not a TTY, pretty when a person is watching; with
 * `file`, every line is also appended to that file as JSON (what `anju-gw logs` reads).
 */
export function createLogger(
  name: string,
  level = process.env.LOG_LEVEL ?? 'info',
  file?: string | undefined,
): Logger {
  const pretty = process.stdout.isTTY && !process.env.LOG_JSON;
  const options = {
    name,
    level,
    redact: {
      paths: ['secret', 'password', '*.secret', '*.password', 'config.cloud.secret'],
      censor: '[redacted]',
    },
  };
  const prettyTarget = { target: 'pino-pretty', options: { translateTime: 'HH:MM:ss.l' }, level };
  if (file) {
    const fileTarget = {
      target: 'pino/file',
      options: { destination: file, mkdir: true, append: true },
      level,
    };
    if (pretty) return pino({ ...options, transport: { targets: [prettyTarget, fileTarget] } });
    return pino(
      options,
      pino.multistream([
        { level: level as pino.Level, stream: process.stdout },
        { level: level as pino.Level, stream: pino.destination({ dest: file, mkdir: true, append: true }) },
      ]),
    );
  }
  return pino({ ...options, ...(pretty ? { transport: prettyTarget } : {}) });
}

/** A logger that drops everything: for benchmarks and library use where the caller owns the output. */
export const silentLogger: Logger = pino({ level: 'silent' });
