import { describe, expect, it } from 'vitest';
import { haversineKm } from './geo.ts';
import { type Candidate, rankWorkers } from './worker-ranking.ts';

const always = [{ weekdays: [1, 2, 3, 4, 5, 6, 7], start: '00:00', end: '00:00' }];
const resident = { lat: 31.2286, lon: 121.4547 };
const at = new Date('2024-05-06T19:00:00Z'); // Tuesday 03:00 in Shanghai
const base = {
  resident,
  requiredSkill: undefined,
  exclude: new Set<string>(),
  at,
  timeZone: 'Asia/Shanghai',
  loadPenaltyKm: 2,
};
const worker = (id: string, km: number, over: Partial<Candidate> = {}): Candidate => ({
  id,
  skills: ['first_aid'],
  // ~1 km per 0.009° of latitude
  home: { lat: resident.lat + km * 0.008993, lon: resident.lon },
  shifts: always,
  load: 0,
  ...over,
});

describe('dispatch ranking', () => {
  it('measures great-circle distance', () => {
    expect(haversineKm({ lat: 31.23, lon: 121.47 }, { lat: 39.9, lon: 116.4 })).toBeCloseTo(1067, -1);
    expect(haversineKm(resident, resident)).toBe(0);
  });

  it('prefers the nearest on-duty worker', () => {
    const ranked = rankWorkers([worker('far', 5), worker('near', 1), worker('mid', 3)], base);
    expect(ranked.map((r) => r.id)).toEqual(['near', 'mid', 'far']);
    expect(ranked[0]?.distanceKm).toBeCloseTo(1, 1);
  });

  it('counts each case a worker already holds as extra distance', () => {
    const ranked = rankWorkers([worker('near-busy', 1, { load: 2 }), worker('mid-free', 3)], base);
    expect(ranked.map((r) => r.id)).toEqual(['mid-free', 'near-busy']); // 3 km < 1 + 2×2 km
  });

  it('puts workers with the skill the kind needs first, but keeps the others as a fallback', () => {
    const ranked = rankWorkers([worker('near-no-skill', 1, { skills: [] }), worker('far-skilled', 8)], {
      ...base,
      requiredSkill: 'first_aid',
    });
    expect(ranked.map((r) => [r.id, r.hasSkill])).toEqual([
      ['far-skilled', true],
      ['near-no-skill', false],
    ]);
  });

  it('skips workers off duty and those already asked for this case', () => {
    const dayOnly = [{ weekdays: [1, 2, 3, 4, 5], start: '08:00', end: '20:00' }];
    const ranked = rankWorkers(
      [worker('asked', 1), worker('asleep', 1, { shifts: dayOnly }), worker('next', 4)],
      {
        ...base,
        exclude: new Set(['asked']),
      },
    );
    expect(ranked.map((r) => r.id)).toEqual(['next']);
  });

  it('ranks by load alone when the resident has no geo point', () => {
    const ranked = rankWorkers([worker('b', 1, { load: 1 }), worker('a', 9)], {
      ...base,
      resident: { lat: null, lon: null },
    });
    expect(ranked.map((r) => [r.id, r.distanceKm])).toEqual([
      ['a', null],
      ['b', null],
    ]);
  });
});
