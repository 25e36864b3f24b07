import { CameraReader, type CameraStatus, type Frame } from '../camera/index.ts';
import type { GatewayConfig } from '../config/gateway.config.ts';
import type { Logger } from '../log/logger.ts';

/** What reads a frame: the emotion analyser (faces and expressions), or nothing while it loads. */
export type FrameAnalyser = (room: string, frame: Frame) => Promise<number> | number;

/**
 * One reader per configured camera, each asking the privacy switch before every read. Readers start at
 * once; frames go to `analyse` and are then dropped. A camera whose switch is off is never opened.
 */
export function startCameraPipeline(o: {
  config: Pick<GatewayConfig, 'cameras' | 'camera'>;
  isEnabled: (room: string) => boolean;
  analyse: FrameAnalyser;
  now: () => number;
  log: Logger;
}) {
  const c = o.config.camera;
  const readers = o.config.cameras.map(
    (cam) =>
      new CameraReader({
        room: cam.room,
        url: cam.url,
        frameIntervalMs: c.frameIntervalMs,
        width: c.width,
        height: c.height,
        limits: { timeoutMs: c.timeoutMs, maxImageBytes: c.maxImageBytes, maxPixels: c.maxPixels },
        backoff: { minMs: c.backoffMinMs, maxMs: Math.max(c.backoffMinMs, c.backoffMaxMs) },
        isEnabled: () => c.emotion && o.isEnabled(cam.room),
        onFrame: (frame) => o.analyse(cam.room, frame),
        now: o.now,
        log: o.log,
      }),
  );
  for (const r of readers) r.start();
  return {
    status: (): CameraStatus[] => readers.map((r) => r.status()),
    /** The privacy switch changed: readers act on it now. */
    wake: () => {
      for (const r of readers) r.wake();
    },
    /** Whether any enabled camera delivered a frame within `ms` (the scorer only counts days with frames). */
    stop: async () => {
      await Promise.all(readers.map((r) => r.stop()));
    },
  };
}
