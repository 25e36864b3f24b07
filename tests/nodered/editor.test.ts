import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LocalBus } from '../../edge/src/bus/local-broker.ts';
import { silentLogger } from '../../edge/src/log/logger.ts';
import { startNodeRed } from '../../edge/src/nodered/index.ts';
import { type Harness, startHarness } from './nodered.harness.ts';

// bcrypt of 'anju-installer-test' (cost 8, for the test only).
const HASH = '$2b$08$q4QwQ0CC7eK0wEaesC5YVe9Yy4qiv5UJc3P5kLkC2v1UNKExw2Gsm';

describe('Node-RED editor: LAN only, with a password', () => {
  it('refuses to start an editor on a LAN address without a password, before anything listens', async () => {
    const bus = await LocalBus.start({ host: '127.0.0.1', port: 0, log: silentLogger });
    try {
      await expect(
        startNodeRed({
          config: {
            enabled: true,
            flowEnv: {},
            editor: {
              enabled: true,
              host: '192.168.1.20',
              port: 0,
              username: 'installer',
              sessionExpirySeconds: 3600,
            },
          },
          dataDir: '/nonexistent',
          bus,
          raise: () => Promise.reject(new Error('unused')),
          log: silentLogger,
        }),
      ).rejects.toMatchObject({ code: 'EDGE_NODERED_EDITOR_UNPROTECTED' });
    } finally {
      await bus.close();
    }
  });

  describe('with a password hash', () => {
    let h: Harness;
    beforeAll(async () => {
      h = await startHarness({
        editor: {
          enabled: true,
          host: '127.0.0.1',
          port: 0,
          username: 'installer',
          passwordHash: HASH,
          sessionExpirySeconds: 3600,
        },
      });
    });
    afterAll(async () => {
      await h?.stop();
    });

    it('requires a login for the admin API (GET /flows is 401 without a token)', async () => {
      expect(h.nodeRed.url).toBe(`http://127.0.0.1:${h.nodeRed.port}/`);
      const res = await fetch(new URL('flows', h.nodeRed.url));
      expect(res.status).toBe(401);
    });

    it('gives a token for the right password only, and the flows with it', async () => {
      const login = (password: string) =>
        fetch(new URL('auth/token', h.nodeRed.url), {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({
            client_id: 'node-red-admin',
            grant_type: 'password',
            scope: '*',
            username: 'installer',
            password,
          }),
        });
      expect((await login('wrong')).status).toBe(403);
      const ok = await login('anju-installer-test');
      expect(ok.status).toBe(200);
      const { access_token } = (await ok.json()) as { access_token: string };
      const flows = await fetch(new URL('flows', h.nodeRed.url), {
        headers: { authorization: `Bearer ${access_token}` },
      });
      expect(flows.status).toBe(200);
      const tabs = ((await flows.json()) as { type: string; label?: string }[]).filter(
        (n) => n.type === 'tab',
      );
      expect(tabs.map((t) => t.label).sort()).toEqual([
        'Medication reminder',
        'Night wandering',
        'Quiet hours',
      ]);
    });
  });
});
