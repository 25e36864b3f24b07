import { readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer, Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Aedes } from 'aedes';
import { afterAll, describe, expect, it } from 'vitest';
import { type Gateway, startGateway } from '../../edge/src/agent/gateway.ts';
import { validateGatewayConfig } from '../../edge/src/config/load-config.ts';
import { silentLogger } from '../../edge/src/log/logger.ts';
import { freePort, waitFor } from '../../tools/harness/net.ts';
import { DEMO_PHOTOS_DIR, startSnapshotServer } from './camera-servers.ts';

/**
 * The privacy promise on the wire: a gateway reads a camera that shows real faces, and every byte it sends
 * towards the cloud (its MQTT connection, through a recording TCP relay to a real broker) is checked for
 * image data (JPEG/PNG markers, long binary or base64 runs), face crops and embeddings (long number arrays).
 */
describe('camera session: nothing but numbers leaves the home', () => {
  const closers: (() => Promise<unknown> | unknown)[] = [];
  afterAll(async () => {
    for (const c of closers.reverse()) await c();
  });

  it('sends no image, crop or embedding while the camera is read and faces are found', async () => {
    const broker = await Aedes.createBroker();
    const brokerServer = createServer(broker.handle);
    const brokerPort = await freePort();
    await new Promise<void>((r) => brokerServer.listen(brokerPort, '127.0.0.1', r));
    closers.push(
      () => new Promise((r) => broker.close(() => r(undefined))),
      () => brokerServer.close(),
    );
    // The relay records every byte the gateway sends (gateway → cloud direction).
    const sent: Buffer[] = [];
    const sockets: Socket[] = [];
    const relay = createServer((from) => {
      const to = new Socket();
      sockets.push(from, to);
      to.connect(brokerPort, '127.0.0.1');
      from.on('data', (b: Buffer) => {
        sent.push(Buffer.from(b));
        to.write(b);
      });
      to.on('data', (b: Buffer) => from.write(b));
      from.on('error', () => to.destroy());
      to.on('error', () => from.destroy());
      from.on('close', () => to.destroy());
    });
    const relayPort = await freePort();
    await new Promise<void>((r) => relay.listen(relayPort, '127.0.0.1', r));
    closers.push(() => {
      for (const s of sockets) s.destroy();
      relay.close();
    });

    const photo = readFileSync(join(DEMO_PHOTOS_DIR, 'sample6.jpg'));
    const cam = await startSnapshotServer((_req, res) =>
      res.writeHead(200, { 'content-type': 'image/jpeg' }).end(photo),
    );
    closers.push(() => cam.close());

    const dataDir = await mkdtemp(join(tmpdir(), 'anju-wire-'));
    closers.push(() => rm(dataDir, { recursive: true, force: true }));
    const config = validateGatewayConfig({
      gatewayId: 'gw-wire',
      residentId: 'res-wire',
      dataDir,
      localBroker: { port: 0 },
      cloud: { url: `mqtt://127.0.0.1:${relayPort}`, secret: 'secret-123', heartbeatIntervalS: 5 },
      nodeRed: { enabled: false },
      cameras: [{ room: 'living', url: `${cam.url}/snapshot.jpg`, enabled: true }],
      camera: { frameIntervalMs: 500 },
    });
    const gw: Gateway = await startGateway(config, silentLogger);
    closers.push(() => gw.stop());
    await waitFor(() => gw.forwarder.stats.connected, 30_000, 'gateway connected');
    // A few frames with faces found (face models load in the background first).
    let faces = 0;
    const off = gw.bus.subscribe('home/agent/status', (_t, payload) => {
      const s = payload as { cameras?: { faces?: number }[] } | undefined;
      faces = s?.cameras?.[0]?.faces ?? faces;
    });
    closers.push(off);
    await waitFor(() => faces >= 3, 150_000, 'faces found');
    // A heartbeat (what the cloud hears about the cameras) crosses the wire after the faces were found.
    const bytesAtFaces = Buffer.concat(sent).length;
    await waitFor(
      () => Buffer.concat(sent).subarray(bytesAtFaces).includes('gw/gw-wire/health'),
      30_000,
      'a heartbeat on the wire after the faces',
    );
    const wire = Buffer.concat(sent);
    expect(wire.length).toBeGreaterThan(100); // it did talk to the cloud
    expect(cam.requests()).toBeGreaterThanOrEqual(3);
    // No JPEG (SOI FF D8 FF) or PNG signature anywhere in the stream.
    expect(wire.indexOf(Buffer.from([0xff, 0xd8, 0xff]))).toBe(-1);
    expect(wire.indexOf(Buffer.from([0x89, 0x50, 0x4e, 0x47]))).toBe(-1);
    const text = wire.toString('latin1');
    // No base64 run long enough to hold a crop (a 48×48 gray crop is > 2 KB as base64).
    expect(text.match(/[A-Za-z0-9+/=]{200,}/g) ?? []).toEqual([]);
    // No embedding or pixel row: no JSON array of 32 or more numbers.
    expect(text.match(/\[(\s*-?\d+(\.\d+)?(e-?\d+)?\s*,){31,}/g) ?? []).toEqual([]);
    // Far less than even one frame's bytes crossed, and the frames read were much bigger.
    expect(wire.length).toBeLessThan(photo.length / 4);
  });
});
