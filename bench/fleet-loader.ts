/**
 * The load generator of `npm run bench:fleet` (a child process, so the cloud's CPU and RSS are its own):
 * simulated gateways as real MQTT connections to the cloud, each with the real contracts — a heartbeat
 * every `heartbeatMs` (random phase) and, on command, alert events at a given total rate. Driven over the
 * IPC channel by bench/fleet.bench.ts; see its header for what is measured.
 */
import mqtt, { type MqttClient } from 'mqtt';
import {
  type AlertEvent,
  type EventKind,
  type Heartbeat,
  newEventId,
  topics,
} from '../contracts/src/index.ts';

export interface LoaderGateway {
  gatewayId: string;
  residentId: string;
  secret: string;
}

export type LoaderRequest =
  | {
      type: 'connect';
      mqttUrl: string;
      gateways: LoaderGateway[];
      rampPerS: number;
      heartbeatMs: number;
      /** The gateway's own: QoS 0 heartbeats (a lost one is replaced by the next), keepalive 30 s (edge/src/forwarder/mqtt-forwarder.ts). */
      heartbeatQos: 0 | 1;
      keepaliveS: number;
      /** Connect without heartbeats until a `beat` request (bench:supervision: the links' own cost first). */
      holdHeartbeats?: boolean;
    }
  /** Starts the held heartbeats (each at a random phase within the interval). */
  | { type: 'beat' }
  | { type: 'events'; slots: { g: number; kind: EventKind }[]; ratePerS: number }
  | { type: 'status' }
  /** Kills these gateways at once (bench:supervision): no more heartbeats, the socket dropped. */
  | { type: 'kill'; gatewayIds: string[] }
  | { type: 'stop' };

export interface SentEvent {
  id: string;
  /** Epoch ms (fractional) when published and when the PUBACK came back. */
  sentAt: number;
  ackedAt?: number;
}

export type LoaderReply =
  | {
      type: 'connected';
      connected: number;
      failed: number;
      elapsedMs: number;
      failures: Record<string, number>;
    }
  | { type: 'events'; sent: SentEvent[] }
  | { type: 'beating' }
  | {
      type: 'status';
      connected: number;
      reconnects: number;
      heartbeats: number;
      heartbeatFailures: number;
      /** Clients that are neither connected nor going to try again (mqtt.js stops after a refused CONNACK). */
      gaveUp: number;
      /** Why connects failed or links broke, by message, since the start. */
      failures: Record<string, number>;
      /** Connected clients whose last heartbeat was acknowledged more than two intervals ago. */
      stale: number;
    }
  /** Epoch ms of each killed gateway's last heartbeat PUBACK (null: none), and when it was killed. */
  | { type: 'killed'; lastBeatAt: Record<string, number | null>; killedAt: number };

/** mqtt.js keeps its pending redial in `reconnectTimer` (not in its typings). */
const hasReconnectTimer = (c: MqttClient) =>
  (c as unknown as { reconnectTimer?: unknown }).reconnectTimer != null;
const now = () => performance.timeOrigin + performance.now();
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const send = (m: LoaderReply) => process.send?.(m);

const clients: (MqttClient | undefined)[] = [];
let gateways: LoaderGateway[] = [];
const timers: NodeJS.Timeout[] = [];
/** Per gateway (by index): its heartbeat timers and the epoch ms of its last acknowledged heartbeat. */
const beatTimers: NodeJS.Timeout[][] = [];
const lastBeatAt: (number | undefined)[] = [];
/** Heartbeat starters of the clients connected while heartbeats are held; null once they run. */
let heldBeats: (() => void)[] | null = null;
let reconnects = 0;
let hbMs = 60_000;
let heartbeats = 0;
let heartbeatFailures = 0;
/** Why connects failed, by message. */
const failures = new Map<string, number>();
const startedAt = Date.now();

function heartbeat(g: LoaderGateway): Heartbeat {
  return {
    schema: 1,
    gatewayId: g.gatewayId,
    sentAt: new Date().toISOString(),
    agentVersion: '0.1.0',
    uptimeS: Math.round((Date.now() - startedAt) / 1000),
    outboxDepth: 0,
    drivers: { wristband: 'up' },
    models: [{ name: 'fall-cnn', version: '2.0.0' }],
    rssMb: 95,
    cpuPct: 1,
  };
}

