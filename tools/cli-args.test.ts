import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { numberOption, parseToolArgs, usageOf } from './cli-args.ts';

const tool = join(mkdtempSync(join(tmpdir(), 'cli-args-')), 'tool.ts');
writeFileSync(tool, "// npm run x -- [--n 3]\n//\n// Does x.\nimport { a } from 'b';\n// not usage\n");
const url = pathToFileURL(tool).href;

class Exit extends Error {
  constructor(readonly code: number | undefined) {
    super(`exit ${code}`);
  }
}

describe('tool arguments', () => {
  const printed: string[] = [];
  afterEach(() => {
    vi.restoreAllMocks();
    printed.length = 0;
  });
  const trap = () => {
    vi.spyOn(process, 'exit').mockImplementation((code) => {
      throw new Exit(code as number | undefined);
    });
    vi.spyOn(console, 'error').mockImplementation((m: string) => void printed.push(m));
    vi.spyOn(console, 'log').mockImplementation((m: string) => void printed.push(m));
  };

  it('reads the usage from the comment block the tool opens with, and nothing after it', () => {
    expect(usageOf(url)).toBe('npm run x -- [--n 3]\n\nDoes x.');
  });

  it('parses known options', () => {
    expect(parseToolArgs(url, { args: ['--n', '4'], options: { n: { type: 'string' } } })).toEqual({
      n: '4',
    });
  });

  it('--help prints the usage and exits 0', () => {
    trap();
    expect(() => parseToolArgs(url, { args: ['--help'], options: {} })).toThrow(new Exit(0));
    expect(printed.join('\n')).toContain('Does x.');
  });

  it('an unknown option names itself, prints the usage and exits 2', () => {
    trap();
    expect(() => parseToolArgs(url, { args: ['--nope'], options: { n: { type: 'string' } } })).toThrow(
      new Exit(2),
    );
    expect(printed.join('\n')).toMatch(/--nope[\s\S]*npm run x/);
  });

  it('a number out of range or not a number exits 2; a good one is returned', () => {
    trap();
    expect(numberOption(url, 'n', '3', 1, 5)).toBe(3);
    expect(() => numberOption(url, 'n', 'abc', 1, 5)).toThrow(new Exit(2));
    expect(() => numberOption(url, 'n', '9', 1, 5)).toThrow(new Exit(2));
    expect(() => numberOption(url, 'n', '', 1, 5)).toThrow(new Exit(2));
    expect(printed.join('\n')).toContain('--n must be a number in 1..5, got abc');
  });
});
