import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { AGENT_NODE_FLAGS } from './node-flags.ts';

const BIN = fileURLToPath(new URL('../../../bin/anju-gw.js', import.meta.url));

describe('the V8 flags the agent runs with', () => {
  it('are the ones bin/anju-gw.js asks for in its shebang (npx anju-gw, a global install)', () => {
    const shebang = readFileSync(BIN, 'utf8').split('\n')[0];
    expect(shebang).toBe(`#!/usr/bin/env -S node ${AGENT_NODE_FLAGS.join(' ')}`);
  });

  it('shrink the young generation to 2 × 2 MB, and the bin runs directly with them', () => {
    const probe = `import('node:v8').then((v8) => console.log(v8.getHeapSpaceStatistics().find((s) => s.space_name === 'new_space').space_size))`;
    const flags = execFileSync(process.execPath, [...AGENT_NODE_FLAGS, '-e', probe])
      .toString()
      .trim();
    expect(Number(flags)).toBeLessThanOrEqual(4 * 1024 * 1024);
    expect(execFileSync(BIN, ['--help']).toString()).toMatch(/anju-gw/);
  });
});
