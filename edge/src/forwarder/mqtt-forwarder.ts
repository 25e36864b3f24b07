import { readFileSync } from 'node:fs';
import mqtt, { type IClientOptions, type MqttClient } from 'mqtt';
import type { Command, CommandResult, Heartbeat, ResidentDaily } from '../../../contracts/src/index.ts';
import { eventPriority, parseCommand, topics } from '../../../contracts/src/index.ts';
import type { Clock } from '../clock.ts';
import type { Logger } from '../log/logger.ts';
import type { OutboxStore, StoredEvent } from '../outbox/store.ts';
import { DEFAULT_IN_FLIGHT_WINDOW, type DeliveryOutcome, DeliveryWindow } from './delivery-window.ts';
import {
  type MqttProtocolVersion,
  type MqttVersionSetting,
  ProtocolVersionChoice,
} from './protocol-version.ts';
import { isNotDelivered, publishQos1 } from './puback-reason.ts';
import { TelemetryPacer } from './telemetry-pacer.ts';

export interface ForwarderOptions {
  url: string;
  gatewayId: string;
  secret: string;
  caFile?: string | undefined;
  reconnectMinMs: number;
  reconnectMaxMs: number;
  /** MQTT protocol level: auto (5, or 3.1.1 when the broker refuses 5), 4 or 5. Default auto. */
  mqttVersion?: MqttVersionSetting;
  /** Events in flight at once (QoS 1 publishes awaiting their PUBACK). Default 16. */
  inFlightWindow?: number;
  /** Telemetry-class events per second (sustained, burst) at most; urgent events are never paced. */
  telemetryPace?: { perS: number; burst: number };
  /** A publish whose PUBACK has not come by then tears the link down and is retried. */
  publishTimeoutMs?: number;
  store: OutboxStore;
  log: Logger;
  clock: Clock;
  onCommand?: (cmd: Command) => void;
  /** Called on every (re)connect: the gateway announces itself with a heartbeat at once. */
  onConnect?: () => void;
  onDelivered?: (entry: StoredEvent, ms: number) => void;
}

export interface ForwarderStats {
  connected: boolean;
  delivered: number;
  connects: number;
  failures: number;
  badCommands: number;
  /** Daily summaries dropped (oldest first) while the link was down for more than a week of them. */
  dailyDropped: number;
  /**
   * Events the broker acknowledged WITHOUT passing on (MQTT 5 PUBACK 0x10 "no matching subscribers", or
   * a refusal ≥ 0x80): kept in the outbox and sent again after a backoff.
   */
  notDelivered: number;
  /** Protocol level of the current or last link: 4 (MQTT 3.1.1) or 5. */
  mqttVersion?: MqttProtocolVersion;
  lastDeliveredAt?: string;
}

/**
 * Drains the outbox to the cloud over MQTT (QoS 1) in order, with up to `inFlightWindow` events on the
 * wire (DeliveryWindow): an entry is deleted only after its own PUBACK, outcomes applied in send order,
 * so a crash at any point means "sent again", never "lost"; the cloud makes the repeat harmless (the
 * event id is the idempotency key). A lost link or a PUBACK that does not come resends every event
 * that was in flight.
 *
 * On MQTT 5 a PUBACK may say the broker did not pass the event on (0x10 when no cloud consumer was
 * subscribed — Mosquitto after a restart, before the cloud re-subscribes); such an event stays in the
 * outbox, is counted (`notDelivered`) and sent again after a backoff. MQTT 3.1.1 cannot say so.
 */
export class MqttForwarder {
  private client: MqttClient | undefined;
  private stopped = true;
  private backoffMs: number;
  private retryTimer: unknown;
  private readonly window = new DeliveryWindow();
  private readonly pacer: TelemetryPacer | undefined;
  /** Set while telemetry waits for the pacer. */
  private paceTimer: unknown;
  private readonly protocol: ProtocolVersionChoice;
  /** The broker's Receive Maximum (MQTT 5 CONNACK) bounds the window further. */
  private windowLimit: number;
  /**
   * The window in use: back to 1 after a lost link, a missing PUBACK or a refusal, doubled by each
   * PUBACK up to `windowLimit` (a slow start). A broker that refuses by closing the link (the cloud's
   * rate limit) may take earlier PUBACKs of the same read down with it; one event at a time after
   * such a failure makes sure each attempt gets at least one event through, as before the window.
   */
  private windowNow: number;
  /** Bumped when a link is given up: answers that arrive for an older link are ignored. */
  private linkGeneration = 0;
  private applying = false;
  /** While set, nothing new is sent: the broker just said it had nobody to deliver to. */
  private notDeliveredHold: unknown;
  private notDeliveredBackoffMs: number;
  private unsubscribeAppend: (() => void) | undefined;
  /** Daily summaries waiting for a link (a week at most; older ones are the least useful). */
  private readonly pendingDaily: ResidentDaily[] = [];
  /** Command results waiting for a link (the latest few: the cloud only needs each command's outcome once). */
  private readonly pendingResults: CommandResult[] = [];
  readonly stats: ForwarderStats = {
    connected: false,
    delivered: 0,
    connects: 0,
    failures: 0,
    badCommands: 0,
    dailyDropped: 0,
    notDelivered: 0,
  };

