/**
 * What the MQTT payload fuzz suites share, on the embedded broker (mqtt-ingest.fuzz.test.ts) and behind
 * Mosquitto (mqtt-external.fuzz.test.ts): the valid document each topic's mutations start from, the
 * packet-size arithmetic that says which inputs the broker refuses unread, and metric sums.
 */
import type { Home } from '../cloud/cloud-fixture.ts';
import { alertEvent, heartbeat } from '../cloud/cloud-fixture.ts';

export interface FuzzTopic {
  topic: 'events' | 'health' | 'daily';
  seed: number;
  valid: () => Record<string, unknown>;
}

/**
 * One entry per gateway topic: a seed and a fresh valid document to mutate. `gateway` is asked when a
 * document is made (tests are named before their gateway is enrolled).
 */
export function fuzzTopics(gateway: () => Pick<Home, 'gatewayId' | 'residentId'>): FuzzTopic[] {
  return [
    {
      topic: 'events',
      seed: 101,
      valid: () =>
        alertEvent(gateway(), { kind: 'vitals', severity: 'warning' }) as unknown as Record<string, unknown>,
    },
    {
      topic: 'health',
      seed: 202,
      valid: () => heartbeat(gateway().gatewayId) as unknown as Record<string, unknown>,
    },
    {
      topic: 'daily',
      seed: 303,
      valid: () => ({
        schema: 1,
        gatewayId: gateway().gatewayId,
        residentId: gateway().residentId,
        day: '2026-11-22',
        dayStart: '2026-11-21T16:00:00.000Z',
        activeMinutes: 300,
        steps: 1200,
        heartRate: { min: 55, max: 110, mean: 72 },
      }),
    },
  ];
}

/**
 * Remaining Length of a QoS 1 PUBLISH: topic (2 + length), packet id (2), MQTT 5 properties (their
 * length byte, when `mqtt5`), payload.
 */
export const remainingLength = (topic: string, payload: Buffer, mqtt5 = false) =>
  2 + Buffer.byteLength(topic) + 2 + (mqtt5 ? 1 : 0) + payload.byteLength;

/** Sum of every series of a counter in a Prometheus text exposition. */
export const sumMetric = (text: string, name: string) =>
  text
    .split('\n')
    .filter((l) => l.startsWith(`${name}{`) || l.startsWith(`${name} `))
    .reduce((a, l) => a + Number(l.split(' ').pop()), 0);

/** `name=value` for each reason of anju_ingest_rejected_total, for the printed summary. */
export const rejectReasons = (text: string) =>
  text
    .split('\n')
    .filter((l) => l.startsWith('anju_ingest_rejected_total{'))
    .map((l) => `${/reason="([^"]+)"/.exec(l)?.[1]}=${l.split(' ').pop()}`);

/** Fails fast, naming what did not come, instead of hanging until the test's timeout. */
export const within = <T>(p: Promise<T>, what: string, ms = 10_000): Promise<T> =>
  Promise.race([
    p,
    new Promise<never>((_, reject) =>
      setTimeout(() => reject(new Error(`no ${what} within ${ms} ms`)), ms).unref(),
    ),
  ]);
