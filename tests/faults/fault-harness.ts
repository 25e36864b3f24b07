/**
 * Shared by the fault suites: a real cloud process and gateway processes, a burst of events raised
 * through the agent's own paths (SOS presses as the wristband driver publishes them, and `anju-gw test`
 * requests — both on the gateway's local broker), and the ledger every fault test prints:
 * `sent= delivered= duplicated= lost=`.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import mqtt, { type MqttClient } from 'mqtt';
import { agentTopics, RUNTIME_FILE } from '../../edge/src/agent/agent-status.ts';
import { API_TOKEN } from '../../tools/harness/home.ts';
import { waitFor } from '../../tools/harness/net.ts';
import { apiClient, type CloudProc, type LogLine, type Proc } from '../../tools/harness/processes.ts';

/** Rounds per scenario: ANJU_FAULT_ROUNDS, else the CI default given by each suite. */
export const rounds = (ciDefault: number) => Number(process.env.ANJU_FAULT_ROUNDS ?? ciDefault);

/**
 * Gateway config for the fault suites (`extraConfig`): the threshold scorer (fast start), SOS presses never
 * deduped (each press is one event), no Node-RED, plus what the suite adds (e.g. an outbox bound).
 */
export const faultGatewayConfig = (extra: Record<string, unknown> = {}) => ({
  fall: { scorer: 'fall-baseline', confirmWindowMs: 1000, dedupeMs: 0 },
  nodeRed: { enabled: false },
  ...extra,
});

/** A client on the running agent's local broker (its port is in `<dataDir>/agent.runtime.json`). */
export async function localBus(dataDir: string): Promise<MqttClient> {
  const runtime = JSON.parse(readFileSync(join(dataDir, RUNTIME_FILE), 'utf8')) as {
    localBrokerHost: string;
    localBrokerPort: number;
  };
  return mqtt.connectAsync(`mqtt://${runtime.localBrokerHost}:${runtime.localBrokerPort}`, {
    reconnectPeriod: 0,
    connectTimeout: 5000,
  });
}

let requests = 0;
/** One SOS press (urgent, critical) as the wristband driver publishes it. */
export const pressSos = (bus: MqttClient, device = 'band1') =>
  bus.publishAsync(`home/${device}/button`, JSON.stringify({ tMs: Date.now(), button: 'sos' }));
/** One `anju-gw test` request: a device_health test event (telemetry class). */
export const requestTest = (bus: MqttClient) =>
  bus.publishAsync(
    agentTopics.testRequest,
    JSON.stringify({ requestId: `fault-${process.pid}-${++requests}` }),
  );

/** Event ids a gateway process logged as raised (durable: logged only after the fsync and rename). */
export const raisedIds = (p: Proc) => idsOf(p.lines, 'event raised (on disk)');
export const deliveredIds = (p: Proc) => idsOf(p.lines, 'event delivered (PUBACK)');
export const droppedIds = (p: Proc) => idsOf(p.lines, 'outbox dropped a telemetry event');
const idsOf = (lines: LogLine[], msg: string) =>
  lines.filter((l) => l.msg === msg).map((l) => String(l.eventId));

/** Files waiting in a gateway's outbox directory. */
export const outboxFiles = (dataDir: string) => {
  const dir = join(dataDir, 'outbox');
  return existsSync(dir) ? readdirSync(dir).filter((f) => f.endsWith('.json')) : [];
};

export interface CloudEvent {
  id: string;
  kind: string;
  receivedAt: string;
  seq?: number;
}

/** Every case of the resident, and every event stored in them, through the REST API. */
export async function cloudLedger(cloud: CloudProc, residentId: string) {
  const api = apiClient(cloud.httpUrl, API_TOKEN);
  const cases = (await api.get(`/cases?residentId=${residentId}&limit=500`)).body.items as {
    id: string;
    kind: string;
    status: string;
    test?: boolean;
  }[];
  const events: CloudEvent[] = [];
  for (const c of cases) events.push(...((await api.get(`/cases/${c.id}`)).body.events as CloudEvent[]));
  return { cases, events };
}

/** Waits until the cloud holds at least `n` events of the resident. */
export const cloudHasAtLeast = (cloud: CloudProc, residentId: string, n: number, timeoutMs = 60_000) =>
  waitFor(
    async () => (await cloudLedger(cloud, residentId)).events.length >= n,
    timeoutMs,
    `${n} events in the cloud`,
  );

export interface Tally {
  sent: number;
  delivered: number;
  duplicated: number;
  lost: number;
  line: string;
}

/**
 * sent = events the gateway acknowledged as raised; delivered = distinct sent ids stored in the cloud;
 * duplicated = ids stored more than once (must be 0: the id is the key); lost = sent − delivered −
 * dropped (telemetry the outbox let go and counted, each named in its log line).
 */
export function tally(
  name: string,
  sent: readonly string[],
  stored: readonly Pick<CloudEvent, 'id'>[],
  extra: { dropped?: readonly string[]; note?: string } = {},
): Tally {
  const counts = new Map<string, number>();
  for (const e of stored) counts.set(e.id, (counts.get(e.id) ?? 0) + 1);
  const dropped = new Set(extra.dropped ?? []);
  const sentSet = new Set(sent);
  const delivered = [...sentSet].filter((id) => counts.has(id)).length;
  const duplicated = [...counts.values()].filter((c) => c > 1).length;
  const lost = [...sentSet].filter((id) => !counts.has(id) && !dropped.has(id)).length;
  const line = `${name}: sent=${sentSet.size} delivered=${delivered} duplicated=${duplicated} lost=${lost}${
    extra.dropped ? ` dropped_counted=${dropped.size}` : ''
  }${extra.note ? ` ${extra.note}` : ''}`;
  console.log(line);
  return { sent: sentSet.size, delivered, duplicated, lost, line };
}
