import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Value } from '@sinclair/typebox/value';
import { describe, expect, it } from 'vitest';
import { silentLogger } from '../log/logger.ts';
import { BandWatch, magnitudeSpread } from './band-watch.ts';
import { DevicesWatch } from './devices-watch.ts';
import { FaultRegister } from './fault-register.ts';
import { SupervisionConfigSchema } from './supervision.config.ts';

const config = Value.Default(SupervisionConfigSchema, {}) as ReturnType<typeof defaults>;
function defaults() {
  return Value.Default(SupervisionConfigSchema, {}) as import('./supervision.config.ts').SupervisionConfig;
}
const S = 1000;
const H = 3600 * S;
const still: [number, number, number][] = Array.from({ length: 10 }, (_, i) => [0.004 * Math.sin(i), 0, 1]);
const moving: [number, number, number][] = Array.from({ length: 10 }, (_, i) => [
  0.3 * Math.sin(i),
  0,
  1 + 0.1 * i,
]);
const verdict = (
  w: { verdicts(n: number): { fault: string; device: string; atFault: boolean | undefined }[] },
  now: number,
  fault: string,
  device = 'band1',
) => w.verdicts(now).find((v) => v.fault === fault && v.device === device)?.atFault;

describe('band watch', () => {
  it('tells a band on a table from one on a wrist by the spread of |a| in a frame', () => {
    expect(magnitudeSpread(still)).toBeLessThan(config.band.wearMotionG);
    expect(magnitudeSpread(moving)).toBeGreaterThan(config.band.wearMotionG);
  });

  it('calls the receiver gone after receiverGoneAfterS down, well as soon as it is up', () => {
    const w = new BandWatch('band1', config.band, false, 0);
    w.receiver(true, 0);
    expect(verdict(w, 1 * S, 'receiver_gone')).toBe(false);
    w.receiver(false, 10 * S);
    expect(verdict(w, 10 * S + config.band.receiverGoneAfterS * S - 1, 'receiver_gone')).toBeUndefined();
    expect(verdict(w, 10 * S + config.band.receiverGoneAfterS * S, 'receiver_gone')).toBe(true);
    w.receiver(true, 100 * S);
    expect(verdict(w, 100 * S, 'receiver_gone')).toBe(false);
  });

  it('calls the band out of range after outOfRangeAfterS without a frame while the receiver is up, not while it is down', () => {
    const c = { ...config.band, outOfRangeAfterS: 60 };
    const w = new BandWatch('band1', c, false, 0);
    w.receiver(true, 0);
    w.accel(1 * S, moving);
    expect(verdict(w, 2 * S, 'band_out_of_range')).toBe(false);
    expect(verdict(w, 61 * S - 1, 'band_out_of_range')).toBe(false);
    expect(verdict(w, 61 * S, 'band_out_of_range')).toBe(true);
    w.receiver(false, 70 * S); // the receiver itself is gone: that is receiver_gone, no verdict here
    expect(verdict(w, 200 * S, 'band_out_of_range')).toBeUndefined();
    w.receiver(true, 200 * S); // back: the band gets outOfRangeAfterS again to be heard
    expect(verdict(w, 259 * S, 'band_out_of_range')).toBeUndefined();
    w.battery(230 * S, 80);
    expect(verdict(w, 231 * S, 'band_out_of_range')).toBe(false);
  });

  it('calls the band not worn after hours still while the home shows life, and not without that life', () => {
    const w = new BandWatch('band1', config.band, true, 0);
    w.receiver(true, 0);
    w.accel(0, moving);
    const after = config.band.notWornAfterS * S;
    for (let t = S; t <= after + 10 * S; t += 60 * S) w.accel(t, still);
    expect(verdict(w, after + 10 * S, 'band_not_worn')).toBeUndefined(); // nobody seen moving: maybe asleep
    w.life(2 * H);
    expect(verdict(w, after + 10 * S, 'band_not_worn')).toBe(true);
    expect(w.health(after + 10 * S)).toMatchObject({ receiver: 'up', inRange: true, worn: false });
    w.accel(after + 20 * S, moving);
    expect(verdict(w, after + 21 * S, 'band_not_worn')).toBe(false);
    expect(w.health(after + 21 * S).worn).toBe(true);
  });

  it('says nothing about wear when no frames arrive (that is out of range)', () => {
    const w = new BandWatch('band1', { ...config.band, notWornAfterS: 100, outOfRangeAfterS: 60 }, false, 0);
    w.receiver(true, 0);
    expect(verdict(w, 500 * S, 'band_not_worn')).toBeUndefined();
    expect(verdict(w, 500 * S, 'band_out_of_range')).toBe(true);
  });

  it('raises band battery low at batteryLowPct and clears only at batteryClearPct', () => {
    const w = new BandWatch('band1', config.band, false, 0);
    w.battery(0, 16);
    expect(verdict(w, S, 'band_battery_low')).toBeUndefined();
    w.battery(0, 15);
    expect(verdict(w, S, 'band_battery_low')).toBe(true);
    w.battery(0, 20);
    expect(verdict(w, S, 'band_battery_low')).toBeUndefined();
    w.battery(0, 25);
    expect(verdict(w, S, 'band_battery_low')).toBe(false);
  });
});

