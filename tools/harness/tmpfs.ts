import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface TinyFs {
  /** The mount point: a real file system of `sizeBytes`, so writes past it fail with ENOSPC. */
  dir: string;
  unmount(): void;
}

/**
 * Mounts a tiny tmpfs (`mount -t tmpfs -o size=…`) for disk-full tests: the kernel, not a wrapper,
 * refuses the write. Needs root (or CAP_SYS_ADMIN); returns the reason instead where mounting is not
 * allowed, so the test can skip and say why.
 */
export function mountTinyTmpfs(sizeBytes: number): TinyFs | { unavailable: string } {
  const dir = mkdtempSync(join(tmpdir(), 'anju-tinyfs-'));
  const res = spawnSync('mount', ['-t', 'tmpfs', '-o', `size=${sizeBytes},mode=0700`, 'anju-tinyfs', dir], {
    encoding: 'utf8',
  });
  if (res.status !== 0) {
    rmSync(dir, { recursive: true, force: true });
    return {
      unavailable: `cannot mount a ${sizeBytes}-byte tmpfs (needs root): ${(res.stderr || res.error?.message || '').trim()}`,
    };
  }
  let mounted = true;
  const unmount = () => {
    if (!mounted) return;
    mounted = false;
    spawnSync('umount', ['-l', dir]);
    rmSync(dir, { recursive: true, force: true });
  };
  process.once('exit', unmount);
  return { dir, unmount };
}
