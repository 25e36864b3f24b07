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

beforeAll(async () => {
  for (const p of [quiet, band]) {
    const pty = await startPtyPair(p.rx, p.tx);
    stops.push(() => pty.stop());
  }
  const sim = await startWristbandSim(band.tx);
  stops.unshift(() => sim.close());
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
