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
        'U02,U05,U06,SA01,SA02,SA03',
        '--validation',
        'U05,SA02',
        '--test',
        'U06,SA03',
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
    expect(manifest.split?.test).toEqual(['SA03', 'U06']);
    // Test subjects are replayed once, at the end, and only reported.
    expect(log).toMatch(/TEST \(edge replay\): fall-eval recordings=12 /);
    const card = readFileSync(join(out, 'README.md'), 'utf8');
    expect(card).toContain('How the threshold was chosen');
    expect(card).toContain('Headline: test subjects');
    expect(card).toContain('- test: SA03, U06');
    const scorer = await createFallModelScorer({ modelDir: out, backends: ['cpu'] });
    expect(scorer.threshold).toBe(manifest.threshold);
    scorer.dispose?.();
  });

  it('does not even load the test subjects with --no-test', () => {
    const log = execFileSync(
      join(ROOT, 'node_modules/.bin/tsx'),
      [
        'tools/fall/train.ts',
        ...['--data', DATA, '--out', out, '--subjects', 'U02,U05,U06,SA01,SA02,SA03'],
        ...['--validation', 'U05,SA02', '--test', 'U06,SA03', '--max-per-subject', '2', '--epochs', '1'],
        ...['--members', '1', '--no-test', '--no-card'],
      ],
      { cwd: ROOT, encoding: 'utf8' },
    );
    expect(log).toContain('(not loaded: --no-test)');
    expect(log).not.toMatch(/TEST/);
    expect(log).toMatch(/validation \(edge replay\): fall-eval recordings=8 /);
  });
});
