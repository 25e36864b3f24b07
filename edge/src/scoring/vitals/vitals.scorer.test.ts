import { describe, expect, it } from 'vitest';
import { VitalsScorer, type VitalsScorerConfig } from './vitals.scorer.ts';

const config: VitalsScorerConfig = {
  defaultLow: 40,
  defaultHigh: 130,
  sustainedS: 120,
  minQuality: 50,
  maxGapS: 60,
  learnMinReadings: 0,
};
const S = 1000;
/** Feeds one reading every 5 s from `fromS` for `forS` seconds; returns the alarms. */
function feed(v: VitalsScorer, fromS: number, forS: number, bpm: (tS: number) => number, quality = 90) {
  const alarms = [];
  for (let t = fromS; t < fromS + forS; t += 5) {
    const a = v.push(t * S, bpm(t), quality);
    if (a) alarms.push({ atS: t, ...a });
  }
  return alarms;
}

describe('vitals scorer', () => {
  it('raises one event when the heart rate stays above the limit for sustainedS, not one per reading', () => {
    const v = new VitalsScorer(config);
    expect(feed(v, 0, 600, () => 70)).toEqual([]);
    const alarms = feed(v, 600, 600, () => 150);
    expect(alarms).toHaveLength(1);
    expect(alarms[0]!.atS).toBe(720);
    expect(alarms[0]!.evidence).toMatchObject({
      value: 150,
      low: 40,
      high: 130,
      sustainedS: 120,
      side: 'high',
    });
  });

  it('never raises for single outliers or for readings of poor quality', () => {
    const v = new VitalsScorer(config);
    expect(feed(v, 0, 3600, (t) => (t % 60 === 0 ? 180 : 72))).toEqual([]);
    expect(feed(v, 3600, 600, () => 30, 20)).toEqual([]);
  });

  it('starts over after a gap of readings longer than maxGapS', () => {
    const v = new VitalsScorer(config);
    expect(feed(v, 0, 100, () => 35)).toEqual([]);
    expect(feed(v, 300, 100, () => 35)).toEqual([]); // 100 s + 100 s, but with a 200 s hole between
  });

  it('raises again only after the heart rate was back in range for sustainedS', () => {
    const v = new VitalsScorer(config);
    expect(feed(v, 0, 300, () => 35)).toHaveLength(1);
    expect(feed(v, 300, 60, () => 60)).toEqual([]);
    expect(feed(v, 360, 300, () => 35)).toEqual([]); // the same episode
    expect(feed(v, 660, 300, () => 60)).toEqual([]);
    expect(feed(v, 960, 300, () => 35)).toHaveLength(1);
  });

  it('takes the desk limits over the config, the config over the learned range, the learned over defaults', () => {
    const learnt = new VitalsScorer({ ...config, learnMinReadings: 100 });
    expect(learnt.limits().source).toBe('default');
    feed(learnt, 0, 1000, (t) => 50 + (t % 20)); // an athlete: 50, 55, 60, 65 bpm
    expect(learnt.limits()).toMatchObject({ source: 'learned', low: 40, high: 85 }); // 1st pct − 10, 99th + 20;
    const fromConfig = new VitalsScorer({ ...config, heartRateHigh: 110 }, learnt.state());
    expect(fromConfig.limits()).toMatchObject({ source: 'config', low: 40, high: 110 });
    fromConfig.setDeskLimits({ heartRateLow: 45, heartRateHigh: 100, sustainedS: 60 });
    expect(fromConfig.limits()).toEqual({ source: 'desk', low: 45, high: 100, sustainedS: 60 });
    const restarted = new VitalsScorer(config, fromConfig.state());
    expect(restarted.limits().source).toBe('desk');
    expect(feed(restarted, 0, 90, () => 105)).toHaveLength(1);
  });

  it('ignores a corrupt learned histogram', () => {
    const v = new VitalsScorer({ ...config, learnMinReadings: 1 }, { histogram: [1, -2, 3] });
    expect(v.limits().source).toBe('default');
  });
});
