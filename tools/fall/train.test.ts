import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createFallModelScorer } from '../../edge/src/scoring/fall-model/fall-model.scorer.ts';
import type { FallModelManifest } from '../../edge/src/scoring/fall-model/model-files.ts';

const ROOT = resolve(import.meta.dirname, '../..');
const DATA = resolve(ROOT, '../shared/datasets/falls');

// Proves the pipeline end to end on a tiny subset (a few seconds); the shipped model is never retrained here.
describe.skipIf(!existsSync(join(DATA, 'index.csv')))('npm run train:fall on a tiny subset', () => {
  const out = mkdtempSync(join(tmpdir(), 'fall-train-'));
  afterAll(() => rmSync(out, { recursive: true, force: true }));

  it('writes a loadable model, its manifest and a model card, split by subject', async () => {
    const log = execFileSync(
      join(ROOT, 'node_modules/.bin/tsx'),
      [
        'tools/fall/train.ts',
        '--data',
        DATA,
        '--out',
        out,
        '--subjects',
        'U02,U05,SA01,SA02',
        '--validation',
        'U05,SA02',
        '--max-per-subject',
        '3',
        '--epochs',
        '2',
      ],
      { cwd: ROOT, encoding: 'utf8' },
    );
    expect(log).toMatch(/epoch 1\/2/);
    expect(log).toMatch(/epoch 2\/2/);
    for (const f of ['model.json', 'weights.bin', 'manifest.json', 'README.md'])
      expect(existsSync(join(out, f))).toBe(true);
    const manifest = JSON.parse(readFileSync(join(out, 'manifest.json'), 'utf8')) as FallModelManifest;
    expect(manifest.split?.train).toEqual(['SA01', 'U02']);
    expect(manifest.split?.validation).toEqual(['SA02', 'U05']);
    expect(readFileSync(join(out, 'README.md'), 'utf8')).toContain('How the threshold was chosen');
    const scorer = await createFallModelScorer({ modelDir: out, backends: ['cpu'] });
    expect(scorer.threshold).toBe(manifest.threshold);
    scorer.dispose?.();
  });
});
