// The bench side of bench/fleet-loader.ts: spawns the load-generator processes and asks them by IPC.
// Shared by bench:fleet and bench:supervision.
import { type ChildProcess, spawn } from 'node:child_process';
import { join } from 'node:path';
import { ROOT } from '../tools/harness/processes.ts';
import type { LoaderReply, LoaderRequest } from './fleet-loader.ts';

/** Raises the open-files limit to the hard limit before exec: thousands of MQTT sockets per loader. */
export const ULIMIT = ['sh', '-c', 'ulimit -n "$(ulimit -Hn)" && exec "$0" "$@"'];

export interface Loader<G> {
  proc: ChildProcess;
  gateways: G[];
  next<T extends LoaderReply['type']>(type: T): Promise<Extract<LoaderReply, { type: T }>>;
}

/** `count` loader processes; gateway `h` goes to loader `h.index % count`. */
export function spawnLoaders<G extends { index: number }>(count: number, homes: readonly G[]): Loader<G>[] {
  return Array.from({ length: count }, (_, li) => {
    const mine = homes.filter((h) => h.index % count === li);
    const [cmd, ...args] = [
      ...ULIMIT,
      process.execPath,
      '--import',
      'tsx',
      join(ROOT, 'bench/fleet-loader.ts'),
    ];
    const proc = spawn(cmd!, args, { cwd: ROOT, stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    const waiting = new Map<string, (m: LoaderReply) => void>();
    proc.on('message', (m: LoaderReply) => {
      const w = waiting.get(m.type);
      waiting.delete(m.type);
      w?.(m);
    });
    return {
      proc,
      gateways: mine,
      next: <T extends LoaderReply['type']>(type: T) =>
        new Promise<Extract<LoaderReply, { type: T }>>((resolve) =>
          waiting.set(type, (m) => resolve(m as Extract<LoaderReply, { type: T }>)),
        ),
    };
  });
}

/** Sends a request and waits for the loader's reply of the given type. */
export function ask<G, T extends LoaderReply['type']>(
  l: Loader<G>,
  req: LoaderRequest,
  reply: T,
): Promise<Extract<LoaderReply, { type: T }>> {
  const p = l.next(reply);
  l.proc.send(req);
  return p;
}