  constructor(private readonly o: ForwarderOptions) {
    this.backoffMs = o.reconnectMinMs;
    this.notDeliveredBackoffMs = o.reconnectMinMs;
    this.protocol = new ProtocolVersionChoice(o.mqttVersion ?? 'auto');
    this.windowLimit = this.configuredWindow();
    this.windowNow = this.windowLimit;
    this.pacer = o.telemetryPace && new TelemetryPacer(o.telemetryPace.perS, o.telemetryPace.burst);
  }

  start(): void {
    this.stopped = false;
    this.unsubscribeAppend = this.o.store.onAppend(() => this.pump());
    this.o.store.guardInFlight?.((seq) => this.window.has(seq));
    this.connect();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.unsubscribeAppend?.();
    this.o.clock.clearTimeout(this.retryTimer);
    this.o.clock.clearTimeout(this.notDeliveredHold);
    this.notDeliveredHold = undefined;
    this.o.clock.clearTimeout(this.paceTimer);
    this.paceTimer = undefined;
    this.giveUpInFlight();
    const c = this.client;
    this.client = undefined;
    this.stats.connected = false;
    if (c) await c.endAsync(true).catch(() => {});
  }

  /** Sends a heartbeat if connected (QoS 0: a missed one is replaced by the next). */
  publishHealth(hb: Heartbeat): void {
    if (this.client?.connected) {
      this.client.publish(topics.health(this.o.gatewayId), JSON.stringify(hb), { qos: 0 }, () => {});
    }
  }

  /** Sends a day's summary (QoS 1) now, or when the link is next up. */
  publishDaily(summary: ResidentDaily): void {
    this.pendingDaily.push(summary);
    if (this.pendingDaily.length > 7) {
      const dropped = this.pendingDaily.shift()!;
      this.stats.dailyDropped++;
      this.o.log.warn({ day: dropped.day, dropped: this.stats.dailyDropped }, 'daily summary dropped');
    }
    this.flushDaily();
  }

  /** Sends a command's result (QoS 1) now, or when the link is next up. */
  publishCommandResult(result: CommandResult): void {
    this.pendingResults.push(result);
    if (this.pendingResults.length > 32) this.pendingResults.shift();
    this.flushResults();
  }

  private flushResults(): void {
    const client = this.client;
    while (client?.connected && this.pendingResults.length > 0) {
      const result = this.pendingResults.shift()!;
      publishQos1(client, topics.commandResult(this.o.gatewayId), JSON.stringify(result)).then(
        (reasonCode) => {
          if (!isNotDelivered(reasonCode)) return;
          this.o.log.warn({ reasonCode, commandId: result.commandId }, 'command result not delivered; kept');
          this.pendingResults.unshift(result); // sent again when the hold ends
          this.holdAfterNotDelivered();
        },
        (err: Error) =>
          this.o.log.warn({ err: err.message, commandId: result.commandId }, 'command result not sent'),
      );
    }
  }

  private flushDaily(): void {
    const client = this.client;
    while (client?.connected && this.pendingDaily.length > 0) {
      const summary = this.pendingDaily.shift()!;
      publishQos1(client, topics.daily(this.o.gatewayId), JSON.stringify(summary)).then(
        (reasonCode) => {
          if (!isNotDelivered(reasonCode)) return;
          this.o.log.warn({ reasonCode, day: summary.day }, 'daily summary not delivered; kept');
          this.pendingDaily.unshift(summary);
          this.holdAfterNotDelivered();
        },
        (err: Error) => this.o.log.warn({ err: err.message, day: summary.day }, 'daily summary not sent'),
      );
    }
  }

  private configuredWindow(): number {
    return Math.max(1, this.o.inFlightWindow ?? DEFAULT_IN_FLIGHT_WINDOW);
  }

