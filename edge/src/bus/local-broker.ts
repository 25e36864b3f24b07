import { once } from 'node:events';
import { type AddressInfo, createServer, type Server } from 'node:net';
import { Aedes } from 'aedes';
import type { Logger } from '../log/logger.ts';

/** `payload` is the parsed JSON (undefined when not JSON); `raw` the bytes as sent (e.g. z2m's legacy strings). */
export type BusHandler = (topic: string, payload: unknown, raw: Buffer | string) => void;

/**
 * The gateway's own MQTT broker (aedes). Drivers publish readings here as `home/<device>/<metric>`;
 * scorers and Node-RED subscribe. In-process parts use the broker directly (no socket hop); other
 * programs in the home (Node-RED, zigbee2mqtt) connect over TCP, on loopback unless configured otherwise.
 */
export class LocalBus {
  private constructor(
    private readonly broker: Aedes,
    private readonly server: Server,
    private readonly log: Logger,
  ) {}

  static async start(opts: { host: string; port: number; log: Logger }): Promise<LocalBus> {
    const broker = await Aedes.createBroker();
    const server = createServer(broker.handle);
    server.listen(opts.port, opts.host);
    await once(server, 'listening');
    const bus = new LocalBus(broker, server, opts.log);
    opts.log.info({ host: opts.host, port: bus.port }, 'local broker listening');
    return bus;
  }

  get port(): number {
    return (this.server.address() as AddressInfo).port;
  }

  /** `retain`: the broker keeps the last message for clients that subscribe later (e.g. agent status). */
  publish(topic: string, payload: unknown, opts: { retain?: boolean } = {}): void {
    this.broker.publish(
      {
        cmd: 'publish',
        topic,
        payload: Buffer.from(JSON.stringify(payload)),
        qos: 0,
        retain: opts.retain === true,
        dup: false,
      },
      (err) => {
        if (err) this.log.warn({ err, topic }, 'local publish failed');
      },
    );
  }

  /** Subscribes in-process; a throwing handler is logged and isolated. Returns the unsubscribe function. */
  subscribe(pattern: string, handler: BusHandler): () => void {
    const deliver = (packet: { topic: string; payload: Buffer | string }, cb: () => void) => {
      let payload: unknown;
      try {
        payload = JSON.parse(packet.payload.toString());
      } catch {
        payload = undefined; // not JSON: the handler's shape check rejects and counts it
      }
      try {
        handler(packet.topic, payload, packet.payload);
      } catch (err) {
        this.log.error({ err, topic: packet.topic }, 'bus handler failed');
      }
      cb();
    };
    this.broker.subscribe(pattern, deliver, () => {});
    return () => this.broker.unsubscribe(pattern, deliver, () => {});
  }

  async close(): Promise<void> {
    await new Promise<void>((resolve) => this.broker.close(() => resolve()));
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}
