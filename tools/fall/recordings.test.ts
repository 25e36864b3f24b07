import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { RecordingInfo } from '../../edge/src/datasets/falls.ts';
import { diagnosisSubjects, dropDuplicateRecordings, splitSubjects } from './recordings.ts';

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

describe('dropDuplicateRecordings', () => {
  it('keeps the first of recordings with the same samples, compared by content whatever the file name', () => {
    const dir = mkdtempSync(join(tmpdir(), 'falls-dup-'));
    const csv = (v: number) => `t_ms,ax,ay,az\n0,0,0,1\n20,${v},0,1\n`;
    // Same samples gzipped at different levels: the compressed bytes differ, the samples do not.
    writeFileSync(join(dir, 'a.csv.gz'), gzipSync(csv(1), { level: 9 }));
    writeFileSync(join(dir, 'b.csv.gz'), gzipSync(csv(1), { level: 1 }));
    writeFileSync(join(dir, 'c.csv.gz'), gzipSync(csv(2)));
    const info = (file: string): RecordingInfo => ({
      file,
      source: 'S',
      subject: 'S1',
      activity: 'x',
      description: 'x',
      label: 'fall',
      position: 'wrist',
      rateHz: 50,
      samples: 2,
    });
    const { kept, dropped } = dropDuplicateRecordings(dir, ['a.csv.gz', 'b.csv.gz', 'c.csv.gz'].map(info));
    expect(kept.map((r) => r.file)).toEqual(['a.csv.gz', 'c.csv.gz']);
    expect(dropped).toEqual([{ file: 'b.csv.gz', sameAs: 'a.csv.gz' }]);
  });
});

describe('diagnosisSubjects', () => {
  const split = { train: ['A', 'B'], validation: ['C'], test: ['D'] };
  afterEach(() => vi.restoreAllMocks());

  it('gives the subjects of train and validation, never the test subjects', () => {
    expect(diagnosisSubjects(split, 'train, validation').subjects).toEqual(new Set(['A', 'B', 'C']));
    expect(diagnosisSubjects(split, 'validation')).toEqual({
      parts: ['validation'],
      subjects: new Set(['C']),
    });
  });

  it('refuses test or an unknown part with the reason and exit code 2', () => {
    const printed: string[] = [];
    vi.spyOn(console, 'error').mockImplementation((m: string) => void printed.push(m));
    vi.spyOn(process, 'exit').mockImplementation((code) => {
      throw new Error(`exit ${code}`);
    });
    expect(() => diagnosisSubjects(split, 'train,test')).toThrow('exit 2');
    expect(() => diagnosisSubjects(split, 'trian')).toThrow('exit 2');
    expect(printed[0]).toContain('got test (the test subjects are read once');
    expect(printed[1]).toContain('got trian');
  });
});
