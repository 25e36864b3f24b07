import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Value } from '@sinclair/typebox/value';
import pino from 'pino';
import type { AlertEvent } from '../../contracts/src/index.ts';
import { LocalBus } from '../../edge/src/bus/local-broker.ts';
import { silentLogger } from '../../edge/src/log/logger.ts';
import {
  type NodeRedConfig,
  NodeRedConfigSchema,
  type NodeRedHandle,
  startNodeRed,
} from '../../edge/src/nodered/index.ts';
import { FileOutbox } from '../../edge/src/outbox/index.ts';
import { createRaiseEvent } from '../../edge/src/outbox/raise-event.ts';

export const TIMEZONE = 'Asia/Shanghai';
// ANJU_TEST_LOG=debug shows Node-RED's log (through pino) while a test runs.
const log = process.env.ANJU_TEST_LOG ? pino({ level: process.env.ANJU_TEST_LOG }) : silentLogger;

/** Local HH:MM in the flows' TIMEZONE, `offsetMin` from now. */
export function hhmm(offsetMin = 0): string {
  return new Intl.DateTimeFormat('en-GB', {
    timeZone: TIMEZONE,
    hour: '2-digit',
    minute: '2-digit',
    hourCycle: 'h23',
  }).format(new Date(Date.now() + offsetMin * 60_000));
}

export interface Harness {
  bus: LocalBus;
  outbox: FileOutbox;
  nodeRed: NodeRedHandle;
  /** Messages seen on the local broker, by topic. */
  seen: { topic: string; payload: unknown }[];
  /** Resolves with the first event in the outbox matching `match`, or rejects after `timeoutMs`. */
  event(match: (e: AlertEvent) => boolean, timeoutMs?: number): Promise<AlertEvent>;
  message(topic: string, timeoutMs?: number): Promise<unknown>;
  stop(): Promise<void>;
}

async function until<T>(find: () => T | undefined, timeoutMs: number, what: string): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const found = find();
    if (found !== undefined) return found;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

/**
 * The gateway's Node-RED as the gateway runs it: a real LocalBus (aedes), the real FileOutbox in a temp
 * dir, and the embedded runtime loading the shipped flows with `config` (flowEnv etc.) on top of defaults.
 */
export async function startHarness(config: Partial<NodeRedConfig> = {}): Promise<Harness> {
  const dataDir = mkdtempSync(join(tmpdir(), 'anju-nodered-'));
  const bus = await LocalBus.start({ host: '127.0.0.1', port: 0, log: silentLogger });
  const outbox = new FileOutbox(join(dataDir, 'outbox'), silentLogger);
  const seen: Harness['seen'] = [];
  bus.subscribe('home/#', (topic, payload) => seen.push({ topic, payload }));
  const raise = createRaiseEvent({
    outbox,
    bus,
    gatewayId: 'gw-test',
    residentId: 'r-1',
    now: Date.now,
    log: silentLogger,
  });
  const parsed = Value.Default(NodeRedConfigSchema, structuredClone(config)) as NodeRedConfig;
  const nodeRed = await startNodeRed({ config: parsed, dataDir, bus, raise, log });
  if (!nodeRed) throw new Error('node-red disabled');
  return {
    bus,
    outbox,
    nodeRed,
    seen,
    event: (match, timeoutMs = 10_000) =>
      until(() => outbox.peek(1000).find((s) => match(s.event))?.event, timeoutMs, 'an event in the outbox'),
    message: (topic, timeoutMs = 10_000) =>
      until(() => seen.find((m) => m.topic === topic)?.payload, timeoutMs, `a message on ${topic}`),
    async stop() {
      await nodeRed.stop();
      await bus.close();
    },
  };
}
