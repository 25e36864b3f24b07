import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findImpact, readFallsIndex, readRecording, resample } from '../../datasets/falls.ts';
import { scorers } from '../registry.ts';
import { BAND_RATE_HZ, type Detection } from '../scorer.ts';
import { createFallModelScorer, DEFAULT_FALL_MODEL_DIR, type FallModelScorer } from './fall-model.scorer.ts';
import { ImpactTrigger } from './impact-trigger.ts';
import { InputConditioner } from './input-conditioner.ts';

const DATA = resolve(import.meta.dirname, '../../../../../shared/datasets/falls');
// Both recordings belong to U11, a validation subject of models 3.0.0, 3.1.0 and 3.2.0: the shipped model never trained on them.
const FALL = 'umafall/Subject_11_Fall_backwardFall_1_2016-06-10_17-56-03.csv.gz';
const ADL = 'umafall/Subject_11_ADL_Walking_1_2016-06-10_17-36-39.csv.gz';
const atBandRate = (file: string) => resample(readRecording(join(DATA, file)), BAND_RATE_HZ);

describe.skipIf(!existsSync(join(DATA, 'index.csv')))('shipped fall model (models/fall)', () => {
  let scorer: FallModelScorer;
  beforeAll(async () => {
    scorer = await createFallModelScorer({ backends: ['cpu'] });
  });
  afterAll(() => scorer?.dispose?.());

  it('loads from the repository files, with a three-way split by subject', () => {
    const split = scorer.manifest.split!;
    expect(split.validation).toContain('U11');
    expect(split.train).not.toContain('U11');
    const test = split.test ?? [];
    // Test holds wrist fall subjects and SisFall young and elderly subjects, none in train or validation.
    const falls = readFallsIndex(DATA).filter((r) => r.label === 'fall');
    expect(test.some((s) => s.startsWith('U') && falls.some((r) => r.subject === s))).toBe(true);
    expect(test.some((s) => s.startsWith('SA'))).toBe(true);
    expect(test.some((s) => s.startsWith('SE'))).toBe(true);
    expect(test.filter((s) => split.train.includes(s) || split.validation.includes(s))).toEqual([]);
    // The shipped ensemble runs merged into one network (merged-ensemble.ts), not layer by layer.
    expect(scorer.inference).toBe('merged');
    expect(scorer.threshold).toBeGreaterThan(0);
    expect(scorer.threshold).toBeLessThan(1);
    expect(readFallsIndex(DATA).some((r) => r.file === FALL)).toBe(true);
  });

  it('scores a real wrist fall above the threshold and a real walk below it', () => {
    const maxScore = (file: string) => {
      const trigger = new ImpactTrigger(scorer.manifest.trigger);
      let best = 0;
      for (const s of atBandRate(file))
        for (const w of trigger.push(s)) best = Math.max(best, scorer.scoreWindow(w.xyz));
      return best;
    };
    expect(maxScore(FALL)).toBeGreaterThanOrEqual(scorer.threshold);
    expect(maxScore(ADL)).toBeLessThan(scorer.threshold);
  });

  it('scores every window of a real recording as the saved graph does, merged into one network', async () => {
    const asSaved = await createFallModelScorer({ backends: ['cpu'], mergeEnsemble: false });
    expect(asSaved.inference).toBe('layers');
    const trigger = new ImpactTrigger(scorer.manifest.trigger);
    let windows = 0;
    for (const file of [FALL, ADL])
      for (const s of atBandRate(file))
        for (const w of trigger.push(s)) {
          windows++;
          expect(scorer.scoreWindow(w.xyz)).toBeCloseTo(asSaved.scoreWindow(w.xyz), 5);
        }
    expect(windows).toBeGreaterThan(0);
    asSaved.dispose?.();
  });

  it('detects the fall at most 3 s after the impact, with evidence, through push()', () => {
    const samples = atBandRate(FALL);
    // The scorer sees the band's stream conditioned (clipped, low-passed: input-conditioner.ts): its peak is
    // the conditioned signal's.
    const m = scorer.manifest;
    const impact = findImpact(InputConditioner.apply(m.input ?? {}, m.rateHz, samples));
    scorer.reset();
    const detections = samples.flatMap((s) => scorer.push(s) ?? []) as Detection[];
    // A later peak of the same fall (getting up, the arm hitting the floor again) may score too: ConfirmPolicy
    // folds those into the first incident. The first detection is the impact's.
    expect(detections.length).toBeGreaterThanOrEqual(1);
    expect(detections.length).toBeLessThanOrEqual(3);
    const d = detections[0]!;
    expect(d.kind).toBe('fall');
    // The peak the gate settled on: the |a| maximum, or (with clipping, several samples at the clipped level) a
    // peak of the same impact within the 500 ms merge span.
    expect(d.occurredAtMs).toBeGreaterThanOrEqual(impact.tMs - 500);
    expect(d.occurredAtMs).toBeLessThanOrEqual(impact.tMs + 500);
    expect(d.decidedAtMs - d.occurredAtMs).toBe((scorer.manifest.trigger.postSamples * 1000) / BAND_RATE_HZ);
    expect(d.decidedAtMs - impact.tMs).toBeLessThanOrEqual(3000);
    expect(d.score.model).toEqual({ name: 'fall-model', version: scorer.manifest.version });
    expect(d.evidence).toMatchObject({
      peakG: expect.any(Number),
      tiltDeg: expect.any(Number),
      backend: 'cpu',
    });
    scorer.reset();
    expect(atBandRate(ADL).flatMap((s) => scorer.push(s) ?? [])).toHaveLength(0);
  });

  it('is registered as fall-model and reads the default folder', async () => {
    expect(DEFAULT_FALL_MODEL_DIR.endsWith(join('models', 'fall'))).toBe(true);
    const viaRegistry = await scorers['fall-model']({ threshold: 0.9 });
    expect(viaRegistry.id).toBe('fall-model');
    expect((viaRegistry as FallModelScorer).threshold).toBe(0.9);
    viaRegistry.dispose?.();
  });
});