describe('devices watch', () => {
  it('calls a sensor offline after offlineAfterS of z2m offline, online again on online or any reading', () => {
    const w = new DevicesWatch(['pir'], [], config, 0);
    expect(verdict(w, 10 * H, 'sensor_offline', 'pir')).toBeUndefined();
    w.availability('pir', false, 0);
    expect(verdict(w, config.sensors.offlineAfterS * S - 1, 'sensor_offline', 'pir')).toBeUndefined();
    expect(verdict(w, config.sensors.offlineAfterS * S, 'sensor_offline', 'pir')).toBe(true);
    w.reading('pir', 100 * S);
    expect(verdict(w, 100 * S, 'sensor_offline', 'pir')).toBe(false);
    w.availability('pir', false, 200 * S);
    w.availability('pir', true, 201 * S);
    expect(verdict(w, 1000 * S, 'sensor_offline', 'pir')).toBe(false);
  });

  it('calls a sensor battery low from its battery field, with hysteresis', () => {
    const w = new DevicesWatch(['pir'], [], config, 0);
    w.battery('pir', 5, 0);
    expect(verdict(w, 0, 'sensor_battery_low', 'pir')).toBe(true);
    w.battery('pir', 15, 0);
    expect(verdict(w, 0, 'sensor_battery_low', 'pir')).toBeUndefined();
    w.battery('pir', 100, 0);
    expect(verdict(w, 0, 'sensor_battery_low', 'pir')).toBe(false);
  });

  it('calls a meter silent after silentAfterS without a reading, counted from the start for one never heard', () => {
    const w = new DevicesWatch([], ['m1', 'm2'], config, 0);
    const after = config.meters.silentAfterS * S;
    w.reading('m1', 10 * S);
    expect(verdict(w, after - 1, 'meter_silent', 'm2')).toBeUndefined();
    expect(verdict(w, after, 'meter_silent', 'm2')).toBe(true);
    expect(verdict(w, after, 'meter_silent', 'm1')).toBe(false);
    expect(verdict(w, after + 10 * S, 'meter_silent', 'm1')).toBe(true);
    w.reading('m1', after + 20 * S);
    expect(verdict(w, after + 20 * S, 'meter_silent', 'm1')).toBe(false);
  });
});

describe('fault register', () => {
  it('raises once and clears once, and after a restart neither repeats nor forgets', async () => {
    const path = join(mkdtempSync(join(tmpdir(), 'sup-')), 'state', 'supervision.json');
    const sent: string[] = [];
    const send = async (f: { fault: string; device: string; state: string }) => {
      sent.push(`${f.fault}/${f.device}/${f.state}`);
    };
    const r1 = new FaultRegister(path, send, silentLogger);
    await r1.update('receiver_gone', 'band1', undefined, 0);
    await r1.update('receiver_gone', 'band1', true, 1);
    await r1.update('receiver_gone', 'band1', true, 2);
    await r1.update('meter_silent', 'm1', false, 2);
    expect(sent).toEqual(['receiver_gone/band1/raised']);
    const r2 = new FaultRegister(path, send, silentLogger); // the agent restarted
    await r2.update('receiver_gone', 'band1', true, 3);
    await r2.update('receiver_gone', 'band1', undefined, 4);
    expect(sent).toEqual(['receiver_gone/band1/raised']);
    await r2.update('receiver_gone', 'band1', false, 5);
    await r2.update('receiver_gone', 'band1', false, 6);
    expect(sent).toEqual(['receiver_gone/band1/raised', 'receiver_gone/band1/cleared']);
    expect(new FaultRegister(path, send, silentLogger).list()).toEqual([]);
  });

  it('tries again, 30 s later, when the outbox did not take the event', async () => {
    const path = join(mkdtempSync(join(tmpdir(), 'sup-')), 'supervision.json');
    let fail = true;
    const sent: string[] = [];
    const r = new FaultRegister(
      path,
      async (f) => {
        if (fail) throw new Error('disk full');
        sent.push(f.state);
      },
      silentLogger,
    );
    await r.update('sensor_offline', 'pir', true, 0);
    expect(r.list()).toEqual([]);
    fail = false;
    await r.update('sensor_offline', 'pir', true, 1000); // not at every check: a full disk is not hammered
    expect(sent).toEqual([]);
    await r.update('sensor_offline', 'pir', true, 30_000);
    expect(sent).toEqual(['raised']);
    expect(r.list()).toHaveLength(1);
  });

  it('starts fresh from a corrupt state file', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sup-'));
    const path = join(dir, 'supervision.json');
    const { writeFileSync } = await import('node:fs');
    writeFileSync(path, '{"open": [{"fault": "nonsense", "device": "x", "raisedAtMs": 1}');
    expect(new FaultRegister(path, async () => {}, silentLogger).list()).toEqual([]);
    writeFileSync(
      path,
      '{"open": [{"fault": "nonsense", "device": "x", "raisedAtMs": 1}, {"fault": "meter_silent", "device": "m1", "raisedAtMs": 2}]}',
    );
    expect(new FaultRegister(path, async () => {}, silentLogger).list()).toEqual([
      { fault: 'meter_silent', device: 'm1', raisedAtMs: 2 },
    ]);
  });
});
