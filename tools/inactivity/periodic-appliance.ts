import type { BusReading, DeviceBinding } from '../../edge/src/scoring/inactivity/index.ts';
import { mulberry32 } from '../random.ts';

/**
 * The UCI homes have no periodic appliance among their sensors: their Electric sensors are a microwave and
 * a toaster (person-operated) and the fridge is a door contact. So the replay adds one synthetic fridge
 * compressor on a smart plug — about 12 min on every 40 min, jittered, day and night, during collapses too —
 * to check that cycling loads are not taken for a person.
 */
export const SYNTHETIC_FRIDGE: DeviceBinding = {
  id: 'synthetic_fridge_plug',
  role: 'fridge',
  room: 'Kitchen',
};

export interface TimedReading {
  tMs: number;
  device: DeviceBinding;
  input: BusReading;
}

export function* fridgeCycles(fromMs: number, toMs: number, seed: number): Generator<TimedReading> {
  const rnd = mulberry32(seed);
  let t = fromMs + Math.floor(rnd() * 40 * 60_000);
  while (t < toMs) {
    const onMin = 9 + rnd() * 6;
    const offMin = 22 + rnd() * 12;
    yield { tMs: t, device: SYNTHETIC_FRIDGE, input: { metric: 'power', reading: { tMs: t, watts: 110 } } };
    const tOff = Math.round(t + onMin * 60_000);
    if (tOff >= toMs) return;
    yield {
      tMs: tOff,
      device: SYNTHETIC_FRIDGE,
      input: { metric: 'power', reading: { tMs: tOff, watts: 2 } },
    };
    t = Math.round(tOff + offMin * 60_000);
  }
}
