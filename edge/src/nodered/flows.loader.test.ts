import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadShippedFlows } from './flows.loader.ts';

function dirWith(files: Record<string, unknown>): string {
  const dir = mkdtempSync(join(tmpdir(), 'flows-'));
  for (const [name, body] of Object.entries(files)) writeFileSync(join(dir, name), JSON.stringify(body));
  return dir;
}

const tab = (id: string, env: { name: string; value: string; type: string }[] = []) => ({
  id,
  type: 'tab',
  label: id,
  env,
});

describe('shipped flows loader', () => {
  it('merges one tab per file in name order', () => {
    const dir = dirWith({ 'b.json': [tab('b')], 'a.json': [tab('a'), { id: 'n1', type: 'debug', z: 'a' }] });
    expect(loadShippedFlows(dir).map((n) => n.id)).toEqual(['a', 'n1', 'b']);
  });

  it("sets the installer's parameters on the tabs that declare them, typed", () => {
    const dir = dirWith({
      'a.json': [
        tab('a', [
          { name: 'CONFIRM_MIN', value: '30', type: 'num' },
          { name: 'BAND', value: 'band1', type: 'str' },
        ]),
      ],
    });
    const [a] = loadShippedFlows(dir, { CONFIRM_MIN: 0.05, BAND: 'band7' });
    expect(a?.env).toEqual([
      { name: 'CONFIRM_MIN', value: '0.05', type: 'num' },
      { name: 'BAND', value: 'band7', type: 'str' },
    ]);
  });

  it('refuses a parameter no flow declares, a duplicate id and a file that is not a flow', () => {
    expect(() => loadShippedFlows(dirWith({ 'a.json': [tab('a')] }), { CONFRIM_MIN: 1 })).toThrow(
      /CONFRIM_MIN/,
    );
    expect(() => loadShippedFlows(dirWith({ 'a.json': [tab('a')], 'b.json': [tab('a')] }))).toThrow(
      /used twice/,
    );
    expect(() => loadShippedFlows(dirWith({ 'a.json': { nodes: [] } }))).toThrow(/array of Node-RED nodes/);
  });
});
