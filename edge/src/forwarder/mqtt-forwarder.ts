import { readFileSync } from 'node:fs';
import mqtt, { type IClientOptions, type MqttClient } from 'mqtt';
import type { Command, CommandResult, Heartbeat, ResidentDaily } from '../../../contracts/src/index.ts';
import { parseCommand, topics } from '../../../contracts/src/index.ts';
import type { Clock } from '../clock.ts';
import type { Logger } from '../log/logger.ts';
import type { OutboxStore, StoredEvent } from '../outbox/store.ts';

export interface ForwarderOptions {
  url: string;
  gatewayId: string;
  secret: string;
  caFile?: string | undefined;
  reconnectMinMs: number;
  reconnectMaxMs: number;
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
  lastDeliveredAt?: string;
}

/**
 * Drains the outbox to the cloud over MQTT (QoS 1), strictly in order, one at a time: an entry is
 * deleted only after the broker's PUBACK, so a crash at any point means "sent again", never "lost";
 * the cloud makes the repeat harmless (the event id is the idempotency key).
 */
export class MqttForwarder {
  private client: MqttClient | undefined;
  private stopped = true;
  private draining = false;
  private backoffMs: number;
  private retryTimer: unknown;
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
  };

  constructor(private readonly o: ForwarderOptions) {
    this.backoffMs = o.reconnectMinMs;
  }

  start(): void {
    this.stopped = false;
    this.unsubscribeAppend = this.o.store.onAppend(() => void this.drain());
    this.connect();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.unsubscribeAppend?.();
    this.o.clock.clearTimeout(this.retryTimer);
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
      client.publish(topics.commandResult(this.o.gatewayId), JSON.stringify(result), { qos: 1 }, (err) => {
        if (err)
          this.o.log.warn({ err: err.message, commandId: result.commandId }, 'command result not sent');
      });
    }
  }

  private flushDaily(): void {
    const client = this.client;
    while (client?.connected && this.pendingDaily.length > 0) {
      const summary = this.pendingDaily.shift()!;
      client.publish(topics.daily(this.o.gatewayId), JSON.stringify(summary), { qos: 1 }, (err) => {
        if (err) this.o.log.warn({ err: err.message, day: summary.day }, 'daily summary not sent');
      });
    }
  }

  private connect(): void {
    if (this.stopped) return;
    const opts: IClientOptions = {
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
    client.on('connect', () => {
      this.stats.connected = true;
      this.stats.connects++;
      this.backoffMs = this.o.reconnectMinMs;
      this.o.log.info({ url: this.o.url, pending: this.o.store.size() }, 'connected to cloud');
      client.subscribe(topics.command(this.o.gatewayId), { qos: 1 }, (err) => {
        if (err) this.o.log.warn({ err: err.message }, 'command subscription refused');
      });
      this.o.onConnect?.();
      this.flushDaily();
      this.flushResults();
      void this.drain();
    });
    client.on('message', (_topic, payload) => this.handleCommand(payload));
    client.on('error', (err) => {
      this.o.log.warn({ err: err.message }, 'cloud link error');
    });
    client.on('close', () => {
      if (this.client !== client) return;
      if (this.stats.connected) this.o.log.warn('cloud link closed');
      this.stats.connected = false;
      this.client = undefined;
      client.end(true);
      this.scheduleReconnect();
    });
  }

  private scheduleReconnect(): void {
    if (this.stopped) return;
    this.o.clock.clearTimeout(this.retryTimer);
    const jitter = 0.8 + Math.random() * 0.4; // many gateways must not reconnect in lockstep
    this.retryTimer = this.o.clock.setTimeout(() => this.connect(), Math.round(this.backoffMs * jitter));
    this.backoffMs = Math.min(this.o.reconnectMaxMs, this.backoffMs * 2);
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

  private async drain(): Promise<void> {
    if (this.draining) return;
    this.draining = true;
    try {
      for (;;) {
        const client = this.client;
        const next = this.o.store.peek(1)[0];
        if (!client?.connected || !next || this.stopped) return;
        const started = this.o.clock.now();
        try {
          await this.publishWithTimeout(client, next);
        } catch (err) {
          this.stats.failures++;
          this.o.log.warn(
            { err: (err as Error).message, eventId: next.event.id },
            'delivery failed; will retry',
          );
          client.end(true); // 'close' schedules the reconnect
          return;
        }
        await this.o.store.ack(next.seq);
        this.stats.delivered++;
        this.stats.lastDeliveredAt = new Date(this.o.clock.now()).toISOString();
        const ms = this.o.clock.now() - started;
        this.o.log.info({ eventId: next.event.id, kind: next.event.kind, ms }, 'event delivered (PUBACK)');
        this.o.onDelivered?.(next, ms);
      }
    } finally {
      this.draining = false;
    }
  }

  private publishWithTimeout(client: MqttClient, entry: StoredEvent): Promise<unknown> {
    const timeoutMs = this.o.publishTimeoutMs ?? 15_000;
    let timer: unknown;
    return Promise.race([
      client.publishAsync(topics.events(this.o.gatewayId), JSON.stringify(entry.event), { qos: 1 }),
      new Promise((_, reject) => {
        timer = this.o.clock.setTimeout(
          () => reject(new Error(`no PUBACK within ${timeoutMs} ms`)),
          timeoutMs,
        );
      }),
    ]).finally(() => this.o.clock.clearTimeout(timer));
  }
}
