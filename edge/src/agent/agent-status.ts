import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Heartbeat } from '../../../contracts/src/index.ts';
import type { CameraStatus } from '../camera/index.ts';
import type { DriverHealth } from '../drivers/driver.ts';
import type { SupervisionSummary } from '../supervision/index.ts';

/** Local-broker topics the installer CLI (`anju-gw status`, `anju-gw test`) talks to the running agent on. */
export const agentTopics = {
  /** Retained: the agent's latest status (every 10 s and on change). */
  status: 'home/agent/status',
  /** `{ requestId }`: raise a synthetic test event end to end. */
  testRequest: 'home/agent/test_request',
  /** Hop notices of one test request: `{ hop: 'raised' | 'delivered' | 'acknowledged' | 'failed', … }`. */
  testHops: (requestId: string) => `home/agent/test/${requestId}`,
  /** `{ room, enabled }`: the camera privacy switch (`anju-gw cameras on|off <room>`), applied at once. */
  camerasSet: 'home/agent/cameras/set',
} as const;

/** Written by the agent into its data dir: how to reach it when the config says `localBroker.port: 0`. */
export const RUNTIME_FILE = 'agent.runtime.json';
export interface AgentRuntime {
  pid: number;
  localBrokerHost: string;
  localBrokerPort: number;
  startedAt: string;
}
export function writeRuntimeFile(dataDir: string, runtime: AgentRuntime): void {
  writeFileSync(join(dataDir, RUNTIME_FILE), `${JSON.stringify(runtime)}\n`);
}

export interface AgentStatus {
  gatewayId: string;
  agentVersion: string;
  pid: number;
  publishedAt: string;
  uptimeS: number;
  drivers: ({ id: string } & DriverHealth)[];
  models: Heartbeat['models'];
  outbox: {
    depth: number;
    growing: boolean;
    /** Telemetry-class events dropped since start, by reason (urgent events never are). */
    dropped?: Heartbeat['outboxDropped'];
    /** Urgent events the disk refused, held in memory and retried. */
    unwritable?: number | undefined;
  };
  cloud: {
    connected: boolean;
    delivered: number;
    failures: number;
    /** Events the broker acknowledged without passing on (MQTT 5 PUBACK 0x10 or ≥ 0x80), kept and resent. */
    notDelivered?: number | undefined;
    /** Protocol level of the link: 4 (MQTT 3.1.1) or 5. */
    mqttVersion?: 4 | 5 | undefined;
    lastDeliveredAt?: string | undefined;
  };
  lastHeartbeatSentAt?: string | undefined;
  /** While the inactivity scorer is still learning the home (day k of n). */
  homeLearning?: Heartbeat['homeLearning'];
  diskUsedPct?: number | undefined;
  cpuPct: number;
  rssMb: number;
  /**
   * Cameras: the privacy switch (`enabled: false` = not opened) and, from agents with the camera pipeline,
   * state, frames, faces and errors. Absent from agents older than the switch.
   */
  cameras?:
    | ({ room: string; enabled: boolean } & Partial<Omit<CameraStatus, 'room' | 'enabled'>>)[]
    | undefined;
  /** The home's equipment at a glance and its open faults (issue 16). Absent from older agents. */
  supervision?: SupervisionSummary | undefined;
  /** Why the agent is not all well; empty when it is. */
  problems: string[];
}

/** What is wrong, in an installer's words: a driver down, the cloud link down, the outbox growing. */
export function statusProblems(
  s: Pick<AgentStatus, 'drivers' | 'cloud' | 'outbox' | 'supervision'>,
): string[] {
  const problems: string[] = [];
  for (const d of s.drivers)
    if (d.state !== 'up') problems.push(`driver ${d.id} is down${d.detail ? ` (${d.detail})` : ''}`);
  if (!s.cloud.connected) problems.push('cloud link is down');
  if (s.outbox.growing) problems.push(`outbox is growing (${s.outbox.depth} events waiting)`);
  if (s.outbox.unwritable)
    problems.push(`${s.outbox.unwritable} urgent event(s) could not be written to disk (retrying)`);
  for (const f of s.supervision?.faults ?? [])
    problems.push(`fault ${f.fault} on ${f.device} since ${f.since}`);

  return problems;
}

/**
 * Publishes the retained status every `intervalMs` and, checked each second, whenever something an
 * installer would notice changed (a driver's state, the cloud link, the outbox depth).
 */
export function startStatusPublisher(o: {
  build: () => Omit<AgentStatus, 'problems' | 'outbox'> & {
    outboxDepth: number;
    outboxDropped?: Heartbeat['outboxDropped'];
    outboxUnwritable?: number | undefined;
  };
  publish: (status: AgentStatus) => void;
  intervalMs?: number;
  now: () => number;
}): { publishNow(): void; stop(): void } {
  const intervalMs = o.intervalMs ?? 10_000;
  const depths: { at: number; depth: number }[] = [];
  let lastKey = '';
  let lastAt = 0;
  const growing = (depth: number, at: number) => {
    depths.push({ at, depth });
    while (depths.length > 0 && at - depths[0]!.at > 60_000) depths.shift();
    const first = depths[0]!;
    // Growing: more waiting than up to a minute ago, and nothing drained in between.
    return (
      depth > 0 &&
      depth > first.depth &&
      at - first.at >= 5_000 &&
      depths.every((d, i) => i === 0 || d.depth >= depths[i - 1]!.depth)
    );
  };
  const tick = (force: boolean) => {
    const { outboxDepth, outboxDropped, outboxUnwritable, ...rest } = o.build();
    const at = o.now();
    const outbox = {
      depth: outboxDepth,
      growing: growing(outboxDepth, at),
      ...(outboxDropped ? { dropped: outboxDropped } : {}),
      ...(outboxUnwritable ? { unwritable: outboxUnwritable } : {}),
    };
    const key = JSON.stringify([
      rest.drivers.map((d) => [d.id, d.state]),
      rest.cloud.connected,
      outbox,
      rest.cameras?.map((c) => [c.room, c.enabled, c.state]),
      rest.supervision?.faults,
    ]);
    if (!force && key === lastKey && at - lastAt < intervalMs) return;
    lastKey = key;
    lastAt = at;
    const status = { ...rest, outbox, problems: [] as string[] };
    status.problems = statusProblems(status);
    o.publish(status);
  };
  tick(true);
  const timer = setInterval(() => tick(false), 1000);
  timer.unref();
  return { publishNow: () => tick(true), stop: () => clearInterval(timer) };
}
