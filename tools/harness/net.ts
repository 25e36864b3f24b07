import { execFileSync } from 'node:child_process';
import { once } from 'node:events';
import { type AddressInfo, createServer, type Socket } from 'node:net';
import { createServer as createTlsServer } from 'node:tls';
import { Aedes, type AedesOptions, type AedesPublishPacket } from 'aedes';

/**
 * A throwaway aedes broker on loopback that records what it receives (a real MQTT server, no Docker).
 * `hooks` are aedes options (e.g. an `authorizePublish` that holds or withholds PUBACKs).
 */
export async function startRecordingBroker(
  port = 0,
  tlsOptions?: { key: Buffer; cert: Buffer },
  hooks: AedesOptions = {},
) {
  const broker = await Aedes.createBroker(hooks);
  const received: AedesPublishPacket[] = [];
  broker.on('publish', (packet, client) => {
    if (client) received.push(packet);
  });
  const server = tlsOptions ? createTlsServer(tlsOptions, broker.handle) : createServer(broker.handle);
  const sockets = new Set<Socket>();
  server.on('connection', (s: Socket) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  server.listen(port, '127.0.0.1');
  await once(server, 'listening');
  let closing: Promise<void> | undefined;
  return {
    broker,
    received,
    port: (server.address() as AddressInfo).port,
    /**
     * Stops accepting first, then closes the broker and destroys what is left: a client reconnecting every
     * 50 ms (the forwarder tests) can otherwise slip a socket in after the broker closed, and server.close
     * then waits for it for ever. Idempotent: tests close it themselves and again in their cleanup.
     */
    close() {
      closing ??= (async () => {
        const stopped = new Promise<void>((r) => server.close(() => r()));
        await new Promise<void>((r) => broker.close(() => r()));
        for (const s of sockets) s.destroy();
        await stopped;
      })();
      return closing;
    },
  };
}

/** A free TCP port on loopback (closed again before it is returned). */
export async function freePort(): Promise<number> {
  const s = createServer();
  s.listen(0, '127.0.0.1');
  await once(s, 'listening');
  const { port } = s.address() as AddressInfo;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

/** Polls `probe` until it returns something truthy, and resolves with that (falsy members stripped from T). */
export async function waitFor<T>(
  probe: () => T | Promise<T>,
  timeoutMs = 10_000,
  what = 'condition',
): Promise<Exclude<T, false | undefined | null | 0 | ''>> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const v = await probe();
    if (v) return v as Exclude<T, false | undefined | null | 0 | ''>;
    if (Date.now() > until) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** A self-signed certificate for 127.0.0.1/localhost, made with openssl, for TLS tests. */
export function selfSignedCert(dir: string): { key: string; cert: string } {
  const key = `${dir}/key.pem`;
  const cert = `${dir}/cert.pem`;
  execFileSync(
    'openssl',
    [
      'req',
      '-x509',
      '-newkey',
      'rsa:2048',
      '-nodes',
      '-days',
      '1',
      '-subj',
      '/CN=localhost',
      '-addext',
      'subjectAltName=DNS:localhost,IP:127.0.0.1',
      '-keyout',
      key,
      '-out',
      cert,
    ],
    { stdio: 'ignore' },
  );
  return { key, cert };
}
