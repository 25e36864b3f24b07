import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { waitFor } from './net.ts';

/**
 * A real serial line for tests: socat links two ptys, `rx` for the gateway's driver and `tx` for the
 * replay tool (the "wristband receiver" side).
 */
export async function startPtyPair(
  rx: string,
  tx: string,
): Promise<{ process: ChildProcess; stop(): Promise<void> }> {
  const child = spawn('socat', [`pty,raw,echo=0,link=${rx}`, `pty,raw,echo=0,link=${tx}`], {
    stdio: 'ignore',
  });
  await waitFor(() => existsSync(rx) && existsSync(tx), 5000, 'socat ptys');
  return {
    process: child,
    async stop() {
      if (child.exitCode !== null) return;
      const exited = new Promise((r) => child.once('exit', r));
      child.kill('SIGTERM');
      await exited;
    },
  };
}
