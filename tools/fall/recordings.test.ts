import { describe, expect, it } from 'vitest';
import type { RecordingInfo } from '../../edge/src/datasets/falls.ts';
import { splitSubjects } from './recordings.ts';

/** A synthetic index: per source, subjects with falls and subjects with ADLs only. */
function index(): RecordingInfo[] {
  const rows: RecordingInfo[] = [];
  const add = (source: string, subject: string, falls: boolean) => {
    for (const label of falls ? (['fall', 'adl'] as const) : (['adl'] as const))
      rows.push({
        file: `${subject}-${label}.csv.gz`,
        source,
        subject,
        activity: 'x',
        description: 'x',
        label,
        position: source === 'W' ? 'wrist' : 'waist',
        rateHz: 50,
        samples: 100,
      });
  };
  for (let i = 1; i <= 8; i++) add('W', `W${i}`, true);
  for (let i = 1; i <= 4; i++) add('W', `WA${i}`, false);
  for (let i = 1; i <= 18; i++) add('S', `SA${i}`, true);
  for (let i = 1; i <= 9; i++) add('S', `SE${i}`, false);
  return rows;
}

describe('splitSubjects', () => {
  const infos = index();

  it('splits by subject into disjoint train, validation and test covering every subject', () => {
    const s = splitSubjects(infos, 7, 0.2, 0.2);
    const all = [...s.train, ...s.validation, ...s.test];
    expect(new Set(all).size).toBe(all.length);
    expect(new Set(all)).toEqual(new Set(infos.map((r) => r.subject)));
  });

  it('stratifies per source and kind: test and validation each get wrist fall subjects, ADL-only subjects and both SisFall groups', () => {
    const s = splitSubjects(infos, 7, 0.2, 0.2);
    for (const part of [s.validation, s.test]) {
      expect(part.filter((x) => /^W\d/.test(x))).toHaveLength(2);
      expect(part.filter((x) => x.startsWith('WA'))).toHaveLength(1);
      expect(part.filter((x) => x.startsWith('SA'))).toHaveLength(4);
      expect(part.filter((x) => x.startsWith('SE'))).toHaveLength(2);
    }
  });

  it('is reproducible from the seed and changes with it', () => {
    expect(splitSubjects(infos, 7, 0.2, 0.2)).toEqual(splitSubjects(infos, 7, 0.2, 0.2));
    expect(splitSubjects(infos, 8, 0.2, 0.2).test).not.toEqual(splitSubjects(infos, 7, 0.2, 0.2).test);
  });

  it('never draws a subject listed as already seen for test', () => {
    const seen = ['W1', 'W2', 'W3', 'W4', 'WA1', 'SA1', 'SA2', 'SE1'];
    const s = splitSubjects(infos, 7, 0.2, 0.2, seen);
    expect(s.test.filter((x) => seen.includes(x))).toEqual([]);
    expect(s.test.filter((x) => /^W\d/.test(x))).toHaveLength(2);
  });

  it('keeps the two-way split when no test fraction is given', () => {
    expect(splitSubjects(infos, 7, 0.25).test).toEqual([]);
  });
});
