import { once } from 'node:events';
import { type AddressInfo, createServer } from 'node:net';
import { Aedes, type AuthErrorCode, type AuthenticateError, type Client, type PublishPacket } from 'aedes';
import { type Command, MAX_PAYLOAD_BYTES, parseGatewayTopic, topics } from '../../../contracts/src/index.ts';
import { decoyHash, verifySecret } from '../gateways/gateway-secret.ts';
import type { GatewaysRepository } from '../gateways/index.ts';
import type { IngestService } from '../ingest/index.ts';
import type { Logger } from '../log/logger.ts';
import type { CloudMetrics } from '../metrics/index.ts';
import { mayPublish, maySubscribe, sessionClientId } from './gateway-acl.ts';
import { ingestGatewayMessage, ingestHeartbeat } from './gateway-message.ts';
import { GatewayRateLimiter, type GatewayRateLimitOptions, isUrgentPayload } from './gateway-rate-limit.ts';
import { maxRemainingLength, PacketSizeGuard } from './packet-size-guard.ts';

export interface CloudBroker {
  readonly host: string;
  readonly port: number;
  readonly url: string;
  /** Connections currently open on this broker. */
  connectedClients(): number;
  /** Sends a command to a gateway on `gw/<id>/cmd` (QoS 1). */
  publishCommand(gatewayId: string, command: Command): Promise<void>;
  close(): Promise<void>;
}

const GATEWAY_ID = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/;
/** A connection-state write that failed (database down) is tried again after this long. */
const CONNECTION_STATE_RETRY_MS = 2_000;

type AuthFailureReason =
  | 'no_credentials'
  | 'unknown_gateway'
  | 'bad_secret'
  | 'auth_unavailable'
  | 'publish_denied'
  | 'subscribe_denied';

const notUrgent = () => false;
const payloadBytes = (packet: PublishPacket): Buffer =>
  typeof packet.payload === 'string' ? Buffer.from(packet.payload) : packet.payload;

function authError(message: string, returnCode: 3 | 4 | 5): AuthenticateError {
  return Object.assign(new Error(message), { returnCode: returnCode as AuthErrorCode });
}

/**
 * The embedded MQTT broker gateways connect to (aedes 1.2 over TCP).
 *
 * Delivery guarantee — why ingest runs inside `authorizePublish`: for a QoS 1 PUBLISH, aedes 1.2 runs
 * `authorizePublish` and only when its callback succeeds writes the PUBACK and THEN calls
 * `broker.publish` (lib/handlers/publish.js, `enqueuePublish` case 1). So an in-process
 * `broker.subscribe()` listener runs after the PUBACK is already on the wire and cannot hold it back;
 * `authorizePublish` is the one hook that runs before it. We therefore validate and commit the event there:
 *  - committed (or a duplicate id)    → callback(null): PUBACK goes out; the gateway may drop it from its outbox;
 *  - malformed / not allowed by data  → counted as rejected, callback(null): PUBACK, so it is not resent forever;
 *  - database failure                 → callback(error): aedes sends NO PUBACK and closes the connection
 *    (MQTT 3.1.1 has no negative PUBACK, [MQTT-3.3.5-2]); the gateway reconnects and resends from its outbox.
 * Publishing to a topic the gateway does not own also fails the callback: the connection is closed.
 *
 * Hostile or broken clients: a packet above `maxPayloadBytes` closes the connection before it is read
 * (PacketSizeGuard, counted as anju_mqtt_refused_total{reason="too_large"}); each gateway has a token
 * bucket (GatewayRateLimiter): over it, the PUBACK is held until a token comes, and a client too far ahead
 * is refused without a PUBACK (resent later, never lost); urgent events always pass; heartbeats over the
 * rate are dropped (QoS 0, the next one replaces it). All counted in anju_mqtt_rate_limited_total.
 */
