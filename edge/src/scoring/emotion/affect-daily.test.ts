import { describe, expect, it } from 'vitest';
import { parseResidentDaily, type ResidentDaily } from '../../../../contracts/src/index.ts';
import { AffectScorer, DEFAULT_AFFECT } from './affect.scorer.ts';
import { dailyAffectFields } from './affect-daily.ts';
import { EMOTIONS, type Expression } from './expressions.ts';

const base: ResidentDaily = {
  schema: 1,
  gatewayId: 'gw-1',
  residentId: 'res-1',
  day: '2026-12-01',
  dayStart: '2026-11-30T16:00:00.000Z',
  activeMinutes: 300,
};
const probs = (p: number[]): Expression =>
  Object.fromEntries(EMOTIONS.map((e, i) => [e, p[i]!])) as Expression;

/** A scorer's day of `n` faces cycling through a few expression vectors. */
function dayOf(n: number) {
  const s = new AffectScorer();
  const faces = [
    probs([0.05, 0.01, 0.04, 0.6, 0.2, 0.05, 0.05]),
    probs([0.1, 0.02, 0.18, 0.05, 0.3, 0.3, 0.05]),
    probs([0.02, 0.0, 0.03, 0.05, 0.85, 0.03, 0.02]),
  ];
  for (let i = 0; i < n; i++) s.frame('2026-12-01', i * 60_000, i % 4 === 3 ? [] : [faces[i % 3]!]);
  return s.closeDay(n * 60_000).summary;
}

describe('daily affect in the resident summary', () => {
  it('carries valence and the per-expression shares of a counted day, and the contract accepts them', () => {
    const a = dayOf(80);
    expect(a.counted).toBe(true);
    const fields = dailyAffectFields(a);
    expect(fields.affect).toBe(a.valence);
    expect(fields.affectDetail).toEqual({
      frames: 80,
      faces: 60,
      negativeShare: a.negativeShare,
      shares: a.shares,
    });
    const sum = Object.values(fields.affectDetail!.shares).reduce((x, y) => x + y, 0);
    expect(sum).toBeCloseTo(1, 2);
    expect(fields.affectDetail!.shares.happy).toBeCloseTo((0.6 + 0.05 + 0.05) / 3, 2);
    const parsed = parseResidentDaily(JSON.stringify({ ...base, ...fields }));
    expect(parsed).toMatchObject({ ok: true, value: { affectDetail: { faces: 60 } } });
  });

  it('sends nothing from the cameras for a day with too few faces (off, down, nobody seen)', () => {
    const a = dayOf(DEFAULT_AFFECT.minFacesPerDay); // 3 in 4 frames have a face: fewer faces than the minimum
    expect(a.counted).toBe(false);
    expect(dailyAffectFields(a)).toEqual({});
    expect(dailyAffectFields(undefined)).toEqual({});
  });

  it('is refused by the contract with a missing or unknown expression or a share outside 0…1', () => {
    const shares = Object.fromEntries(EMOTIONS.map((e) => [e, 1 / 7]));
    const detail = { frames: 10, faces: 40, negativeShare: 0.3, shares };
    const parse = (d: unknown) =>
      parseResidentDaily(JSON.stringify({ ...base, affect: 0.1, affectDetail: d }));
    expect(parse(detail).ok).toBe(true);
    const { sad: _sad, ...withoutSad } = shares;
    expect(parse({ ...detail, shares: withoutSad })).toMatchObject({ ok: false, reason: 'schema' });
    expect(parse({ ...detail, shares: { ...shares, contempt: 0.1 } })).toMatchObject({
      ok: false,
      reason: 'schema',
    });
    expect(parse({ ...detail, shares: { ...shares, happy: 1.2 } })).toMatchObject({
      ok: false,
      reason: 'schema',
    });
    expect(parse({ ...detail, faces: -1 })).toMatchObject({ ok: false, reason: 'schema' });
    // A face, a crop or an embedding has no place to go: no extra field is accepted.
    expect(parse({ ...detail, embedding: [0.1, 0.2] })).toMatchObject({ ok: false, reason: 'schema' });
  });
});
