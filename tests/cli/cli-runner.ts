import { execFile } from 'node:child_process';
import { ROOT } from '../../tools/harness/processes.ts';

/** Runs `anju-gw …` as a child process (stdin not a terminal): its exit code, stdout and stderr. */
export function cli(...args: string[]): Promise<{ code: number; out: string; err: string }> {
  return new Promise((resolve) => {
    const child = execFile(
      process.execPath,
      ['bin/anju-gw.js', ...args],
      { cwd: ROOT, env: { ...process.env, LOG_LEVEL: 'warn' }, timeout: 60_000 },
      (error, stdout, stderr) =>
        resolve({ code: error ? Number(error.code ?? 1) : 0, out: stdout, err: stderr }),
    );
    child.stdin?.end();
  });
}
