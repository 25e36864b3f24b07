/** FER2013's seven labels, in the order the dataset folders and our model card use. */
export const EMOTIONS = ['angry', 'disgust', 'fear', 'happy', 'neutral', 'sad', 'surprise'] as const;
export type Emotion = (typeof EMOTIONS)[number];

/** face-api's expression net answers in its own order and words. */
export const FACE_API_ORDER: readonly Emotion[] = [
  'neutral',
  'happy',
  'sad',
  'angry',
  'fear',
  'disgust',
  'surprise',
];

/** Negative affect for the mood scorer: what social workers watch for. */
export const NEGATIVE: ReadonlySet<Emotion> = new Set<Emotion>(['angry', 'fear', 'sad']);

/**
 * Valence of each class on a −1…1 scale (after Russell's circumplex: happy positive, sad/fear/angry/disgust
 * negative, neutral and surprise near zero). The daily valence is the mean over faces of Σ p(class)·v(class).
 */
export const VALENCE: Record<Emotion, number> = {
  angry: -0.6,
  disgust: -0.6,
  fear: -0.7,
  happy: 0.9,
  neutral: 0,
  sad: -0.8,
  surprise: 0.2,
};

/** Probabilities in EMOTIONS order. */
export type Expression = Record<Emotion, number>;

export function toExpression(probs: ArrayLike<number>, order: readonly Emotion[] = EMOTIONS): Expression {
  const e = Object.fromEntries(EMOTIONS.map((k) => [k, 0])) as Expression;
  order.forEach((k, i) => {
    e[k] = probs[i] ?? 0;
  });
  return e;
}

export function topEmotion(e: Expression): Emotion {
  let best: Emotion = 'neutral';
  for (const k of EMOTIONS) if (e[k] > e[best]) best = k;
  return best;
}

export function valenceOf(e: Expression): number {
  return EMOTIONS.reduce((v, k) => v + e[k] * VALENCE[k], 0);
}
