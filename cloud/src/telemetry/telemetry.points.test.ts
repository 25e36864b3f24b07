import { describe, expect, it } from 'vitest';
import { caseChangePoint, heartbeatPoints, residentDailyPoint } from './telemetry.points.ts';

describe('telemetry points', () => {
  it('splits a heartbeat into health fields and one point per model', () => {
    const at = new Date('2026-03-01T08:00:00Z');
    const points = heartbeatPoints(
      {
        schema: 1,
        gatewayId: 'gw-1',
        sentAt: at.toISOString(),
        agentVersion: '0.3.0',
        uptimeS: 60,
        outboxDepth: 4,
        drivers: { wristband: 'up', meter: 'down', zigbee: 'up' },
        models: [
          { name: 'fall-cnn', version: '1.2.0' },
          { name: 'emotion', version: '0.1.0' },
        ],
        rssMb: 90,
        cpuPct: 12,
        diskUsedPct: 41,
      },
      at,
    );
    expect(points[0]).toEqual({
      measurement: 'gateway_heartbeat',
      tags: { gateway_id: 'gw-1' },
      fields: {
        outbox_depth: 4,
        drivers_up: 2,
        drivers_down: 1,
        cpu_pct: 12,
        rss_mb: 90,
        uptime_s: 60,
        disk_used_pct: 41,
        agent_version: '0.3.0',
        models: 'fall-cnn@1.2.0,emotion@0.1.0',
      },
      time: at,
    });
    expect(points.slice(1).map((p) => [p.tags.model, p.fields.version])).toEqual([
      ['fall-cnn', '1.2.0'],
      ['emotion', '0.1.0'],
    ]);
  });

  it('records the time to acknowledge on an acknowledged case', () => {
    const p = caseChangePoint({
      caseId: 'c1',
      residentId: 'r1',
      kind: 'fall',
      state: 'acknowledged',
      test: false,
      at: new Date('2026-03-01T08:02:30Z'),
      openedAt: new Date('2026-03-01T08:00:00Z'),
    });
    expect(p.fields).toEqual({ count: 1, case_id: 'c1', ack_s: 150 });
    expect(p.tags).toEqual({ kind: 'fall', state: 'acknowledged', resident_id: 'r1', test: 'false' });
  });

  it('writes only the daily measures a home has, and nothing for an empty day', () => {
    const day = new Date('2026-03-01T00:00:00+08:00');
    expect(residentDailyPoint({ residentId: 'r1', day, steps: 3200, waterLitres: 95 })?.fields).toEqual({
      steps: 3200,
      water_l: 95,
    });
    expect(residentDailyPoint({ residentId: 'r1', day })).toBeUndefined();
  });

  it("writes the day's affect detail as one field per expression", () => {
    const day = new Date('2026-03-01T00:00:00+08:00');
    const shares = {
      angry: 0.1,
      disgust: 0.01,
      fear: 0.04,
      happy: 0.3,
      neutral: 0.4,
      sad: 0.1,
      surprise: 0.05,
    };
    const p = residentDailyPoint({
      residentId: 'r1',
      day,
      affect: 0.12,
      affectDetail: { frames: 900, faces: 240, negativeShare: 0.24, shares },
    });
    expect(p?.fields).toEqual({
      affect: 0.12,
      affect_frames: 900,
      affect_faces: 240,
      affect_negative: 0.24,
      affect_angry: 0.1,
      affect_disgust: 0.01,
      affect_fear: 0.04,
      affect_happy: 0.3,
      affect_neutral: 0.4,
      affect_sad: 0.1,
      affect_surprise: 0.05,
    });
  });
});
