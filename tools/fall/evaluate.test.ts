import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, describe, expect, it } from 'vitest';
import type { RecordingInfo } from '../../edge/src/datasets/falls.ts';
import type { AccelSample, Detection, Scorer } from '../../edge/src/scoring/scorer.ts';
import { evalLine, evaluateRecording, summarise } from './evaluate.ts';

const dir = mkdtempSync(join(tmpdir(), 'fall-eval-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A 10 s recording at `rateHz` with a 4 g spike at 5 s. */
function writeRecording(file: string, rateHz: number): RecordingInfo {
  const rows = ['t_ms,ax,ay,az'];
  for (let t = 0; t < 10_000; t += 1000 / rateHz)
    rows.push(`${Math.round(t)},0,0,${Math.round(t) === 5000 ? 4 : 1}`);
  writeFileSync(join(dir, file), gzipSync(rows.join('\n')));
  return {
    file,
    source: 'test',
    subject: 'T01',
    activity: 'x',
    description: 'x',
    label: 'fall',
    position: 'wrist',
    rateHz,
    samples: rows.length - 1,
  };
}

/** Decides "fall" `delayMs` after any sample above 3 g. */
function spikeScorer(delayMs: number): Scorer & { seen: AccelSample[] } {
  let spikeAt: number | undefined;
  const seen: AccelSample[] = [];
  return {
    id: 'spike',
    model: { name: 'spike', version: '1' },
    seen,
    push(s): Detection | undefined {
      seen.push(s);
      if (s.z > 3) spikeAt = s.tMs;
      if (spikeAt !== undefined && s.tMs >= spikeAt + delayMs) {
        const at = spikeAt;
        spikeAt = undefined;
        return {
          kind: 'fall',
          severity: 'critical',
          occurredAtMs: at,
          decidedAtMs: s.tMs,
          score: { value: 1, model: { name: 'spike', version: '1' } },
          evidence: {},
        };
      }
      return undefined;
    },
    reset() {
      spikeAt = undefined;
    },
  };
}

describe('fall evaluation replay', () => {
  it('counts a fall alarmed within 5 s of the impact, with the latency before the confirm window', () => {
    const r = evaluateRecording(dir, writeRecording('a.csv.gz', 50), spikeScorer(2000));
    expect(r.correct).toBe(true);
    expect(r.latencyMs).toBe(2000);
    expect(r.alarms[0]!.raisedAtMs - r.alarms[0]!.decidedAtMs).toBe(30_000);
  });

  it('misses a fall alarmed later than 5 s after the impact', () => {
    const r = evaluateRecording(dir, writeRecording('b.csv.gz', 50), spikeScorer(5000 + 20));
    expect(r.correct).toBe(false);
  });

  it('feeds the scorer 50 Hz samples when the folder is at another rate', () => {
    const scorer = spikeScorer(1000);
    evaluateRecording(dir, writeRecording('c.csv.gz', 20), scorer);
    expect(scorer.seen[1]!.tMs - scorer.seen[0]!.tMs).toBe(20);
  });

  it('summarises in the fall-eval line', () => {
    const r = evaluateRecording(dir, writeRecording('d.csv.gz', 50), spikeScorer(2000));
    const adl = { ...r, info: { ...r.info, label: 'adl' as const }, correct: false, latencyMs: undefined };
    const line = evalLine(summarise([r, adl]));
    expect(line).toMatch(
      /^fall-eval recordings=2 falls=1 sensitivity=1\.000 specificity=0\.000 false_alarms_per_adl_hour=\d+\.\d\d median_latency_ms=2000$/,
    );
  });
});
