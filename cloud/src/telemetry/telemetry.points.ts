/**
 * The InfluxDB schema of Anju's telemetry: one typed builder per measurement, so every writer and every
 * dashboard query agrees on names. Tags are the few low-cardinality keys panels group by; everything
 * else is a field. Numbers are written as floats throughout (InfluxDB fixes a field's type per shard on
 * first write, so mixing 1 and 1i would get later points rejected).
 *
 * | measurement         | tags                                         | fields                                                                                  |
 * | ------------------- | -------------------------------------------- | --------------------------------------------------------------------------------------- |
 * | `events`            | kind, severity, gateway_id, resident_id, test | count (=1)                                                                              |
 * | `case_changes`      | kind, state (opened/acknowledged), resident_id, test | count (=1), case_id, ack_s (acknowledged only: seconds since opened)           |
 * | `gateway_heartbeat` | gateway_id                                   | outbox_depth, drivers_up, drivers_down, battery_pct?, cpu_pct, rss_mb, disk_used_pct?, uptime_s, agent_version, models |
 * | `gateway_models`    | gateway_id, model                            | version                                                                                 |
 * | `resident_daily`    | resident_id                                  | active_min, steps, hr_min, hr_max, hr_mean, affect, affect_frames, affect_faces, affect_negative, affect_<expression> (angry … surprise: the day's share), water_l, electricity_kwh (each optional) |
 */
import type { AffectDetail, AlertEvent, Heartbeat } from '../../../contracts/src/index.ts';

export type FieldValue = number | string | boolean;

/** One line of InfluxDB line protocol, before encoding. */
export interface TelemetryPoint {
  readonly measurement: Measurement;
  readonly tags: Readonly<Record<string, string>>;
  readonly fields: Readonly<Record<string, FieldValue>>;
  readonly time: Date;
}

export const MEASUREMENTS = {
  events: 'events',
  caseChanges: 'case_changes',
  gatewayHeartbeat: 'gateway_heartbeat',
  gatewayModels: 'gateway_models',
  residentDaily: 'resident_daily',
} as const;
export type Measurement = (typeof MEASUREMENTS)[keyof typeof MEASUREMENTS];

/** An alert event committed by ingest (duplicates are not counted). Time = when it happened. */
export function eventPoint(ev: AlertEvent): TelemetryPoint {
  return {
    measurement: MEASUREMENTS.events,
    tags: {
      kind: ev.kind,
      severity: ev.severity,
      gateway_id: ev.gatewayId,
      resident_id: ev.residentId,
      test: String(ev.test === true),
    },
    fields: { count: 1 },
    time: new Date(ev.occurredAt),
  };
}

export type CaseState = 'opened' | 'acknowledged';

export interface CaseChange {
  caseId: string;
  residentId: string;
  kind: string;
  state: CaseState;
  test: boolean;
  at: Date;
  /** For `acknowledged`: when the case was opened, to record the time to acknowledge. */
  openedAt?: Date;
}

export function caseChangePoint(c: CaseChange): TelemetryPoint {
  const fields: Record<string, FieldValue> = { count: 1, case_id: c.caseId };
  if (c.state === 'acknowledged' && c.openedAt) {
    fields.ack_s = Math.max(0, (c.at.getTime() - c.openedAt.getTime()) / 1000);
  }
  return {
    measurement: MEASUREMENTS.caseChanges,
    tags: { kind: c.kind, state: c.state, resident_id: c.residentId, test: String(c.test) },
    fields,
    time: c.at,
  };
}

/**
 * A gateway's health summary: the contract's Heartbeat plus what later heartbeats may carry (disk).
 * Time = when the cloud received it (gateway clocks drift; the panels want arrival order).
 */
export type GatewayHealth = Heartbeat;

export function heartbeatPoints(hb: GatewayHealth, receivedAt: Date): TelemetryPoint[] {
  const states = Object.values(hb.drivers);
  const fields: Record<string, FieldValue> = {
    outbox_depth: hb.outboxDepth,
    drivers_up: states.filter((s) => s === 'up').length,
    drivers_down: states.filter((s) => s === 'down').length,
    cpu_pct: hb.cpuPct,
    rss_mb: hb.rssMb,
    uptime_s: hb.uptimeS,
    agent_version: hb.agentVersion,
    models: hb.models.map((m) => `${m.name}@${m.version}`).join(','),
  };
  if (hb.batteryPct !== undefined) fields.battery_pct = hb.batteryPct;
  if (hb.diskUsedPct !== undefined) fields.disk_used_pct = hb.diskUsedPct;
  return [
    {
      measurement: MEASUREMENTS.gatewayHeartbeat,
      tags: { gateway_id: hb.gatewayId },
      fields,
      time: receivedAt,
    },
    ...hb.models.map((m) => ({
      measurement: MEASUREMENTS.gatewayModels,
      tags: { gateway_id: hb.gatewayId, model: m.name },
      fields: { version: m.version },
      time: receivedAt,
    })),
  ];
}

/**
 * One resident's day, summarised on the gateway (no raw samples leave the home). Not on the wire yet:
 * the gateway's daily aggregate message will carry it. Every measure is optional (a home without a
 * water meter sends no water_l).
 */
export interface ResidentDaily {
  residentId: string;
  /** Local midnight that starts the day. */
  day: Date;
  activeMinutes?: number;
  steps?: number;
  heartRate?: { min: number; max: number; mean: number };
  /** Mean affect over the day, -1 (distressed) … +1 (content), from the emotion scorer. */
  affect?: number;
  /** The day's faces: counts, negative share and the mean probability of each expression. */
  affectDetail?: AffectDetail;
  waterLitres?: number;
  electricityKwh?: number;
}

export function residentDailyPoint(d: ResidentDaily): TelemetryPoint | undefined {
  const fields: Record<string, FieldValue> = {};
  if (d.activeMinutes !== undefined) fields.active_min = d.activeMinutes;
  if (d.steps !== undefined) fields.steps = d.steps;
  if (d.heartRate) {
    fields.hr_min = d.heartRate.min;
    fields.hr_max = d.heartRate.max;
    fields.hr_mean = d.heartRate.mean;
  }
  if (d.affect !== undefined) fields.affect = d.affect;
  if (d.affectDetail) {
    fields.affect_frames = d.affectDetail.frames;
    fields.affect_faces = d.affectDetail.faces;
    fields.affect_negative = d.affectDetail.negativeShare;
    for (const [expression, share] of Object.entries(d.affectDetail.shares))
      fields[`affect_${expression}`] = share;
  }
  if (d.waterLitres !== undefined) fields.water_l = d.waterLitres;
  if (d.electricityKwh !== undefined) fields.electricity_kwh = d.electricityKwh;
  if (Object.keys(fields).length === 0) return undefined; // InfluxDB refuses a point without fields
  return {
    measurement: MEASUREMENTS.residentDaily,
    tags: { resident_id: d.residentId },
    fields,
    time: d.day,
  };
}