  private connect(): void {
    if (this.stopped) return;
    const version = this.protocol.next();
    const opts: IClientOptions = {
      protocolVersion: version,
      clientId: `gw-${this.o.gatewayId}`,
      username: this.o.gatewayId,
      password: this.o.secret,
      clean: true,
      reconnectPeriod: 0, // our own backoff below
      connectTimeout: 10_000,
      keepalive: 30,
      ...(this.o.caFile ? { ca: readFileSync(this.o.caFile) } : {}),
    };
    const client = mqtt.connect(this.o.url, opts);
    this.client = client;
    let retryAtOnce = false;
    client.on('connect', (connack) => {
      this.stats.connected = true;
      this.stats.connects++;
      this.stats.mqttVersion = version;
      // The reconnect backoff is reset by a delivery, not by a CONNACK: a broker that accepts the link
      // and drops it at once (a refusal) must not be redialled in a hot loop.
      if (this.o.store.size() === 0) this.backoffMs = this.o.reconnectMinMs;
      const receiveMaximum = connack.properties?.receiveMaximum;
      this.windowLimit = Math.min(this.configuredWindow(), receiveMaximum ?? Number.POSITIVE_INFINITY);
      const { first } = this.protocol.connected(version);
      const protocol = version === 5 ? 'MQTT 5' : 'MQTT 3.1.1';
      if (first)
        this.o.log.info(
          { protocol, setting: this.protocol.setting, window: this.windowLimit },
          'cloud link protocol chosen',
        );
      this.o.log.info(
        { url: this.o.url, pending: this.o.store.size(), protocol, window: this.windowLimit },
        'connected to cloud',
      );
      client.subscribe(topics.command(this.o.gatewayId), { qos: 1 }, (err) => {
        if (err) this.o.log.warn({ err: err.message }, 'command subscription refused');
      });
      this.o.onConnect?.();
      this.flushDaily();
      this.flushResults();
      this.pump();
    });
    client.on('message', (_topic, payload) => this.handleCommand(payload));
    client.on('error', (err) => {
      if (this.protocol.refused(version, err)) {
        retryAtOnce = true;
        this.o.log.info(
          { err: err.message },
          'broker refused MQTT 5: using MQTT 3.1.1 for the rest of this run',
        );
        return;
      }
      this.o.log.warn({ err: err.message }, 'cloud link error');
    });
    // A connection that came up and closed with no CONNACK at all says something about the level;
    // one that never came up (broker down, refused) says nothing.
    let reached = false;
    let answered = false;
    const up = () => {
      reached = true;
    };
    client.stream?.once('connect', up).once('secureConnect', up);
    client.on('packetreceive', (p) => {
      if (p.cmd === 'connack') answered = true;
    });
    client.on('close', () => {
      if (this.client !== client) return;
      if (this.stats.connected) this.o.log.warn('cloud link closed');
      else if (reached && !answered && !retryAtOnce) {
        this.protocol.unanswered(version);
        this.o.log.warn(
          { protocol: version === 5 ? 'MQTT 5' : 'MQTT 3.1.1', next: this.protocol.next() },
          'cloud link closed before the broker answered the connect',
        );
      }
      this.stats.connected = false;
      this.client = undefined;
      this.giveUpInFlight();
      client.end(true);
      if (retryAtOnce && !this.stopped) this.connect();
      else this.scheduleReconnect();
    });
  }

  private scheduleReconnect(): void {
    if (this.stopped) return;
    this.o.clock.clearTimeout(this.retryTimer);
    const jitter = 0.8 + Math.random() * 0.4; // many gateways must not reconnect in lockstep
    this.retryTimer = this.o.clock.setTimeout(() => this.connect(), Math.round(this.backoffMs * jitter));
    this.backoffMs = Math.min(this.o.reconnectMaxMs, this.backoffMs * 2);
  }

  /** Everything in flight goes back to waiting: it is all still in the outbox and is all sent again. */
  private giveUpInFlight(): void {
    this.linkGeneration++;
    if (this.window.reset() > 0) this.windowNow = 1;
  }

  private handleCommand(payload: Buffer): void {
    const parsed = parseCommand(payload);
    if (!parsed.ok) {
      this.stats.badCommands++;
      this.o.log.warn({ reason: parsed.reason, detail: parsed.detail }, 'bad command rejected');
      return;
    }
    this.o.onCommand?.(parsed.value);
  }

