import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { detectWristband, PortOpenError, type WristbandProbe } from '../../edge/src/cli/wristband-probe.ts';
import { startWristbandSim } from '../../tools/harness/devices/wristband.sim.ts';
import { startPtyPair } from '../../tools/harness/socat.ts';

const dir = mkdtempSync(join(tmpdir(), 'anju-detect-'));
const stops: (() => Promise<unknown>)[] = [];
const quiet = { rx: join(dir, 'quiet-rx'), tx: join(dir, 'quiet-tx') };
const band = { rx: join(dir, 'band-rx'), tx: join(dir, 'band-tx') };
const deaf = { rx: join(dir, 'deaf-rx'), tx: join(dir, 'deaf-tx') };
const shown: string[] = [];

beforeAll(async () => {
  for (const p of [quiet, band, deaf]) {
    const pty = await startPtyPair(p.rx, p.tx);
    stops.push(() => pty.stop());
  }
  const sim = await startWristbandSim(band.tx, { show: (l) => shown.push(l) });
  stops.unshift(() => sim.close());
  // A band whose firmware ignores the downlink: it streams, but never answers the "I'm OK" prompt.
  const deafSim = await startWristbandSim(deaf.tx, { answerDownlink: false, show: () => {} });
  stops.unshift(() => deafSim.close());
});
afterAll(async () => {
  for (const s of stops) await s();
});

describe('pair wristband without --port: trying the serial ports in turn (real socat ptys)', () => {
  it('skips a missing port and a silent one, and picks the one that sends valid frames', async () => {
    const tried: [string, string][] = [];
    const found = await detectWristband(
      [join(dir, 'ttyUSB9'), quiet.rx, band.rx],
      { baudRate: 115_200, frames: 5, timeoutMs: 1500 },
      (path, r) =>
        tried.push([path, r instanceof PortOpenError ? 'cannot open' : (r as WristbandProbe).verdict]),
    );
    expect(tried).toEqual([
      [join(dir, 'ttyUSB9'), 'cannot open'],
      [quiet.rx, 'silent'],
      [band.rx, 'ok'],
    ]);
    expect(found).toMatchObject({ path: band.rx, verdict: 'ok', accelHz: 50 });
  });

  it('finds nothing when no port sends frames', async () => {
    expect(
      await detectWristband([quiet.rx], { baudRate: 115_200, frames: 5, timeoutMs: 500 }),
    ).toBeUndefined();
  });
});

describe('pair wristband checks that the band answers the "I\'m OK" prompt (downlink 0x82, real socat ptys)', () => {
  it('sends a 2 s prompt once the frames came; the band shows it and acks it', async () => {
    const found = await detectWristband([band.rx], {
      baudRate: 115_200,
      frames: 5,
      timeoutMs: 1500,
      promptCheckMs: 3000,
    });
    expect(found).toMatchObject({ verdict: 'ok', prompt: { answered: true, status: 'done' } });
    expect(shown.some((l) => /VIBRATE \+ BEEP for up to 2 s/.test(l))).toBe(true);
  });

  it('a band that streams but does not answer is found, and judged no_answer', async () => {
    const found = await detectWristband([deaf.rx], {
      baudRate: 115_200,
      frames: 5,
      timeoutMs: 1500,
      promptCheckMs: 800,
    });
    expect(found).toMatchObject({ path: deaf.rx, verdict: 'no_answer', prompt: { answered: false } });
  });
});
