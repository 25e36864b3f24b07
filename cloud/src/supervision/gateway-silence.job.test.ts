import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { AlertEvent } from '../../../contracts/src/index.ts';
import type { CasesService } from '../cases/index.ts';
import { type Db, IN_MEMORY, migrate, openPgliteDb } from '../db/index.ts';
import { createLogger } from '../log/logger.ts';
import { createCloudMetrics } from '../metrics/index.ts';
import { createGatewaySilenceJob } from './gateway-silence.job.ts';
import { createGatewaySilenceRepository } from './gateway-silence.repository.ts';
import type { ResolvedSupervision } from './supervision.config.ts';

// The restart rule with a hand-moved clock against the real SQL (PGlite): interval 60 s, grace 30 s,
// restart grace 60 s, an outage is a tick gap over 20 s.
const config: ResolvedSupervision = {
  defaultHeartbeatIntervalS: 60,
  graceS: 30,
  restartGraceS: 60,
  outageGapS: 20,
  pollIntervalMs: 0, // the test decides when a tick runs
};
const T0 = Date.parse('2026-01-05T03:00:00Z');
const at = (s: number) => new Date(T0 + s * 1000);

describe('gateway-silence job: deadlines after a cloud restart are per gateway and bounded', () => {
  let db: Db;
  let now: Date;
  let raised: AlertEvent[];
  let job: ReturnType<typeof createGatewaySilenceJob>;

  /** What a recorded heartbeat does to the row (interval 60 + grace 30 from when it was heard). */
  const heartbeat = (id: string, s: number) =>
    db.query(
      `UPDATE gateways SET last_heartbeat_at = $2, silent_due_at = $2::timestamptz + interval '90 seconds'
       WHERE id = $1`,
      [id, at(s)],
    );
  const tickAt = async (s: number) => {
    now = at(s);
    const before = raised.length;
    await job.runDue();
    return raised.slice(before).map((e) => e.gatewayId);
  };

  beforeAll(async () => {
    db = await openPgliteDb({ dataDir: IN_MEMORY });
    await migrate(db);
  });
  afterAll(() => db.close());
  beforeEach(async () => {
    await db.exec('DELETE FROM gateways; DELETE FROM residents; DELETE FROM supervision_clock');
    const ids = ['dead', 'back', 'late', ...Array.from({ length: 20 }, (_, i) => `trickle-${i}`)];
    for (const id of ids) {
      await db.query('INSERT INTO residents (id, name) VALUES ($1, $1)', [`r-${id}`]);
      await db.query("INSERT INTO gateways (id, resident_id, secret_hash) VALUES ($1, $2, 'x')", [
        id,
        `r-${id}`,
      ]);
      await heartbeat(id, -10);
    }
    // A replica was ticking just before: the first tick of the test sees no outage.
    await db.query('INSERT INTO supervision_clock (id, last_tick_at) VALUES (1, $1)', [at(-1)]);
    raised = [];
    let n = 0;
    const cases = {
      recordIn: async (_tx: unknown, ev: AlertEvent) => {
        raised.push(ev);
        return { outcome: { status: 'stored', caseId: `case-${++n}`, opened: true }, level2At: null };
      },
      recorded: (_ev: AlertEvent, r: { outcome: unknown }) => r.outcome,
    } as unknown as CasesService;
    job = createGatewaySilenceJob({
      db,
      silence: createGatewaySilenceRepository(config),
      cases,
      config,
      clock: { now: () => now },
      metrics: createCloudMetrics(),
      log: createLogger('silent', { pretty: false }),
      respond: () => {},
    });
  });

  it('without an outage a gateway is silent at its last heartbeat + interval + grace', async () => {
    for (const id of ['back', 'late']) await heartbeat(id, 60);
    for (let i = 0; i < 20; i++) await heartbeat(`trickle-${i}`, 60);
    // A tick every 5 s (a gap over 20 s would be an outage); 'dead' is due at -10 + 90 = 80.
    for (let s = 0; s < 80; s += 5) expect(await tickAt(s)).toEqual([]);
    expect(await tickAt(80)).toEqual(['dead']);
    expect(await tickAt(85)).toEqual([]); // one case, not one per tick
  });

  it('after a restart: the unheard are silent at restart + restartGrace + interval + grace, whoever still trickles back', async () => {
    expect(await tickAt(0)).toEqual([]);
    // The cloud is down from 5 s to 300 s: every deadline (80 s) passes while nobody listens.
    expect(await tickAt(300)).toEqual([]); // the restart is seen (gap 295 s > 20 s): nothing raised
    // The restart deadline of a gateway not heard since: 300 + 60 + 60 + 30 = 450 s. The fleet comes
    // back one gateway every 5 s until after it (under the old fleet-wide rule this held every deadline
    // off while the count grew); each one heard keeps its heartbeat every 60 s.
    const heardAt = new Map<string, number>([['back', 310]]);
    await heartbeat('back', 310);
    let next = 0;
    for (let s = 305; s < 450; s += 5) {
      if (next < 20 && s >= 350) {
        heardAt.set(`trickle-${next}`, s);
        await heartbeat(`trickle-${next++}`, s);
      }
      for (const [id, t] of heardAt)
        if (s - t >= 60) {
          heardAt.set(id, s);
          await heartbeat(id, s);
        }
      expect(await tickAt(s)).toEqual([]); // no false alarm while the fleet reconnects
    }
    // 'dead' (never heard after the restart) and 'late' (back only at 460, after the bound) are raised;
    // everyone heard within restartGrace + interval + grace is not.
    expect((await tickAt(451)).sort()).toEqual(['dead', 'late']);
    await heartbeat('late', 460);
    expect(await tickAt(456)).toEqual([]);
    const ev = raised.find((e) => e.gatewayId === 'dead')!;
    expect(ev.evidence).toMatchObject({ fault: 'gateway_silent', faultState: 'raised', intervalS: 60 });
  });

  it('a second outage before the first restart deadline passes moves it once more, to the newest restart', async () => {
    expect(await tickAt(0)).toEqual([]);
    expect(await tickAt(300)).toEqual([]); // restart 1: the unheard are silent at 450
    for (let s = 305; s <= 330; s += 5) expect(await tickAt(s)).toEqual([]);
    // restart 2 (gap 70 s): at 400 + 150 = 550 — the bound counts from the newest restart.
    for (let s = 400; s <= 545; s += 5) expect(await tickAt(s)).toEqual([]);
    expect((await tickAt(550)).length).toBe(23); // nobody heard since: all of them, exactly once
    expect(await tickAt(555)).toEqual([]);
  });
});
