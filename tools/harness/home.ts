import { existsSync, mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import type { AlertEvent } from '../../contracts/src/index.ts';
import { waitFor } from './net.ts';
import { apiClient, type CloudProc, startCloudProcess } from './processes.ts';
import { startPtyPair } from './socat.ts';

export const API_TOKEN = 'e2e-token-0123456789';

/** Databases the end-to-end suites run against: embedded PGlite always, real PostgreSQL when DATABASE_URL is set. */
export const databases: {
  name: string;
  fresh: () => Promise<{ url: string | undefined; drop: () => Promise<void> }>;
}[] = [{ name: 'PGlite (embedded)', fresh: async () => ({ url: undefined, drop: async () => {} }) }];
if (process.env.DATABASE_URL) {
  const admin = process.env.DATABASE_URL;
  databases.push({
    name: 'PostgreSQL (DATABASE_URL)',
    fresh: async () => {
      const name = `anju_e2e_${Date.now()}_${Math.floor(Math.random() * 1e6)}`;
      const c = new pg.Client({ connectionString: admin });
      await c.connect();
      await c.query(`CREATE DATABASE ${name}`);
      await c.end();
      const url = new URL(admin);
      url.pathname = `/${name}`;
      return {
        url: url.toString(),
        drop: async () => {
          const d = new pg.Client({ connectionString: admin });
          await d.connect();
          await d.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
          await d.end();
        },
      };
    },
  });
}

export interface Household {
  dir: string;
  rx: string;
  tx: string;
  residentId: string;
  guardianPhone: string;
  gatewayId: string;
  secret: string;
}

/** A resident with a guardian and a registered gateway, created through the REST API as the duty desk would. */
export async function enrolHousehold(
  cloud: CloudProc,
  opts: { guardianLanguage?: 'zh-CN' | 'en'; gatewayId?: string } = {},
): Promise<Household> {
  const api = apiClient(cloud.httpUrl, API_TOKEN);
  const resident = await api.post('/residents', {
    name: '王秀英',
    address: '上海市静安区 1 号 101 室',
    language: 'zh-CN',
  });
  if (resident.status !== 201)
    throw new Error(`POST /residents → ${resident.status} ${JSON.stringify(resident.body)}`);
  const guardianPhone = `+86139${String(Math.floor(Math.random() * 1e8)).padStart(8, '0')}`;
  const guardian = await api.post(`/residents/${resident.body.id}/guardians`, {
    name: '李明',
    phone: guardianPhone,
    language: opts.guardianLanguage ?? 'zh-CN',
  });
  if (guardian.status !== 201)
    throw new Error(`POST guardians → ${guardian.status} ${JSON.stringify(guardian.body)}`);
  const gatewayId = opts.gatewayId ?? `gw-${Math.floor(Math.random() * 1e9)}`;
  const gw = await api.post('/gateways', { id: gatewayId, residentId: resident.body.id });
  if (gw.status !== 201) throw new Error(`POST /gateways → ${gw.status} ${JSON.stringify(gw.body)}`);
  const dir = mkdtempSync(join(tmpdir(), 'anju-home-'));
  return {
    dir,
    rx: join(dir, 'band-rx'),
    tx: join(dir, 'band-tx'),
    residentId: resident.body.id,
    guardianPhone,
    gatewayId,
    secret: gw.body.secret,
  };
}

/**
 * The events waiting in the household gateway's outbox (data dir `<dir>/data`, as startGatewayProcess writes it),
 * oldest first: raised and on disk, not yet PUBACKed. State to wait on instead of the gateway's log lines.
 */
export function outboxEvents(h: Pick<Household, 'dir'>): AlertEvent[] {
  const dir = join(h.dir, 'data', 'outbox');
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((f) => /^\d{12}\.json$/.test(f))
    .sort()
    .map((f) => JSON.parse(readFileSync(join(dir, f), 'utf8')) as AlertEvent);
}

/**
 * Resolves once the cloud holds a heartbeat from this gateway received at or after `sinceMs`. A gateway
 * sends one as soon as its link is up (CONNACK in hand), so this is "connected to cloud" as the cloud saw it.
 */
export async function heardFrom(
  api: ReturnType<typeof apiClient>,
  gatewayId: string,
  sinceMs = 0,
  timeoutMs = 30_000,
): Promise<void> {
  await waitFor(
    async () => {
      // A refused or reset request is "not yet" (a loaded cloud may drop a kept-alive socket), not a failure.
      const at = (await api.get(`/gateways/${gatewayId}`).catch(() => undefined))?.body?.lastHeartbeatAt;
      return typeof at === 'string' && Date.parse(at) >= sinceMs;
    },
    timeoutMs,
    `a heartbeat from ${gatewayId} in the cloud`,
  );
}

export async function ptysFor(h: Household) {
  return startPtyPair(h.rx, h.tx);
}

export { startCloudProcess };