async function connectAll(req: Extract<LoaderRequest, { type: 'connect' }>): Promise<void> {
  gateways = req.gateways;
  hbMs = req.heartbeatMs;
  if (req.holdHeartbeats) heldBeats = [];
  const t0 = now();
  let failed = 0;
  const pending: Promise<void>[] = [];
  // A ramp, not a storm: `rampPerS` connects per second, like gateways coming back with jittered backoff.
  const perTickMs = 20;
  const perTick = Math.max(1, Math.round((req.rampPerS * perTickMs) / 1000));
  for (let i = 0; i < gateways.length; i += perTick) {
    const tickStart = now();
    for (const [j, g] of gateways.slice(i, i + perTick).entries()) {
      const index = i + j;
      const c = mqtt.connect(req.mqttUrl, {
        clientId: g.gatewayId,
        username: g.gatewayId,
        password: g.secret,
        keepalive: req.keepaliveS,
        // Like the gateway's forwarder: a refused or timed-out connect is retried with jittered backoff.
        reconnectPeriod: 2_000 + Math.random() * 3_000,
        // A refused CONNACK too (e.g. 3 "server unavailable" while the restarted cloud's database pool
        // is still connecting): mqtt.js stops retrying after one unless told, which a real gateway never
        // does (edge/src/forwarder/mqtt-forwarder.ts redials on every close). Without this, a few clients
        // of every 10,000 gave up for good after a cloud restart and the bench counted them silent.
        reconnectOnConnackError: true,
        connectTimeout: 60_000,
      });
      clients[index] = c;
      c.on('error', (err) => failures.set(err.message, (failures.get(err.message) ?? 0) + 1));
      c.on('reconnect', () => reconnects++);
      // Heartbeats every heartbeatMs from the first connect, the first one at a random phase.
      c.once('connect', () => {
        const beat = () => {
          c.publishAsync(topics.health(g.gatewayId), JSON.stringify(heartbeat(g)), {
            qos: req.heartbeatQos,
          }).then(
            () => {
              heartbeats++;
              lastBeatAt[index] = Date.now();
            },
            () => heartbeatFailures++,
          );
        };
        const mine: NodeJS.Timeout[] = [];
        beatTimers[index] = mine;
        const start = () => {
          const first = setTimeout(() => {
            beat();
            const every = setInterval(beat, req.heartbeatMs);
            timers.push(every);
            mine.push(every);
          }, Math.random() * req.heartbeatMs);
          timers.push(first);
          mine.push(first);
        };
        if (heldBeats) heldBeats.push(start);
        else start();
      });
      pending.push(
        new Promise<void>((resolve) => {
          // Counted as failed when the first attempt did not get through (it keeps retrying).
          c.once('connect', () => resolve());
          c.once('close', () => {
            if (!c.connected) failed++;
            resolve();
          });
        }),
      );
    }
    const wait = tickStart + perTickMs - now();
    if (wait > 0) await sleep(wait);
  }
  await Promise.all(pending);
  send({
    type: 'connected',
    connected: clients.filter((c) => c?.connected).length,
    failed,
    elapsedMs: now() - t0,
    failures: Object.fromEntries(failures),
  });
}

async function publishEvents(req: Extract<LoaderRequest, { type: 'events' }>): Promise<void> {
  const sent: SentEvent[] = [];
  const acks: Promise<void>[] = [];
  const t0 = now();
  for (const [k, slot] of req.slots.entries()) {
    const wait = t0 + (k * 1000) / req.ratePerS - now();
    if (wait > 0) await sleep(wait);
    const g = gateways[slot.g]!;
    const c = clients[slot.g];
    const at = new Date().toISOString();
    const ev: AlertEvent = {
      schema: 1,
      id: newEventId(),
      gatewayId: g.gatewayId,
      residentId: g.residentId,
      kind: slot.kind,
      severity: 'urgent',
      occurredAt: at,
      detectedAt: at,
      score: { value: 0.93, threshold: 0.8, model: { name: 'fall-cnn', version: '2.0.0' } },
      evidence: { peakG: 3.1, stillS: 12 },
    };
    const rec: SentEvent = { id: ev.id, sentAt: now() };
    sent.push(rec);
    if (!c) continue; // never connected: counted as lost by the bench
    acks.push(
      c.publishAsync(topics.events(g.gatewayId), JSON.stringify(ev), { qos: 1 }).then(
        () => {
          rec.ackedAt = now();
        },
        () => {},
      ),
    );
  }
  // Bounded: what is not acknowledged 15 s after the last publish is reported without an ack.
  await Promise.race([Promise.all(acks), sleep(15_000)]);
  send({ type: 'events', sent });
}

process.on('message', (m: LoaderRequest) => {
  if (m.type === 'connect') void connectAll(m);
  else if (m.type === 'events') void publishEvents(m);
  else if (m.type === 'beat') {
    const starts = heldBeats ?? [];
    heldBeats = null;
    for (const start of starts) start();
    send({ type: 'beating' });
  } else if (m.type === 'status') {
    send({
      type: 'status',
      connected: clients.filter((c) => c?.connected).length,
      reconnects,
      heartbeats,
      heartbeatFailures,
      gaveUp: clients.filter((c) => c && !c.connected && !c.disconnecting && !hasReconnectTimer(c)).length,
      failures: Object.fromEntries(failures),
      stale: clients.filter((c, i) => c?.connected && Date.now() - (lastBeatAt[i] ?? 0) > 2 * hbMs).length,
    });
  } else if (m.type === 'kill') {
    const killedAt = Date.now();
    const last: Record<string, number | null> = {};
    for (const id of m.gatewayIds) {
      const i = gateways.findIndex((g) => g.gatewayId === id);
      if (i < 0) continue;
      for (const t of beatTimers[i] ?? []) clearTimeout(t);
      clients[i]?.end(true);
      last[id] = lastBeatAt[i] ?? null;
    }
    send({ type: 'killed', lastBeatAt: last, killedAt });
  } else if (m.type === 'stop') {
    for (const t of timers) clearTimeout(t);
    void Promise.allSettled(clients.map((c) => c?.endAsync(true))).then(() => process.exit(0));
  }
});
process.on('disconnect', () => process.exit(0));
