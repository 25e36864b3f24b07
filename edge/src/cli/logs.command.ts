import { closeSync, existsSync, openSync, readSync, statSync, unwatchFile, watchFile } from 'node:fs';
import { type Command, InvalidArgumentError } from 'commander';
import { loadGatewayConfig } from '../config/load-config.ts';
import { configFileOrDefault, READ_CONFIG_HELP } from './config-path.ts';
import { CliExit } from './local-agent.ts';

const LEVELS: Record<number, string> = {
  10: 'TRACE',
  20: 'DEBUG',
  30: 'INFO',
  40: 'WARN',
  50: 'ERROR',
  60: 'FATAL',
};
const STANDARD = new Set(['level', 'time', 'pid', 'hostname', 'name', 'msg', 'gatewayId']);

/** One JSON log line as a person reads it: time, level, message, the rest as key=value. */
export function formatLogLine(raw: string): string {
  let l: Record<string, unknown>;
  try {
    l = JSON.parse(raw) as Record<string, unknown>;
  } catch {
    return raw;
  }
  if (typeof l !== 'object' || l === null) return raw;
  const time =
    typeof l.time === 'number' ? new Date(l.time).toISOString().replace('T', ' ').slice(0, 23) : '';
  const level = LEVELS[Number(l.level)] ?? String(l.level ?? '');
  const extra = Object.entries(l)
    .filter(([k]) => !STANDARD.has(k))
    .map(([k, v]) => `${k}=${typeof v === 'string' ? v : JSON.stringify(v)}`)
    .join(' ');
  return `${time} ${level.padEnd(5)} ${String(l.msg ?? '')}${extra ? `  ${extra}` : ''}`;
}

function readRange(file: string, from: number, to: number): string {
  const fd = openSync(file, 'r');
  try {
    const buf = Buffer.alloc(to - from);
    const n = readSync(fd, buf, 0, buf.length, from);
    return buf.subarray(0, n).toString('utf8');
  } finally {
    closeSync(fd);
  }
}

export function registerLogs(program: Command): void {
  program
    .command('logs')
    .description("show the agent's log file (the config's logFile)")
    .option('-c, --config <file>', READ_CONFIG_HELP)
    .option(
      '-n, --lines <n>',
      'how many of the last lines to show',
      (v) => {
        const n = Number(v);
        if (!Number.isInteger(n) || n < 0)
          throw new InvalidArgumentError(`--lines must be a whole number ≥ 0 (got "${v}")`);
        return n;
      },
      50,
    )
    .option('-f, --follow', 'keep printing new lines until Ctrl-C')
    .option('--json', 'print the raw JSON lines')
    .addHelpText(
      'after',
      '\nThe agent writes the file when its config sets logFile (or ANJU_LOG_FILE).\n' +
        'Exit codes:\n  0  shown\n  1  no log file yet\n  2  bad arguments, or the config sets no logFile',
    )
    .action(async (opts: { config?: string; lines: number; follow?: boolean; json?: boolean }) => {
      const config = loadGatewayConfig(configFileOrDefault(opts.config), process.env);
      const file = config.logFile;
      if (!file)
        throw new CliExit(
          2,
          'the config sets no logFile: the agent logs to stdout only (journalctl -u anju-gw)',
        );
      if (!existsSync(file))
        throw new CliExit(1, `no log file at ${file} yet (has the agent run with this config?)`);
      const show = (line: string) => {
        if (line.trim() !== '') console.log(opts.json ? line : formatLogLine(line));
      };
      let size = statSync(file).size;
      const text = readRange(file, Math.max(0, size - 4 * 2 ** 20), size);
      const lines = text.split('\n');
      if (lines.at(-1) === '') lines.pop();
      for (const line of opts.lines === 0 ? [] : lines.slice(-opts.lines)) show(line);
      if (!opts.follow) return;

      let partial = '';
      await new Promise<void>((resolve) => {
        watchFile(file, { interval: 250 }, (cur) => {
          if (cur.size < size) size = 0; // truncated or rotated: start over
          if (cur.size === size) return;
          const chunk = partial + readRange(file, size, cur.size);
          size = cur.size;
          const parts = chunk.split('\n');
          partial = parts.pop() ?? '';
          for (const line of parts) show(line);
        });
        const stop = () => {
          unwatchFile(file);
          resolve();
        };
        process.once('SIGINT', stop);
        process.once('SIGTERM', stop);
      });
    });
}
