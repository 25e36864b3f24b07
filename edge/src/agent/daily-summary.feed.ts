import { TypeCompiler } from '@sinclair/typebox/compiler';
import type { LocalBus } from '../bus/local-broker.ts';
import {
  HeartRateReading,
  isAccelReading,
  isButtonReading,
  MeterReading,
  StepsReading,
} from '../bus/readings.ts';
import type { Clock } from '../clock.ts';
import type { DailySummary } from './daily-summary.ts';

const isHeartRate = TypeCompiler.Compile(HeartRateReading);
const isMeter = TypeCompiler.Compile(MeterReading);
const isSteps = TypeCompiler.Compile(StepsReading);

/** The band moved (not just gravity) in this frame: its wearer is awake and about. */
const MOVING_G = 0.15;

/** Subscribes the daily summary to the readings it folds; returns the unsubscribe functions. */
export function feedDailySummary(bus: LocalBus, daily: DailySummary, clock: Clock): (() => void)[] {
  return [
    bus.subscribe('home/+/heart_rate', (_t, p) => {
      if (isHeartRate.Check(p) && p.quality >= 50) daily.heartRate(p.bpm);
    }),
    bus.subscribe('home/+/steps', (_t, p) => {
      if (!isSteps.Check(p)) return;
      daily.addSteps(p.steps);
      if (p.steps > 0) daily.activity(clock.now());
    }),
    bus.subscribe('home/+/meter', (topic, p) => {
      if (isMeter.Check(p)) daily.meter(`${topic.split('/')[1]}:${p.quantity}`, p.total);
    }),
    bus.subscribe('home/+/accel', (_t, p) => {
      if (
        isAccelReading.Check(p) &&
        p.samples.some(([x, y, z]) => Math.abs(Math.hypot(x, y, z) - 1) > MOVING_G)
      ) {
        daily.activity(clock.now());
      }
    }),
    bus.subscribe('home/+/button', (_t, p) => {
      if (isButtonReading.Check(p)) daily.activity(clock.now());
    }),
  ];
}
