import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { Frame } from '../camera/frame.ts';
import { StillSceneGate, type StillSceneOptions, thumbnail } from '../camera/still-scene.ts';
import type { Logger } from '../log/logger.ts';
import type { RaiseRequest } from '../outbox/raise-event.ts';
import { AFFECT_MODEL, AffectScorer, type DailyAffect } from '../scoring/emotion/affect.scorer.ts';
import { createExpressionClassifier, EMOTION_MODEL_DIR } from '../scoring/emotion/expression-classifier.ts';
import { createFaceAnalyser } from '../scoring/emotion/face-analyser.ts';
import { loadFaceApi } from '../scoring/emotion/face-api.loader.ts';

/** Local date of an instant (the home's time zone), as DailySummary names days. */
function localDay(ms: number): string {
  const d = new Date(ms);
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}`;
}

/**
 * Frames → faces → expressions → the resident's daily affect, on the gateway only. The face models load in
 * the background (a frame that comes before is counted with no faces); the trained head is used when it
 * loads, else face-api's own layer. Events go through `raise`; the day's summary is taken at midnight by
 * `closeDay` and its valence joins the ResidentDaily (`affect`).
 */
export function startEmotionPipeline(o: {
  now: () => number;
  log: Logger;
  raise: (r: RaiseRequest) => void;
  /** Frames of an empty, unchanged room skip the detector (camera/still-scene.ts). */
  stillScene?: StillSceneOptions;
}) {
  const scorer = new AffectScorer();
  const gates = new Map<string, StillSceneGate>();
  let framesSkipped = 0;
  let analyser: ReturnType<typeof createFaceAnalyser> | undefined;
  let version = 'loading';
  const ready = (async () => {
    const rt = await loadFaceApi(undefined, (m) => o.log.info(m));
    // A trained head (models/emotion) when one is there, else face-api's own expression layer.
    const classifier = existsSync(join(EMOTION_MODEL_DIR, 'manifest.json'))
      ? await createExpressionClassifier(rt, 'trained').catch(async (err: unknown) => {
          o.log.warn(
            { err: (err as Error).message },
            'trained emotion head not loaded: using face-api as shipped',
          );
          return createExpressionClassifier(rt, 'shipped');
        })
      : await createExpressionClassifier(rt, 'shipped');
    version = `${classifier.kind}-${classifier.version}`;
    analyser = createFaceAnalyser(rt, classifier);
    o.log.info({ classifier: version, backend: rt.backend }, 'emotion analyser ready');
  })().catch((err: unknown) => {
    o.log.error(
      { err: (err as Error).message },
      'emotion analyser failed to load: frames are counted, not read',
    );
  });

  /** The room's camera still shows the empty scene it showed last: no face, as then (counted as such). */
  async function analyseUnlessStill(a: NonNullable<typeof analyser>, room: string, frame: Frame) {
    let gate = gates.get(room);
    if (!gate) {
      gate = new StillSceneGate(o.stillScene);
      gates.set(room, gate);
    }
    const thumb = thumbnail(frame);
    if (!gate.shouldAnalyse(frame, thumb)) {
      framesSkipped++;
      return [];
    }
    const faces = await a.analyse(frame);
    gate.analysed(frame, thumb, faces.length);
    return faces;
  }

  return {
    ready,
    /** Frames not analysed because their room was empty and unchanged. */
    framesSkipped: () => framesSkipped,
    /** One frame of an enabled camera: answers the number of faces found. The frame is not kept. */
    async analyse(room: string, frame: Frame): Promise<number> {
      const faces = analyser ? await analyseUnlessStill(analyser, room, frame) : [];
      const event = scorer.frame(
        localDay(frame.atMs),
        frame.atMs,
        faces.map((f) => f.expression),
      );
      if (event)
        o.raise({
          kind: 'emotion',
          severity: event.severity,
          occurredAtMs: event.occurredAtMs,
          evidence: { ...event.evidence, classifier: version },
          score: { value: event.score, model: AFFECT_MODEL },
        });
      return faces.length;
    },
    /** Local midnight: the day's affect, and a sustained-change event if the days say so. */
    closeDay(): DailyAffect {
      const { summary, event } = scorer.closeDay(o.now());
      o.log.info({ affect: summary }, 'daily affect');
      if (event)
        o.raise({
          kind: 'emotion',
          severity: event.severity,
          occurredAtMs: event.occurredAtMs,
          evidence: { ...event.evidence, classifier: version },
          score: { value: event.score, model: AFFECT_MODEL },
        });
      return summary;
    },
  };
}
