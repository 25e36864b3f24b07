// On-disk cache of each recording's training windows (features, labels, peak times), so that design runs and
// leave-one-source-out runs do not recompute the same features: loading, resampling, conditioning and feature
// extraction take ~1 min of a training run on a quiet 2-core machine, several under load. The key holds every
// parameter that shapes a window AND the source text of the code that computes them, so an edit to the features,
// the trigger, the conditioning or the resampling never reads a stale entry.
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { RecordingInfo } from '../../edge/src/datasets/falls.ts';
import type { FeatureLayout } from '../../edge/src/scoring/fall-model/features.ts';
import type { TriggerParams } from '../../edge/src/scoring/fall-model/impact-trigger.ts';
import type { InputConditioning } from '../../edge/src/scoring/fall-model/input-conditioner.ts';

const ROOT = join(import.meta.dirname, '../..');
const CODE = [
  'edge/src/datasets/falls.ts',
  'edge/src/scoring/fall-model/features.ts',
  'edge/src/scoring/fall-model/impact-trigger.ts',
  'edge/src/scoring/fall-model/input-clip.ts',
  'edge/src/scoring/fall-model/input-conditioner.ts',
  'tools/fall/recordings.ts',
  'tools/fall/windows.ts',
];

export interface CachedRecording {
  impactMs: number | undefined;
  labels: (1 | 0 | -1)[];
  peakTMs: number[];
  features: Float32Array[];
}

export class WindowCache {
  private readonly key: string;

  constructor(
    private readonly dir: string,
    params: {
      trigger: TriggerParams;
      layout: FeatureLayout;
      positionInput: boolean;
      hardNegatives: boolean;
      conditioning: InputConditioning;
    },
  ) {
    const h = createHash('sha256').update(JSON.stringify(params));
    for (const f of CODE) h.update(readFileSync(join(ROOT, f)));
    this.key = h.digest('hex').slice(0, 16);
    mkdirSync(join(dir, this.key), { recursive: true });
  }

  private file(info: RecordingInfo): string {
    const id = createHash('sha256')
      .update(`${info.file}|${info.rateHz}|${info.samples}|${info.label}`)
      .digest('hex')
      .slice(0, 24);
    return join(this.dir, this.key, `${id}.json`);
  }

  read(info: RecordingInfo): CachedRecording | undefined {
    const f = this.file(info);
    if (!existsSync(f)) return undefined;
    const v = JSON.parse(readFileSync(f, 'utf8')) as Omit<CachedRecording, 'features'> & {
      features: string[];
    };
    return {
      ...v,
      features: v.features.map((b) => {
        const buf = Buffer.from(b, 'base64');
        return new Float32Array(buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.byteLength));
      }),
    };
  }

  write(info: RecordingInfo, rec: CachedRecording): void {
    const f = this.file(info);
    const body = JSON.stringify({
      impactMs: rec.impactMs,
      labels: rec.labels,
      peakTMs: rec.peakTMs,
      features: rec.features.map((x) => Buffer.from(x.buffer, x.byteOffset, x.byteLength).toString('base64')),
    });
    // Written aside and renamed: a parallel run never reads half a file.
    const tmp = `${f}.${process.pid}.tmp`;
    writeFileSync(tmp, body);
    renameSync(tmp, f);
  }
}
