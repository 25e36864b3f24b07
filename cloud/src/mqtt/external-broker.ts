import { readFileSync } from 'node:fs';
import mqtt, { type IClientOptions, type IPublishPacket, type MqttClient } from 'mqtt';
import { type Command, cloudSubscriptions, parseGatewayTopic, topics } from '../../../contracts/src/index.ts';
import type { IngestService } from '../ingest/index.ts';
import type { Logger } from '../log/logger.ts';
import type { CloudMetrics } from '../metrics/index.ts';
import type { CloudBroker } from './cloud-broker.ts';
import { consumerUserName } from './consumer-users.ts';
import { ingestGatewayMessage } from './gateway-message.ts';
import { GatewayRateLimiter, type GatewayRateLimitOptions, isUrgentPayload } from './gateway-rate-limit.ts';

export interface ExternalBrokerOptions {
  url: string;
  /** The cloud's broker password; every consumer session logs in with it as its own user. */
  password: string;
  /** Fixed per process and across its restarts; sessions are `<clientId>-<n>`, each its own broker user. */
  clientId: string;
  sharedGroup: string;
  /** Connections (broker sessions) this process consumes on. */
  consumers: number;
  caFile?: string | undefined;
  /** Per-gateway token bucket (the cloud's `limits:`); default as on the embedded broker. */
  rateLimit?: GatewayRateLimitOptions | undefined;
}

/** MQTT 5 "never expires": a dead process's unacknowledged share waits for it (see below). */
const SESSION_NEVER_EXPIRES = 0xffff_ffff;
/** Messages the broker may have in flight to one session; it holds the rest in its queue. */
const RECEIVE_MAXIMUM = 20;
const START_TIMEOUT_MS = 30_000;
/** On close: how long the sessions must be quiet after leaving the group, and the most close() waits. */
const LEAVE_QUIET_MS = 300;
const LEAVE_DRAIN_MAX_MS = 5_000;

/**
 * The cloud as a CONSUMER of an external broker (Mosquitto, per-gateway auth and ACL in the broker), so
 * several cloud processes share the gateways' traffic: each process opens `consumers` MQTT 5 connections
 * with fixed client ids and persistent sessions (clean start off, session never expires) and subscribes to
 * `$share/<group>/gw/+/events|health|daily|cmd_result` at QoS 1. The broker hands each message to one session of the
 * group.
 *
 * Delivery guarantee, and how it differs from the embedded broker: the gateway's PUBACK now comes from the
 * broker when it has the message, not after our commit. The message then waits in the broker, in flight
 * to one of our sessions, until that session acknowledges it — and we acknowledge (MQTT.js
 * `customHandleAcks`, which needs MQTT 5) only after ingest has committed. So:
 *  - committed or a duplicate id, or malformed (acknowledged and counted, resending would not help) → PUBACK;
 *  - database failure → no PUBACK, and the connection is dropped so the broker sends it again on the
 *    session's reconnect (MQTT 5 resends unacknowledged messages only then, [MQTT-4.4.0-1]);
 *  - this process killed → its sessions keep their unacknowledged (and, in Mosquitto 2.0, further queued)
 *    messages until a process with the same client id reconnects: run each process under a supervisor that
 *    restarts it with the same `clientId`. Redelivered events that had been committed are absorbed by
 *    ingest's idempotency (the gateway-minted event id). Stopped cleanly, it leaves the group first
 *    (leaveGroup), so nothing more is routed to it.
 * MQTT.js handles one message at a time per connection when acknowledging is deferred (its packet pump
 * waits for the PUBACK), which is why a process opens several consumer connections.
 *
 * Gateways' connects and subscriptions are not seen here (the broker does not tell us): `gateways.connected`
 * is not maintained in this mode (`last_seen_at` still follows their heartbeats) and a model update waiting
 * for a gateway is not resent when it subscribes. Oversize packets are Mosquitto's to refuse
 * (`max_packet_size`, written by `anju-cloud mosquitto-config`); the per-gateway rate is ours (shedOverRate).
 */
