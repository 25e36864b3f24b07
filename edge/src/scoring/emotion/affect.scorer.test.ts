import { describe, expect, it } from 'vitest';
import { AffectScorer } from './affect.scorer.ts';
import { EMOTIONS, type Emotion, type Expression } from './expressions.ts';

// Unit test of the aggregation and baseline rules with hand-made expression vectors; the behaviour on real
// faces is measured by tools/emotion/replay.ts (docs/camera.md).
const face = (top: Emotion, p = 0.7): Expression =>
  Object.fromEntries(EMOTIONS.map((e) => [e, e === top ? p : (1 - p) / 6])) as Expression;

function day(s: AffectScorer, d: number, mix: Partial<Record<Emotion, number>>, faces = 100) {
  const name = `2026-01-${String(d).padStart(2, '0')}`;
  const list: Emotion[] = [];
  for (const [e, share] of Object.entries(mix))
    for (let i = 0; i < Math.round(share * faces); i++) list.push(e as Emotion);
  // Spread over the day, one face a minute, interleaved so no 10-minute run is all negative.
  list.sort((a, b) => (a < b ? -1 : 1));
  const spread = list.map((e, i) => list[(i * 37) % list.length] ?? e);
  for (const [i, e] of spread.entries()) s.frame(name, d * 86_400_000 + i * 60_000, [face(e)]);
  return s.closeDay(d * 86_400_000 + 86_399_000);
}

const stable = { neutral: 0.45, happy: 0.3, sad: 0.1, surprise: 0.1, angry: 0.05 };
const low = { neutral: 0.25, happy: 0.05, sad: 0.4, fear: 0.15, angry: 0.15 };

describe('AffectScorer', () => {
  it('summarises a day: frames, faces, share per class and valence', () => {
    const s = new AffectScorer();
    s.frame('2026-01-01', 0, [face('happy', 1)]);
    s.frame('2026-01-01', 1000, []);
    s.frame('2026-01-01', 2000, [face('sad', 1)]);
    const d = s.summary();
    expect(d).toMatchObject({ frames: 3, faces: 2, counted: false });
    expect(d.shares.happy).toBe(0.5);
    expect(d.shares.sad).toBe(0.5);
    expect(d.valence).toBeCloseTo((0.9 - 0.8) / 2, 3);
  });

  it('raises nothing over 40 stable days, then one event on the third low day after a shift', () => {
    const s = new AffectScorer();
    for (let d = 1; d <= 40; d++) expect(day(s, d, stable).event).toBeUndefined();
    expect(day(s, 41, low).event).toBeUndefined();
    expect(day(s, 42, low).event).toBeUndefined();
    const third = day(s, 43, low);
    expect(third.event?.reason).toBe('sustained_low_mood');
    expect(third.event?.evidence.days).toBe(3);
    // Cooldown: not again the next day.
    expect(day(s, 44, low).event).toBeUndefined();
  });

  it('days with the cameras off (no faces) neither count nor break a streak, and never raise', () => {
    const s = new AffectScorer();
    for (let d = 1; d <= 10; d++) day(s, d, stable);
    day(s, 11, low);
    day(s, 12, low);
    for (let d = 13; d <= 20; d++) expect(day(s, d, {}, 0).event).toBeUndefined();
    expect(day(s, 21, low).event?.reason).toBe('sustained_low_mood');
  });

  it('needs a baseline first: a new resident who starts low raises nothing in the first week', () => {
    const s = new AffectScorer();
    for (let d = 1; d <= 7; d++) expect(day(s, d, low).event).toBeUndefined();
  });

  it('a distress episode is a run of distressed faces within minutes, raised once a day, never for one frame', () => {
    const s = new AffectScorer();
    expect(s.frame('2026-01-01', 0, [face('fear', 0.9)])).toBeUndefined();
    let raised = 0;
    for (let i = 1; i <= 40; i++)
      if (s.frame('2026-01-01', i * 10_000, [face(i % 2 ? 'fear' : 'sad', 0.8)])) raised++;
    expect(raised).toBe(1);
  });
});