export async function startCloudBroker(deps: {
  host: string;
  port: number;
  gateways: GatewaysRepository;
  ingest: IngestService;
  metrics: CloudMetrics;
  log: Logger;
  /** Results of commands (gw/<id>/cmd_result); must not throw for bad input. */
  onCommandResult?: (gatewayId: string, payload: Uint8Array) => Promise<void>;
  /** Largest payload read from a client; default the contract's maximum. */
  maxPayloadBytes?: number;
  /** Per-gateway token bucket; default 50/s, burst 200, wait at most 2 s. */
  rateLimit?: GatewayRateLimitOptions;
  /** A gateway (re)subscribed to its command topic: commands it missed while away can be sent now. */
  onCommandsSubscribed?: (gatewayId: string) => void;
}): Promise<CloudBroker> {
  const { gateways, ingest, metrics } = deps;
  const log = deps.log.child({ component: 'mqtt' });
  const maxPacketBytes = maxRemainingLength(deps.maxPayloadBytes ?? MAX_PAYLOAD_BYTES);
  const limiter = new GatewayRateLimiter(deps.rateLimit ?? { ratePerS: 50, burst: 200, maxWaitMs: 2000 });
  const sweep = setInterval(() => limiter.sweep(), 60_000);
  sweep.unref();
  /** Authenticated gateway of each connection (set by `authenticate`). */
  const gatewayOf = new WeakMap<Client, string>();
  /** Per-connection queue: handles one PUBLISH at a time so PUBACKs keep arrival order [MQTT-4.6.0-2]. */
  const queues = new WeakMap<Client, Promise<void>>();
  /** Connections on which a PUBLISH failed: aedes is closing them, and nothing later on them may commit. */
  const failedConnections = new WeakSet<Client>();
  /** Open connections per gateway, so a reconnect that overlaps the old session keeps `connected` right. */
  const sessions = new Map<string, number>();
  /** Connection-state writes in flight, awaited by close() so none outlives the database. */
  const pendingWrites = new Set<Promise<void>>();
  /** Inbound messages being ingested, awaited by close() likewise. */
  const inflight = new Set<Promise<void>>();

  const refuse = (reason: AuthFailureReason, fields: Record<string, unknown>, msg: string) => {
    metrics.mqttAuthFailures.inc({ reason });
    log.warn({ reason, ...fields }, msg);
  };

  const broker = await Aedes.createBroker({
    // Clients are gateways; their ids are free-form but bounded.
    maxClientsIdLength: 64,

    authenticate(client, username, password, done) {
      const remote = (client.conn as { remoteAddress?: string }).remoteAddress;
      if (!username || !password || !GATEWAY_ID.test(username)) {
        refuse('no_credentials', { remote }, 'mqtt connect refused: missing or malformed credentials');
        return done(authError('bad username or password', 4), false);
      }
      (async () => {
        let creds: Awaited<ReturnType<GatewaysRepository['credentials']>>;
        try {
          creds = await gateways.credentials(username);
        } catch (err) {
          refuse(
            'auth_unavailable',
            { gatewayId: username, err },
            'mqtt connect refused: registry unavailable',
          );
          return done(authError('server unavailable', 3), false);
        }
        // Verify even for an unknown id (against a decoy) so both failures take the same time.
        const ok = await verifySecret(password.toString('utf8'), creds?.secretHash ?? (await decoyHash()));
        if (!creds || !ok) {
          const reason = creds ? 'bad_secret' : 'unknown_gateway';
          refuse(reason, { gatewayId: username, remote }, 'mqtt connect refused: bad credentials');
          return done(authError('bad username or password', 4), false);
        }
        gatewayOf.set(client, username);
        // Bind the session to this gateway before aedes registers it (registerClient, which closes an
        // older session of the same id, runs after this hook): no gateway can knock another off. Issue 18.
        client.id = sessionClientId(username, client.id);
        done(null, true);
      })().catch((err: unknown) => {
        log.error({ err }, 'authenticate failed unexpectedly');
        done(authError('server unavailable', 3), false);
      });
    },

    authorizePublish(client, packet, done) {
      const gatewayId = client ? gatewayOf.get(client) : undefined;
      if (!client || !gatewayId || !mayPublish(gatewayId, packet.topic)) {
        refuse('publish_denied', { gatewayId, topic: packet.topic.slice(0, 200) }, 'mqtt publish refused');
        if (client) failedConnections.add(client);
        return done(new Error(`publish to ${packet.topic} not allowed`));
      }
      // The Last Will (published by aedes when the connection drops) is not a contract message; the
      // disconnect itself already marks the gateway offline.
      if (packet === (client as unknown as { will?: unknown }).will) return done(null);
      // A QoS 0 heartbeat has no PUBACK to keep in order and no database round trip (it is batched): taken
      // at once, outside the connection's queue — at 10,000 gateways that queue's promise chain per
      // heartbeat was a third of supervision's cost (bench:supervision).
      if (packet.qos === 0 && packet.topic === topics.health(gatewayId)) {
        acceptHeartbeat(gatewayId, packet);
        return done(null);
      }
      const prev = queues.get(client) ?? Promise.resolve();
      const next = prev
        .then(() => {
          // A gateway pipelines its events; once one fails (no PUBACK, the connection closes), those
          // behind it must fail too, or they would be committed ahead of it when it is resent.
          if (failedConnections.has(client)) return done(new Error('an earlier publish on this link failed'));
          return handleInbound(gatewayId, packet, (err) => {
            if (err) failedConnections.add(client);
            done(err);
          });
        })
        // Only a throw from aedes' own callback lands here; keep the queue (and the process) going.
        .catch((err: unknown) => log.error({ err, gatewayId }, 'publish handling failed unexpectedly'));
      queues.set(client, next);
      inflight.add(next);
      void next.finally(() => inflight.delete(next));
    },

    authorizeSubscribe(client, sub, done) {
      const gatewayId = gatewayOf.get(client);
      if (!gatewayId || !maySubscribe(gatewayId, sub.topic)) {
        refuse('subscribe_denied', { gatewayId, topic: sub.topic.slice(0, 200) }, 'mqtt subscribe refused');
        return done(null, null); // negated: SUBACK 0x80 for this filter, the session stays up
      }
      done(null, sub.qos > 1 ? { ...sub, qos: 1 } : sub);
    },
  });

  /** A heartbeat over its gateway's rate is dropped (the next one replaces it); never throws. */
  function acceptHeartbeat(gatewayId: string, packet: PublishPacket) {
    const rate = limiter.take(gatewayId, notUrgent);
    if (rate.action === 'refuse' || rate.waitMs > 0) {
      metrics.mqttRateLimited.inc({ topic: 'health', outcome: 'dropped' });
      return;
    }
    ingestHeartbeat({ ingest, metrics, log }, gatewayId, payloadBytes(packet));
  }

  /** Never rejects: every outcome ends in exactly one `done`. */
  async function handleInbound(gatewayId: string, packet: PublishPacket, done: (err?: Error | null) => void) {
    const kind = parseGatewayTopic(packet.topic)?.kind;
    const payload = payloadBytes(packet);
    const rate = limiter.take(gatewayId, () => kind === 'events' && isUrgentPayload(payload));
    const topic = kind ?? 'unknown';
    if (kind === 'health' && (rate.action === 'refuse' || rate.waitMs > 0)) {
      metrics.mqttRateLimited.inc({ topic, outcome: 'dropped' });
      return done(null);
    }
    if (rate.action === 'refuse') {
      metrics.mqttRateLimited.inc({ topic, outcome: 'refused' });
      log.warn({ gatewayId, topic, waitMs: rate.waitMs }, 'gateway over its rate: refused without PUBACK');
      return done(new Error('rate limited'));
    }
    if (rate.waitMs > 0) {
      metrics.mqttRateLimited.inc({ topic, outcome: 'delayed' });
      await new Promise((r) => setTimeout(r, rate.waitMs));
    }
    // An event not committed fails the callback: no PUBACK, aedes closes the connection (see above).
    const verdict = await ingestGatewayMessage(
      { ingest, metrics, log, onCommandResult: deps.onCommandResult },
      gatewayId,
      kind,
      payload,
    );
    // Outside ingest's try: `done` runs aedes' PUBACK path, and a throw there must not be mistaken for ours.
    done(verdict);
  }

  /**
   * Gateways whose connection state a failed write did not record (the database was down): written again,
   * with the state of that moment, until it sticks — else a gateway that left during a database outage
   * would stay `connected` until it came back.
   */
  const unrecorded = new Set<string>();
  let retryTimer: NodeJS.Timeout | undefined;
  let stopped = false;
  const recordConnected = (gatewayId: string) => {
    const write = gateways.setConnected(gatewayId, (sessions.get(gatewayId) ?? 0) > 0).then(
      () => {
        unrecorded.delete(gatewayId);
      },
      (err: unknown) => {
        if (!unrecorded.has(gatewayId))
          log.warn({ err, gatewayId }, 'could not record gateway connection state; retrying');
        unrecorded.add(gatewayId);
        if (!stopped) retryTimer ??= setTimeout(retryUnrecorded, CONNECTION_STATE_RETRY_MS).unref();
      },
    );
    pendingWrites.add(write);
    void write.finally(() => pendingWrites.delete(write));
  };
  const retryUnrecorded = () => {
    retryTimer = undefined;
    for (const gatewayId of unrecorded) recordConnected(gatewayId);
  };
  const markConnected = (gatewayId: string, delta: 1 | -1) => {
    const n = Math.max(0, (sessions.get(gatewayId) ?? 0) + delta);
    if (n === 0) sessions.delete(gatewayId);
    else sessions.set(gatewayId, n);
    metrics.mqttClients.set(broker.connectedClients);
    recordConnected(gatewayId);
  };
  broker.on('client', (client) => {
    const gatewayId = gatewayOf.get(client);
    if (!gatewayId) return;
    log.info({ gatewayId, clientId: client.id }, 'gateway connected');
    markConnected(gatewayId, 1);
  });
  broker.on('clientDisconnect', (client) => {
    const gatewayId = gatewayOf.get(client);
    if (!gatewayId) return;
    log.info({ gatewayId, clientId: client.id }, 'gateway disconnected');
    markConnected(gatewayId, -1);
  });
  broker.on('subscribe', (subscriptions, client) => {
    const gatewayId = gatewayOf.get(client);
    if (gatewayId && subscriptions.some((sub) => sub.topic === topics.command(gatewayId)))
      deps.onCommandsSubscribed?.(gatewayId);
  });
  broker.on('clientError', (client, err) => {
    log.debug({ gatewayId: gatewayOf.get(client), err: err.message }, 'mqtt client error');
  });
  broker.on('connectionError', (_client, err) => {
    log.debug({ err: err.message }, 'mqtt connection error');
  });

  const server = createServer((socket) => {
    // PUBACKs are tiny and each one releases the gateway's next event: Nagle must not hold them back.
    socket.setNoDelay(true);
    broker.handle(
      new PacketSizeGuard(socket, maxPacketBytes, (bytes) => {
        metrics.mqttRefused.inc({ reason: 'too_large' });
        log.warn({ remote: socket.remoteAddress, bytes }, 'mqtt packet too large: connection closed');
      }),
    );
  });
  // A deep accept queue: after a cloud restart thousands of gateways reconnect at once, and with Node's
  // default backlog (511) the kernel drops or resets connections the busy process has not accepted yet
  // (bench:fleet at 10,000 gateways; TcpExtListenOverflows). The kernel caps it at net.core.somaxconn.
  server.listen({ port: deps.port, host: deps.host, backlog: 8192 });
  try {
    await Promise.race([
      once(server, 'listening'),
      once(server, 'error').then(([err]) => Promise.reject(err)),
    ]);
  } catch (err) {
    await new Promise<void>((resolve) => broker.close(() => resolve()));
    throw err;
  }
  const { port } = server.address() as AddressInfo;
  const hostForUrl = deps.host.includes(':') ? `[${deps.host}]` : deps.host;

  let closing: Promise<void> | undefined;
  return {
    host: deps.host,
    port,
    url: `mqtt://${hostForUrl}:${port}`,
    connectedClients: () => broker.connectedClients,
    publishCommand(gatewayId, command) {
      return new Promise((resolve, reject) => {
        broker.publish(
          {
            cmd: 'publish',
            topic: topics.command(gatewayId),
            payload: Buffer.from(JSON.stringify(command)),
            qos: 1,
            retain: false,
            dup: false,
          },
          (err) => (err ? reject(err) : resolve()),
        );
      });
    },
    close() {
      closing ??= (async () => {
        clearInterval(sweep);
        stopped = true;
        clearTimeout(retryTimer);
        const serverClosed = new Promise<void>((resolve) => server.close(() => resolve()));
        await new Promise<void>((resolve) => broker.close(() => resolve())); // closes every client too
        await serverClosed;
        await Promise.allSettled([...inflight, ...pendingWrites]);
      })();
      return closing;
    },
  };
}
