/** Payloads on the gateway's local broker, `home/<device>/<metric>` (JSON). Readings never leave the home. */
export interface AccelReading {
  /** Band clock of the first sample, ms. */
  tMs: number;
  intervalMs: number;
  /** [x, y, z] in g, one triple per sample. */
  samples: [number, number, number][];
}
export interface HeartRateReading {
  tMs: number;
  bpm: number;
  quality: number;
}
export interface BatteryReading {
  tMs: number;
  percent: number;
}
export interface ButtonReading {
  tMs: number;
  button: 'sos' | 'ok';
}
