import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { type ParseArgsConfig, parseArgs } from 'node:util';

/**
 * The usage of a tool is the comment block it opens with (each tool already documents its options there),
 * so `--help` and the error for a bad option print the same text the source shows, and they cannot drift.
 */
export function usageOf(moduleUrl: string): string {
  const lines = readFileSync(fileURLToPath(moduleUrl), 'utf8').split('\n');
  const usage: string[] = [];
  for (const line of lines) {
    const m = /^\s*(?:\/\/|\/\*\*?|\*\/?)\s?(.*)$/.exec(line);
    if (!m || line.trim() === '') break;
    if (line.trim() === '*/') break;
    usage.push((m[1] ?? '').replace(/\*\/\s*$/, ''));
  }
  return usage.join('\n').trim();
}

/**
 * node:util parseArgs for a command-line tool: `--help`/`-h` prints the tool's usage and exits 0; an unknown
 * option or a missing value prints what was wrong and the usage and exits 2, instead of a stack trace.
 */
export function parseToolArgs<T extends ParseArgsConfig>(
  moduleUrl: string,
  config: T,
): ReturnType<typeof parseArgs<T>>['values'] {
  const argv = config.args ?? process.argv.slice(2);
  if (argv.includes('--help') || argv.includes('-h')) {
    console.log(usageOf(moduleUrl));
    process.exit(0);
  }
  try {
    return parseArgs(config).values;
  } catch (err) {
    console.error(`${(err as Error).message}\n\n${usageOf(moduleUrl)}`);
    process.exit(2);
  }
}

/** The value of a numeric option if it is a number in min..max; undefined for anything else (empty included). */
export function numberInRange(v: string | undefined, min: number, max: number): number | undefined {
  const n = Number(v);
  if (v === undefined || v.trim() === '' || !Number.isFinite(n) || n < min || n > max) return undefined;
  return n;
}

/** A numeric option checked against its range: not a number or out of range exits 2 with the usage. */
export function numberOption(
  moduleUrl: string,
  name: string,
  v: string | undefined,
  min: number,
  max: number,
): number {
  const n = numberInRange(v, min, max);
  if (n === undefined) {
    console.error(`--${name} must be a number in ${min}..${max}, got ${v}\n\n${usageOf(moduleUrl)}`);
    process.exit(2);
  }
  return n;
}