  /** Fills the window from the outbox's head. */
  private pump(): void {
    const client = this.client;
    if (!client?.connected || this.stopped || this.notDeliveredHold !== undefined) return;
    let limit = Math.min(this.windowLimit, this.windowNow);
    const room = limit - this.window.size;
    if (room <= 0) return;
    const head = this.o.store.peek(this.window.size + room);
    const urgent = (e: StoredEvent) => eventPriority(e.event) === 'urgent';
    const now = this.o.clock.now();
    const next = head.find((e) => !this.window.has(e.seq));
    // Telemetry waits for the pacer; an urgent event at the head goes at once (it travels alone).
    const pacer = next !== undefined && !urgent(next) ? this.pacer : undefined;
    if (pacer) {
      const tokens = pacer.available(now);
      if (tokens < 1) {
        this.pumpLater(pacer.msUntilNext(now));
        return;
      }
      limit = Math.min(limit, this.window.size + tokens);
    }
    const admitted = this.window.admit(head, limit, urgent, now);
    pacer?.take(admitted.filter((e) => !urgent(e)).length, now);
    for (const entry of admitted) this.send(client, entry);
  }

  private send(client: MqttClient, entry: StoredEvent): void {
    const generation = this.linkGeneration;
    const timeoutMs = this.o.publishTimeoutMs ?? 15_000;
    const timer = this.o.clock.setTimeout(
      () => this.linkFailed(client, generation, entry, `no PUBACK within ${timeoutMs} ms`),
      timeoutMs,
    );
    publishQos1(client, topics.events(this.o.gatewayId), JSON.stringify(entry.event)).then(
      (reasonCode) => {
        this.o.clock.clearTimeout(timer);
        if (generation !== this.linkGeneration) return;
        const outcome: DeliveryOutcome = isNotDelivered(reasonCode)
          ? { delivered: false, reasonCode }
          : { delivered: true };
        if (this.window.settle(entry.seq, outcome)) void this.applyOutcomes();
      },
      (err: Error) => {
        this.o.clock.clearTimeout(timer);
        this.linkFailed(client, generation, entry, err.message);
      },
    );
  }

  /** No answer for an event: drop the link; 'close' resends everything that was in flight. */
  private linkFailed(client: MqttClient, generation: number, entry: StoredEvent, why: string): void {
    if (generation !== this.linkGeneration) return; // that link is already given up
    this.stats.failures++;
    this.o.log.warn(
      { err: why, eventId: entry.event.id, inFlight: this.window.size },
      'delivery failed; will retry',
    );
    this.giveUpInFlight();
    client.end(true);
  }

  /** Applies PUBACK outcomes from the oldest event in flight on, in send order. */
  private async applyOutcomes(): Promise<void> {
    if (this.applying) return;
    this.applying = true;
    try {
      for (let slot = this.window.settledFront(); slot; slot = this.window.settledFront()) {
        const { entry, outcome } = slot;
        if (outcome.delivered) {
          await this.o.store.ack(entry.seq);
          this.window.release(entry.seq);
          this.notDeliveredBackoffMs = this.o.reconnectMinMs;
          this.backoffMs = this.o.reconnectMinMs;
          this.windowNow = Math.min(this.windowLimit, this.windowNow * 2);
          this.stats.delivered++;
          this.stats.lastDeliveredAt = new Date(this.o.clock.now()).toISOString();
          const ms = this.o.clock.now() - slot.sentAtMs;
          this.o.log.info(
            { eventId: entry.event.id, kind: entry.event.kind, ms },
            'event delivered (PUBACK)',
          );
          this.o.onDelivered?.(entry, ms);
        } else {
          this.window.release(entry.seq); // stays in the outbox
          this.windowNow = 1;
          this.stats.notDelivered++;
          this.o.log.warn(
            {
              eventId: entry.event.id,
              kind: entry.event.kind,
              reasonCode: outcome.reasonCode,
              notDelivered: this.stats.notDelivered,
            },
            'event not delivered (PUBACK reason); kept in the outbox, will resend',
          );
          this.holdAfterNotDelivered();
        }
      }
    } finally {
      this.applying = false;
    }
    this.pump();
  }

  private pumpLater(ms: number): void {
    if (this.paceTimer !== undefined) return;
    this.paceTimer = this.o.clock.setTimeout(() => {
      this.paceTimer = undefined;
      this.pump();
    }, ms);
  }

  /** Sends nothing new for a backoff: the broker has no consumer now, and a hot loop would not make one. */
  private holdAfterNotDelivered(): void {
    if (this.notDeliveredHold !== undefined) return;
    const waitMs = this.notDeliveredBackoffMs;
    this.notDeliveredBackoffMs = Math.min(this.o.reconnectMaxMs, this.notDeliveredBackoffMs * 2);
    this.notDeliveredHold = this.o.clock.setTimeout(() => {
      this.notDeliveredHold = undefined;
      this.flushDaily();
      this.flushResults();
      this.pump();
    }, waitMs);
  }
}