export async function startExternalBroker(
  opts: ExternalBrokerOptions & {
    ingest: IngestService;
    metrics: CloudMetrics;
    log: Logger;
    /** Results of commands (gw/<id>/cmd_result), e.g. model updates. */
    onCommandResult?: ((gatewayId: string, payload: Uint8Array) => Promise<void>) | undefined;
  },
): Promise<CloudBroker> {
  const log = opts.log.child({ component: 'mqtt-external', clientId: opts.clientId });
  const consumed = opts.metrics.registry.counter(
    'anju_mqtt_consumed_total',
    'Messages taken from the external broker, by outcome (acked, redelivered = seen with DUP, withheld = not committed)',
    ['outcome'],
  );
  const ca = opts.caFile ? readFileSync(opts.caFile) : undefined;
  const filters = [...Object.values(cloudSubscriptions), topics.commandResult('+')].map(
    (f) => `$share/${opts.sharedGroup}/${f}`,
  );
  const inflight = new Set<Promise<void>>();
  let closing = false;
  /** Set by close() once the group is left: a reconnect in that window must not join it again. */
  let leaving = false;
  /** When the last message arrived, so close() can tell that a session's queue has drained. */
  let lastMessageAt = 0;

  const limiter = new GatewayRateLimiter(opts.rateLimit ?? { ratePerS: 50, burst: 200, maxWaitMs: 2000 });
  /** Gateways whose shedding has been logged this minute: a flood must not flood the log too. */
  const shedWarned = new Set<string>();
  const sweep = setInterval(() => {
    limiter.sweep();
    shedWarned.clear();
  }, 60_000);
  sweep.unref();

  /**
   * Whether a gateway's message is over its rate and is to be acknowledged WITHOUT being ingested (counted
   * as anju_mqtt_rate_limited_total{outcome="shed"}). Why shed rather than pace as the embedded broker does:
   * the gateway already has its PUBACK from Mosquitto, so holding our acknowledgement slows no gateway —
   * it only stalls this consumer connection (MQTT.js takes the next message after the PUBACK), i.e. every
   * gateway's traffic behind the flood in the shared queue. Shedding costs a JSON parse and no database
   * write, so one flooding gateway's backlog drains fast and the others' alarms come through.
   * What is never shed: an urgent event (contracts' eventPriority) — it is ingested at any rate (the bucket
   * goes into bounded debt). Telemetry (info/warning events, test events, heartbeats, daily summaries,
   * command results) is shed once the gateway is further ahead than `maxWaitMs` worth of tokens, i.e.
   * what the embedded broker would still have accepted after a wait is ingested at once here; heartbeats
   * are shed as soon as they would have waited at all, as on the embedded broker (the next one replaces it).
   */
  function shedOverRate(gatewayId: string, kind: string, message: Buffer): boolean {
    const rate = limiter.take(gatewayId, () => kind === 'events' && isUrgentPayload(message));
    const over = rate.action === 'refuse' || (kind === 'health' && rate.waitMs > 0);
    if (!over) return false;
    opts.metrics.mqttRateLimited.inc({ topic: kind, outcome: 'shed' });
    if (!shedWarned.has(gatewayId)) {
      shedWarned.add(gatewayId);
      log.warn(
        { gatewayId, topic: kind },
        'gateway over its rate: telemetry shed (urgent events still ingested)',
      );
    }
    return true;
  }

  /**
   * One message from the broker; `done` sends the PUBACK (0) or withholds it (an error). QoS 0 messages
   * (gateways send heartbeats at QoS 0) come here too, with a `done` that has nothing to acknowledge.
   */
  function handle(
    client: MqttClient,
    session: string,
    topic: string,
    message: Buffer,
    packet: IPublishPacket,
    done: (err: Error | number) => void,
  ): void {
    if (closing) return; // not acknowledged: the broker keeps it for this session's next run
    lastMessageAt = Date.now();
    if (packet.dup) consumed.inc({ outcome: 'redelivered' });
    const parsed = parseGatewayTopic(topic);
    if (!parsed || parsed.kind === 'cmd') {
      // Only our own subscriptions arrive here; anything else is acknowledged so it is not resent.
      log.warn(
        { topic: topic.slice(0, 200), session },
        'message on an unexpected topic acknowledged and dropped',
      );
      done(0);
      return;
    }
    if (shedOverRate(parsed.gatewayId, parsed.kind, message)) {
      done(0);
      return;
    }
    const work = ingestGatewayMessage(opts, parsed.gatewayId, parsed.kind, message).then((err) => {
      if (!err) {
        consumed.inc({ outcome: 'acked' });
        done(0);
        return;
      }
      consumed.inc({ outcome: 'withheld' });
      // No PUBACK (a failure reason code would still complete the QoS 1 flow and drop the event):
      // drop the connection so the broker resends it when this session reconnects.
      done(err);
      if (packet.qos > 0) client.stream?.destroy();
    });
    inflight.add(work);
    void work.finally(() => inflight.delete(work));
  }

  function consumer(n: number): { client: MqttClient; ready: Promise<void> } {
    // The broker binds client ids to user names (use_username_as_clientid), so each session is its own user.
    const clientId = consumerUserName(opts.clientId, n);
    const options: IClientOptions = {
      protocolVersion: 5,
      clientId,
      clean: false,
      properties: { sessionExpiryInterval: SESSION_NEVER_EXPIRES, receiveMaximum: RECEIVE_MAXIMUM },
      username: clientId,
      password: opts.password,
      reconnectPeriod: 1_000,
      connectTimeout: 10_000,
      resubscribe: false, // subscribed on every connect below
      ...(ca ? { ca } : {}),
      // Called by MQTT.js for QoS 1 and 2 only.
      customHandleAcks: (topic, message, packet, done) =>
        handle(client, clientId, topic, message, packet, done),
    };
    const client = mqtt.connect(opts.url, options);
    // QoS 0 (a gateway's heartbeat) only reaches the 'message' event; QoS 1 is emitted there too, after
    // customHandleAcks, and must not be handled twice.
    client.on('message', (topic, message, packet) => {
      if (packet.qos === 0) handle(client, clientId, topic, message, packet, () => {});
    });
    // MQTT.js emits the failed custom ack as an error; reconnecting is its job.
    client.on('error', (err) => log.warn({ err: err.message, session: clientId }, 'external broker error'));
    client.on('offline', () => log.warn({ session: clientId }, 'external broker link down'));
    const ready = new Promise<void>((resolve, reject) => {
      client.on('connect', (connack) => {
        if (leaving) return;
        client.subscribe(filters, { qos: 1 }, (err, granted) => {
          const refused = granted?.filter((g) => g.qos !== 1) ?? [];
          if (err || refused.length > 0) {
            const why = err?.message ?? `refused: ${refused.map((g) => g.topic).join(', ')}`;
            log.error({ session: clientId, why }, 'external broker: shared subscription failed');
            reject(new Error(`external broker ${opts.url}: subscription ${why}`));
            return;
          }
          log.info(
            { session: clientId, sessionPresent: connack.sessionPresent, filters },
            'consuming from the external broker',
          );
          resolve();
        });
      });
      // Bad credentials or a refused client id do not get better by retrying at start-up.
      client.once('error', (err) => {
        const code = (err as { code?: number }).code;
        if (code !== undefined && [4, 5, 134, 135].includes(code)) reject(err);
      });
    });
    return { client, ready };
  }

  const consumers = Array.from({ length: opts.consumers }, (_, n) => consumer(n));
  const clients = consumers.map((c) => c.client);
  const endAll = () => Promise.allSettled(clients.map((c) => c.endAsync(true)));
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([
      Promise.all(consumers.map((c) => c.ready)),
      new Promise((_, reject) => {
        timer = setTimeout(
          () => reject(new Error(`external broker ${opts.url}: not connected within ${START_TIMEOUT_MS} ms`)),
          START_TIMEOUT_MS,
        );
      }),
    ]);
  } catch (err) {
    await endAll();
    throw err;
  } finally {
    clearTimeout(timer);
  }

  /**
   * Mosquitto 2.0.11 keeps routing a share of the group's messages to a session that is offline — killed
   * or cleanly disconnected alike — until a client with its id returns (tests/distributed/offline-share
   * measures it). So a process that stops (a scale-down, or the seconds a restart takes) first UNSUBSCRIBEs:
   * from the UNSUBACK on, the others get everything. What was already queued for its sessions still comes
   * on these connections and is ingested and acknowledged until they have been quiet for a moment (or
   * LEAVE_DRAIN_MAX_MS); anything left waits for this client id, as before. A killed process cannot do
   * this: its share waits for its restart (a supervisor with the same clientId).
   */
  async function leaveGroup(): Promise<void> {
    leaving = true;
    const deadline = Date.now() + LEAVE_DRAIN_MAX_MS;
    const bounded = <T>(p: Promise<T>) =>
      Promise.race([p, new Promise((r) => setTimeout(r, Math.max(0, deadline - Date.now())).unref())]);
    await Promise.allSettled(
      clients.filter((c) => c.connected).map((c) => bounded(c.unsubscribeAsync(filters))),
    );
    while (Date.now() < deadline && Date.now() - lastMessageAt < LEAVE_QUIET_MS)
      await new Promise((r) => setTimeout(r, 50));
    log.info(
      { drainedForMs: LEAVE_DRAIN_MAX_MS - (deadline - Date.now()) },
      'left the shared subscription group',
    );
  }

  const url = new URL(opts.url);
  let closed: Promise<void> | undefined;
  return {
    host: url.hostname,
    port: Number(url.port || (url.protocol === 'mqtts:' ? 8883 : 1883)),
    url: opts.url,
    /** In this mode: our own consumer connections that are up (gateways are the broker's). */
    connectedClients: () => clients.filter((c) => c.connected).length,
    async publishCommand(gatewayId: string, command: Command) {
      const client = clients.find((c) => c.connected) ?? clients[0]!;
      await client.publishAsync(topics.command(gatewayId), JSON.stringify(command), { qos: 1 });
    },
    close() {
      closed ??= (async () => {
        await leaveGroup();
        closing = true; // messages arriving from now on stay unacknowledged in the broker
        clearInterval(sweep);
        await Promise.allSettled([...inflight]); // their PUBACKs are written before the links close
        await Promise.allSettled(clients.map((c) => c.endAsync(false)));
      })();
      return closed;
    },
  };
}
