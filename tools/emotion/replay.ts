// npm run replay:emotion -- [--per-class 40] [--runs 10] [--faces-per-day 150] [--seed 5]
//
// Day-long sequences of real labelled faces (PublicTest crops of ../shared/datasets/faces: never trained on)
// through the real classifier and the real AffectScorer: 7 warm-up days and 30 stable days of a steady mix,
// then a shift towards sad/fear/angry. Prints false events per 30 stable days and the delay, in days, from
// the shift to the first event. Each face is classified once (the real crop → features → head path); days
// draw faces from that pool with replacement.
import { AffectScorer } from '../../edge/src/scoring/emotion/affect.scorer.ts';
import { createExpressionClassifier } from '../../edge/src/scoring/emotion/expression-classifier.ts';
import { EMOTIONS, type Emotion, type Expression } from '../../edge/src/scoring/emotion/expressions.ts';
import { loadFaceApi } from '../../edge/src/scoring/emotion/face-api.loader.ts';
import { parseToolArgs } from '../cli-args.ts';
import { rng, shuffle } from '../fall/recordings.ts';
import { FACES_DIR, listFaces, readCrop } from './dataset.ts';

const a = parseToolArgs(import.meta.url, {
  options: {
    data: { type: 'string', default: FACES_DIR },
    'per-class': { type: 'string', default: '40' },
    runs: { type: 'string', default: '10' },
    'faces-per-day': { type: 'string', default: '150' },
    'shift-days': { type: 'string', default: '10' },
    seed: { type: 'string', default: '5' },
    classifier: { type: 'string', default: 'shipped' },
  },
});
const STABLE: Record<Emotion, number> = {
  neutral: 0.4,
  happy: 0.25,
  surprise: 0.1,
  sad: 0.1,
  angry: 0.08,
  fear: 0.05,
  disgust: 0.02,
};
const SHIFTED: Record<Emotion, number> = {
  neutral: 0.25,
  happy: 0.08,
  surprise: 0.05,
  sad: 0.3,
  angry: 0.15,
  fear: 0.15,
  disgust: 0.02,
};

const rand = rng(Number(a.seed));
const rt = await loadFaceApi(['wasm', 'cpu']);
const classifier = await createExpressionClassifier(rt, a.classifier === 'shipped' ? 'shipped' : 'trained');
const pool = new Map<Emotion, Expression[]>();
for (const label of EMOTIONS) {
  const files = shuffle(
    listFaces(a.data).filter((f) => f.label === label && f.part === 'PublicTest'),
    rand,
  ).slice(0, Number(a['per-class']));
  const crops = files.map((f) => readCrop(f.path)).filter((c) => c !== undefined);
  const input = rt.tf.tidy(() =>
    rt.tf.stack(crops.map((c) => rt.tf.tensor3d(c.rgb, [c.height, c.width, 3], 'float32'))),
  );
  pool.set(label, await classifier.classify(input as never));
  input.dispose();
  process.stderr.write(`classified ${crops.length} ${label} faces\n`);
}

const draw = (mix: Record<Emotion, number>): Expression => {
  let r = rand();
  let label: Emotion = 'neutral';
  for (const e of EMOTIONS) {
    r -= mix[e];
    if (r <= 0) {
      label = e;
      break;
    }
  }
  const faces = pool.get(label)!;
  return faces[Math.floor(rand() * faces.length)]!;
};

const DAY = 86_400_000;
const perDay = Number(a['faces-per-day']);
function playDay(s: AffectScorer, d: number, mix: Record<Emotion, number>) {
  const name = `day-${d}`;
  let distress = 0;
  // Faces through the waking day (07:00-22:00), one frame each, in random order.
  for (let i = 0; i < perDay; i++) {
    const t = d * DAY + 7 * 3_600_000 + Math.floor((i / perDay) * 15 * 3_600_000);
    if (s.frame(name, t, [draw(mix)])) distress++;
  }
  const { event } = s.closeDay(d * DAY + DAY - 1);
  return { sustained: event ? 1 : 0, distress };
}

const runs = Number(a.runs);
let falseEvents = 0;
let stableDays = 0;
const delays: number[] = [];
let missed = 0;
for (let run = 0; run < runs; run++) {
  const s = new AffectScorer();
  for (let d = 0; d < 37; d++) {
    const r = playDay(s, d, STABLE);
    if (d >= 7) {
      stableDays++;
      falseEvents += r.sustained + r.distress;
    }
  }
  let delay: number | undefined;
  for (let k = 1; k <= Number(a['shift-days']) && delay === undefined; k++) {
    const r = playDay(s, 36 + k, SHIFTED);
    if (r.sustained + r.distress > 0) delay = k;
  }
  if (delay === undefined) missed++;
  else delays.push(delay);
}
delays.sort((x, y) => x - y);
const per30 = (falseEvents / stableDays) * 30;
console.log(
  `classifier ${classifier.kind} ${classifier.version}; pool ${a['per-class']} PublicTest faces per class; ${perDay} faces a day`,
);
console.log(
  `emotion-replay runs=${runs} stable_days=${stableDays} false_events=${falseEvents} per_30_days=${per30.toFixed(2)} shifts_detected=${delays.length}/${runs} missed=${missed} delay_days_median=${delays[Math.floor(delays.length / 2)] ?? 'none'} delay_days_max=${delays.at(-1) ?? 'none'}`,
);
