import { once } from 'node:events';
import { type AddressInfo, createConnection, createServer, type Socket } from 'node:net';

/**
 * A small TCP proxy for fault tests: it forwards both ways until told to `blackholeDownstream()`, after
 * which whatever the server sends (PUBACKs, say) is swallowed while the client's bytes still go through;
 * `cut()` makes the server unreachable (open connections dropped, new ones refused) until `restore()`.
 * `rttMs` delays every chunk by half of it each way, in order: a home's broadband between gateway and cloud.
 */
export async function startTcpProxy(target: { host: string; port: number }, o: { rttMs?: number } = {}) {
  const oneWayMs = (o.rttMs ?? 0) / 2;
  const relay = (to: Socket, d: Buffer) => {
    if (oneWayMs <= 0) to.write(d);
    // Timers of equal delay fire in the order they were set, so the byte stream keeps its order.
    else setTimeout(() => to.destroyed || to.write(d), oneWayMs);
  };
  let blackhole = false;
  let down = false;
  const sockets = new Set<Socket>();
  const server = createServer((client) => {
    if (down) {
      client.destroy();
      return;
    }
    const upstream = createConnection(target);
    sockets.add(client).add(upstream);
    client.on('data', (d) => relay(upstream, d));
    upstream.on('data', (d) => {
      if (!blackhole) relay(client, d);
    });
    const end = () => {
      client.destroy();
      upstream.destroy();
      sockets.delete(client);
      sockets.delete(upstream);
    };
    // With a delay, the bytes already on their way must arrive before the close does.
    const endLater = () => (oneWayMs > 0 ? setTimeout(end, oneWayMs + 1) : end());
    client.on('close', endLater).on('error', endLater);
    upstream.on('close', endLater).on('error', endLater);
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return {
    port: (server.address() as AddressInfo).port,
    blackholeDownstream() {
      blackhole = true;
    },
    cut() {
      down = true;
      for (const s of sockets) s.destroy();
      sockets.clear();
    },
    restore() {
      down = false;
    },
    async close() {
      for (const s of sockets) s.destroy();
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
}
