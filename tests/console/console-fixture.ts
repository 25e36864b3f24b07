/**
 * The console's test world: the roles fixture's two stations (tests/auth), console accounts for their
 * desks, a second worker in station A (so "send the next worker" has someone to send), and helpers to
 * read the texts the cloud wrote and to turn their links into this cloud's address.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { type Home, startWorld, type World } from '../auth/auth-fixture.ts';
import type { Backend } from '../cloud/cloud-fixture.ts';

export const PASSWORD = 'console-test-password-1';
export const SCREENSHOT_DIR = join(import.meta.dirname, '..', '..', 'docs', 'console');

/** The roles world plus station C, which has no workers: its cases text the guardians at once. */
export interface ConsoleWorld extends World {
  c: Home;
}

export async function startConsoleWorld(backend: Backend = 'pglite'): Promise<ConsoleWorld> {
  const w = await startWorld(backend);
  const ok = async (path: string, body: unknown) => {
    const r = await w.t.api('POST', path, body);
    if (r.status >= 300) throw new Error(`POST ${path}: ${r.status} ${r.text}`);
  };
  await ok('/workers', {
    id: 'w-st-a2',
    stationId: 'st-a',
    name: 'Worker A2',
    phone: '+8613900000002',
    home: { lat: 31.25, lon: 121.45 },
    shifts: [{ weekdays: [1, 2, 3, 4, 5, 6, 7], start: '00:00', end: '23:59' }],
  });
  for (const [username, station] of [
    ['desk-a', 'st-a'],
    ['desk-b', 'st-b'],
  ] as const) {
    await ok('/console-api/users', {
      username,
      displayName: `值班 ${station}`,
      role: 'desk',
      stationId: station,
      password: PASSWORD,
    });
  }
  const post = async (path: string, body: unknown) => {
    const r = await w.t.api('POST', path, body);
    if (r.status >= 300) throw new Error(`POST ${path}: ${r.status} ${r.text}`);
    return r.body;
  };
  await post('/stations', { id: 'st-c', name: 'Station st-c' });
  const r = await post('/residents', { name: 'Elder st-c', stationId: 'st-c', lat: 31.24, lon: 121.45 });
  const g = await post(`/residents/${r.id}/guardians`, {
    name: 'Son st-c',
    phone: '+8613800000003',
    language: 'zh-CN',
  });
  const gw = await post('/gateways', { id: 'gw-st-c', residentId: r.id });
  const c: Home = {
    residentId: r.id,
    gatewayId: 'gw-st-c',
    secret: gw.secret,
    guardianId: g.id,
    stationId: 'st-c',
  };
  return { ...w, c };
}

/** The link in the newest text of `type` to `recipientId` about the case, pointed at this cloud. */
export async function linkIn(
  w: ConsoleWorld,
  caseId: string,
  recipientId: string,
  type: string,
): Promise<string> {
  const { rows } = await w.t.db.query<{ body: string }>(
    `SELECT body FROM notifications WHERE case_id = $1 AND recipient_id = $2 AND message_type = $3
     ORDER BY created_at DESC LIMIT 1`,
    [caseId, recipientId, type],
  );
  const m = /(https?:\/\/\S+\/console\/l#\S+)/.exec(rows[0]?.body ?? '');
  if (!m) throw new Error(`no console link in ${type} text to ${recipientId}: ${rows[0]?.body}`);
  const u = new URL(m[1]!);
  return w.t.cloud.httpUrl + u.pathname + u.hash;
}

export async function login(page: Page, base: string, username: string): Promise<void> {
  await page.goto(`${base}/console/`);
  await page.fill('input[name=username]', username);
  await page.fill('input[name=password]', PASSWORD);
  await page.click('button[type=submit]');
  await page.waitForSelector('main .bar h1');
}

/** docs/console/<name>.png when ANJU_SCREENSHOTS=1 (the README's pictures), else nothing. */
export async function screenshot(page: Page, name: string): Promise<void> {
  if (process.env.ANJU_SCREENSHOTS !== '1') return;
  mkdirSync(SCREENSHOT_DIR, { recursive: true });
  await page.screenshot({ path: join(SCREENSHOT_DIR, `${name}.png`), fullPage: true });
}
