/**
 * The web console in real headless Chromium against a real cloud (HTTP + MQTT, PGlite): cases opened
 * the real way (an alert over MQTT from the resident's gateway), texts read from what the cloud wrote.
 */
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLinkSigner } from '../../cloud/src/console/index.ts';
import { JWT_SECRET } from '../auth/auth-fixture.ts';
import { waitFor } from '../cloud/cloud-fixture.ts';
import { type Browser, ensureConsoleBuilt, launchBrowser } from './browser.ts';
import {
  type ConsoleWorld,
  linkIn,
  login,
  PASSWORD,
  screenshot,
  startConsoleWorld,
} from './console-fixture.ts';

describe('web console in Chromium', () => {
  let w: ConsoleWorld;
  let browser: Browser;
  let base: string;
  let desk: Page;

  beforeAll(async () => {
    ensureConsoleBuilt();
    w = await startConsoleWorld('pglite');
    base = w.t.cloud.httpUrl;
    browser = await launchBrowser();
    desk = await (await browser.context()).newPage();
    await login(desk, base, 'desk-a');
  }, 240_000); // a hang guard: a cloud, a browser and two logins on a loaded 2-core machine
  afterAll(async () => {
    await browser?.close();
    await w?.t.close();
  });

  const statusOf = async (id: string) =>
    (await w.t.db.query<{ status: string }>('SELECT status FROM cases WHERE id = $1', [id])).rows[0]?.status;

  it('shows a new fall case on the desk live, and the desk sends the next worker', async () => {
    const caseId = await w.openCase(w.a, 'fall');
    const row = desk.locator(`tr[data-case-id="${caseId}"]`);
    await row.waitFor({ timeout: 5_000 }); // no reload: the row came over the event stream
    await screenshot(desk, 'desk-1280');
    await row.click();
    await desk.waitForSelector(`main.case[data-case="${caseId}"]`);
    await expect(desk.locator('ol.timeline li[data-type=opened]').count()).resolves.toBeGreaterThan(0);
    const before = (
      await w.t.db.query<{ assignee_id: string }>('SELECT assignee_id FROM cases WHERE id = $1', [caseId])
    ).rows[0]!.assignee_id;
    await desk.click('button[data-action=assigned]');
    await desk.waitForSelector('p.msg');
    const after = await waitFor(async () => {
      const r = await w.t.db.query<{ assignee_id: string }>('SELECT assignee_id FROM cases WHERE id = $1', [
        caseId,
      ]);
      return r.rows[0]!.assignee_id !== before ? r.rows[0]!.assignee_id : undefined;
    });
    expect(['w-st-a', 'w-st-a2']).toContain(after);
    await screenshot(desk, 'case-1280');
  });

  it("opens the worker's texted link on a 360-px phone, with one-tap steps, a visit note and the outcome", async () => {
    const caseId = await w.openCase(w.a, 'inactivity');
    const { rows } = await w.t.db.query<{ assignee_id: string }>(
      'SELECT assignee_id FROM cases WHERE id = $1',
      [caseId],
    );
    const worker = rows[0]!.assignee_id;
    const link = await linkIn(w, caseId, worker, 'worker_dispatch');
    const phone = await (await browser.context({ width: 360, height: 740, mobile: true })).newPage();
    await phone.goto(link);
    await phone.waitForSelector(`main.phone[data-case="${caseId}"]`);
    for (const step of ['acknowledged', 'en_route', 'on_site']) {
      await phone.click(`button[data-action=${step}]`);
      await phone.waitForSelector(`main.phone[data-status=${step}]`);
    }
    await phone.fill('textarea', '老人已扶起，血压正常');
    await phone.click('button[data-action=note]');
    await phone.waitForSelector('ul.notes li');
    await screenshot(phone, 'worker-link-360');
    await phone.fill('textarea', '无外伤，已联系家属');
    await phone.click('button[data-action=resolved]');
    await phone.waitForSelector('main.phone[data-status=resolved]');
    // Usable at 360 px: nothing wider than the screen.
    expect(await phone.evaluate('document.documentElement.scrollWidth')).toBeLessThanOrEqual(360);
    expect(await statusOf(caseId)).toBe('resolved');
    const tl = await w.t.db.query<{ type: string }>('SELECT type FROM case_timeline WHERE case_id = $1', [
      caseId,
    ]);
    expect(tl.rows.map((r) => r.type)).toEqual(expect.arrayContaining(['visit_note', 'resolved']));
    const audit = await w.t.db.query<{ credential: string; actor: string }>(
      `SELECT credential, actor FROM audit_log WHERE target_id = $1 AND credential = 'link' AND action = 'transition'`,
      [caseId],
    );
    expect(audit.rows.length).toBe(4);
    expect(audit.rows.every((r) => r.actor === worker)).toBe(true);
  });

  it('gives the guardian a read-only status page where they can say they are handling it', async () => {
    // Station C has no worker: the guardians are texted when the case opens (level 1).
    const caseId = await w.openCase(w.c, 'sos');
    const link = await linkIn(w, caseId, w.c.guardianId, 'guardian_alert');
    const phone = await (await browser.context({ width: 360, height: 740, mobile: true })).newPage();
    await phone.goto(link);
    await phone.waitForSelector(`main.phone[data-case="${caseId}"]`);
    // Read-only for the rest: no address, no worker steps.
    expect(await phone.locator('button[data-action=resolved]').count()).toBe(0);
    expect(await phone.textContent('main')).not.toContain('Worker');
    await phone.click('button[data-action=handling]');
    await phone.waitForSelector('main.phone[data-status=acknowledged]');
    await screenshot(phone, 'guardian-link-360');
    expect(await statusOf(caseId)).toBe('acknowledged');
    expect(await phone.locator('button[data-action=handling]').count()).toBe(0);
  });

  it("keeps station B's case from station A's desk", async () => {
    const bCase = await w.openCase(w.b, 'fall');
    const aCase = await w.openCase(w.a, 'vitals');
    await desk.goto(`${base}/console/`);
    await desk.locator(`tr[data-case-id="${aCase}"]`).waitFor();
    expect(await desk.locator(`tr[data-case-id="${bCase}"]`).count()).toBe(0);
    const status = await desk.evaluate(async (id) => (await fetch(`/cases/${id}`)).status, bCase);
    expect(status).toBe(404);
    // Station B's desk does see it.
    const deskB = await (await browser.context()).newPage();
    await login(deskB, base, 'desk-b');
    await deskB.locator(`tr[data-case-id="${bCase}"]`).waitFor();
  });

  it('refuses a tampered or expired link', async () => {
    const caseId = await w.openCase(w.a, 'device_health');
    const signer = createLinkSigner(JWT_SECRET);
    const good = signer.sign({ caseId, role: 'guardian', subject: w.a.guardianId });
    const mac = good.slice(good.lastIndexOf('.') + 1);
    const tampered = `${good.slice(0, good.lastIndexOf('.') + 1)}${mac[0] === 'A' ? 'B' : 'A'}${mac.slice(1)}`;
    const otherCase = good.replace(caseId, (await w.openCase(w.b, 'sos')).toString());
    const expired = signer.sign(
      { caseId, role: 'guardian', subject: w.a.guardianId },
      Date.now() - 25 * 3600_000,
    );
    const page = await (await browser.context({ width: 360, height: 740, mobile: true })).newPage();
    for (const [token, text] of [
      [tampered, /链接无效|not valid/],
      [otherCase, /链接无效|not valid/],
      [expired, /已过期|expired/],
    ] as const) {
      await page.goto(`${base}/console/l#${token}`);
      await page.reload(); // a new fragment alone does not reload the app
      await expect(page.locator('#link-error').textContent()).resolves.toMatch(text);
    }
    const r = await w.t.api(
      'POST',
      '/console-api/link/actions',
      { action: 'handling' },
      { 'x-anju-link': expired },
    );
    expect(r.status).toBe(401);
    expect(r.body.code).toBe('CLOUD_CONSOLE_LINK_EXPIRED');
    expect(await statusOf(caseId)).not.toBe('acknowledged');
  });

  it('needs the session CSRF token to change anything, and locks an account after 5 wrong passwords', async () => {
    const caseId = await w.openCase(w.a, 'fall');
    const noCsrf = await desk.evaluate(
      async (id) =>
        (
          await fetch(`/cases/${id}/transitions`, {
            method: 'POST',
            headers: { 'content-type': 'application/json' },
            body: JSON.stringify({ to: 'en_route', actor: { type: 'duty_desk', id: 'desk-a' } }),
          })
        ).status,
      caseId,
    );
    expect(noCsrf).toBe(403);
    // An account of its own: the lock-out must not lock the other tests' desks.
    await w.t.api('POST', '/console-api/users', {
      username: 'desk-lock',
      displayName: 'lock',
      role: 'desk',
      stationId: 'st-c',
      password: PASSWORD,
    });
    const login = (password: string) =>
      fetch(`${base}/console-api/login`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ username: 'desk-lock', password }),
      });
    const cookie = (await login(PASSWORD)).headers.get('set-cookie') ?? '';
    expect(cookie).toMatch(/HttpOnly/);
    expect(cookie).toMatch(/SameSite=Strict/);
    for (let i = 0; i < 5; i++) expect((await login('wrong-password')).status).toBe(401);
    expect((await login(PASSWORD)).status).toBe(429);
    const { rows } = await w.t.db.query<{ password_hash: string }>(
      "SELECT password_hash FROM console_users WHERE username = 'desk-lock'",
    );
    expect(rows[0]!.password_hash).toMatch(/^scrypt\$/);
    expect(rows[0]!.password_hash).not.toContain(PASSWORD);
  });

  it('opens a case by hand when a neighbour phones in', async () => {
    await desk.goto(`${base}/console/phone-in`);
    await desk.fill('#resident-search', 'Elder st-a');
    await desk.click(`input[data-resident="${w.a.residentId}"]`);
    await desk.selectOption('select[name=kind]', 'sos');
    await desk.fill('input[name=caller]', '邻居 王先生');
    await desk.click('button[type=submit]');
    await desk.waitForSelector('main.case');
    const caseId = await desk.getAttribute('main.case', 'data-case');
    const ev = await w.t.db.query<{ gateway_id: string; evidence: Record<string, unknown> }>(
      'SELECT gateway_id, evidence FROM events WHERE case_id = $1',
      [caseId],
    );
    expect(ev.rows[0]).toMatchObject({
      gateway_id: 'phone-in',
      evidence: { caller: '邻居 王先生', takenBy: 'desk-a' },
    });
    // The same response as an alert: a worker of the station is dispatched.
    await waitFor(
      async () => (await w.t.db.query('SELECT 1 FROM cases WHERE id = $1 AND level = 1', [caseId])).rows[0],
    );
  });

  it('refers a case (转介) to an outside agency and to another station, with a record', async () => {
    const caseId = await w.openCase(w.a, 'emotion' as never);
    await desk.goto(`${base}/console/cases/${caseId}`);
    await desk.fill('#transfer-agency', '静安区精神卫生中心');
    await desk.fill('#transfer-reason', '需要专业心理干预');
    await desk.click('button[data-action=transfer]');
    await desk.locator('p.msg', { hasText: /完成|Done/ }).waitFor();
    await desk.waitForSelector('ol.timeline li[data-type=transferred]');
    await desk.fill('#transfer-station', 'st-b');
    await desk.fill('#transfer-reason', '长者暂住女儿家（B站辖区）');
    await desk.click('button[data-action=transfer]');
    // (a locator, not a string predicate: the console's CSP refuses evaluated strings)
    await desk.locator('ol.timeline li[data-type=transferred]').nth(1).waitFor();
    const r = await w.t.db.query<{
      agency: string | null;
      to_station_id: string | null;
      referred_by: string;
    }>(
      'SELECT agency, to_station_id, referred_by FROM case_referrals WHERE case_id = $1 ORDER BY created_at',
      [caseId],
    );
    expect(r.rows).toEqual([
      { agency: '静安区精神卫生中心', to_station_id: null, referred_by: 'desk-a' },
      { agency: null, to_station_id: 'st-b', referred_by: 'desk-a' },
    ]);
    // Station B sees the referral it received.
    const deskB = await (await browser.context()).newPage();
    await login(deskB, base, 'desk-b');
    const list = (await deskB.evaluate(async () => (await fetch('/console-api/referrals')).json())) as {
      items: { caseId: string }[];
    };
    expect(list.items.map((i: { caseId: string }) => i.caseId)).toContain(caseId);
  });

  it('answers a complaint: owner, deadline, and a reply texted to the complainant', async () => {
    const caseId = await w.openCase(w.a, 'night_exit' as never);
    await desk.goto(`${base}/console/cases/${caseId}`);
    await desk.fill('#complaint-text', '家属来电：社工到得太晚');
    await desk.click('button[data-action=complaint]');
    await desk.waitForSelector('p.msg');
    await desk.goto(`${base}/console/complaints`);
    const item = desk.locator('li.complaint').first();
    await item.locator('input[placeholder]').nth(0).fill('sup-a');
    await item.locator('input[type=date]').fill('2030-01-02');
    await item.locator('input[placeholder]').nth(1).fill('+8613800000099');
    await item.locator('button[data-action=save]').click();
    await desk.waitForSelector('li.complaint[data-status=in_progress]');
    await desk.locator('li.complaint input[placeholder]').nth(2).fill('您好，已调整排班，今后15分钟内到达。');
    await desk.click('li.complaint button[data-action=reply]');
    await desk.waitForSelector('li.complaint[data-status=answered]');
    await screenshot(desk, 'complaints-1280');
    const c = await w.t.db.query<{ owner: string; status: string; due_at: Date }>(
      'SELECT owner, status, due_at FROM complaints WHERE case_id = $1',
      [caseId],
    );
    expect(c.rows[0]).toMatchObject({ owner: 'sup-a', status: 'answered' });
    const sms = await waitFor(async () => {
      const r = await w.t.db.query<{ body: string; status: string }>(
        "SELECT body, status FROM notifications WHERE case_id = $1 AND recipient_phone = '+8613800000099'",
        [caseId],
      );
      return r.rows[0]?.status === 'sent' ? r.rows[0] : undefined;
    });
    expect(sms.body).toContain('15分钟内到达');
  });

  it('gives a supervisor the workers and shifts, and refuses office actions to a worker account', async () => {
    await w.t.api('POST', '/console-api/users', {
      username: 'sup-a',
      displayName: '李站长',
      role: 'supervisor',
      stationId: 'st-a',
      password: PASSWORD,
    });
    await w.t.api('POST', '/console-api/users', {
      username: 'worker-a2',
      displayName: 'Worker A2',
      role: 'worker',
      stationId: 'st-a',
      workerId: 'w-st-a2',
      password: PASSWORD,
    });
    const sup = await (await browser.context()).newPage();
    await login(sup, base, 'sup-a');
    await sup.goto(`${base}/console/admin`);
    await sup.locator('tr[data-row="w-st-a2"]').waitFor();
    expect(await sup.locator('tr[data-row="w-st-b"]').count()).toBe(0);
    await sup.locator('tr[data-row="w-st-a2"] button[data-action=toggle]').click();
    await waitFor(
      async () => (await w.t.db.query("SELECT 1 FROM workers WHERE id = 'w-st-a2' AND NOT active")).rows[0],
    );
    await screenshot(sup, 'admin-1280');
    const worker = await (await browser.context()).newPage();
    await login(worker, base, 'worker-a2');
    const status = await worker.evaluate(async (residentId) => {
      const s = (await (await fetch('/console-api/session')).json()) as { csrfToken: string };
      const r = await fetch('/console-api/cases', {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-csrf-token': s.csrfToken },
        body: JSON.stringify({ residentId, kind: 'sos', severity: 'urgent', caller: 'x' }),
      });
      return r.status;
    }, w.a.residentId);
    expect(status).toBe(403);
  });
});
