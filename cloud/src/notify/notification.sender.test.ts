import { describe, expect, it } from 'vitest';
import { waitFor } from '../../../tools/harness/net.ts';
import { createLogger } from '../log/logger.ts';
import { createCloudMetrics } from '../metrics/index.ts';
import { createNotificationSender } from './notification.sender.ts';
import type { NotificationsRepository } from './notifications.repository.ts';
import type { Notification } from './notifications.schemas.ts';
import type { NotifierRegistry } from './notifier.registry.ts';

const down = () => Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' });
const restarting = () =>
  Object.assign(new Error('terminating connection due to administrator command'), { code: '57P01' });

/** A notifications table at the boundary: each call may fail first with the errors queued for it. */
function fakeRepository(failures: { claim?: Error[]; finish?: Error[] }) {
  const calls = { claim: 0, finish: [] as string[] };
  const row = {
    id: 'n1',
    caseId: 'c1',
    recipientPhone: '+8613900000000',
    language: 'zh-CN',
    channel: 'fake',
    body: 'hi',
  };
  const repo = {
    async claim() {
      calls.claim++;
      const err = failures.claim?.shift();
      if (err) throw err;
      return row as unknown as Notification;
    },
    async finish(_id: string, status: string) {
      const err = failures.finish?.shift();
      calls.finish.push(err ? `${status}:failed` : status);
      if (err) throw err;
    },
  } as unknown as NotificationsRepository;
  return { repo, calls };
}

function senderWith(repo: NotificationsRepository) {
  const sent: string[] = [];
  const registry: NotifierRegistry = {
    get: () => ({
      channel: 'fake',
      send: async (m) => {
        sent.push(m.notificationId);
        return {};
      },
    }),
    channels: () => ['fake'],
  };
  const metrics = createCloudMetrics();
  const sender = createNotificationSender({
    notifications: repo,
    registry,
    metrics,
    log: createLogger('silent'),
    bookkeepingRetryMs: 10,
  });
  return { sender, sent, metrics };
}

describe('notification sender while the database restarts', () => {
  it('claims again until the database answers, sends once, and records the outcome again until it sticks', async () => {
    const { repo, calls } = fakeRepository({ claim: [down(), down()], finish: [restarting(), down()] });
    const { sender, sent, metrics } = senderWith(repo);
    await sender.send(['n1']);
    expect(calls.claim).toBe(3);
    expect(sent).toEqual(['n1']); // the text went out once, whatever the bookkeeping went through
    expect(calls.finish).toEqual(['sent:failed', 'sent:failed', 'sent']);
    expect(metrics.registry.render()).toMatch(/anju_notifications_total\{channel="fake",status="sent"\} 1/);
  });

  it('does not retry an error that is not an outage (left to the stale-row resume, as before)', async () => {
    const bug = Object.assign(new Error('duplicate key'), { code: '23505' });
    const { repo, calls } = fakeRepository({ finish: [bug] });
    const { sender, sent } = senderWith(repo);
    await sender.send(['n1']);
    expect(sent).toEqual(['n1']);
    expect(calls.finish).toEqual(['sent:failed']);
  });

  it('stops retrying when the cloud closes', async () => {
    const { repo, calls } = fakeRepository({ claim: Array.from({ length: 1000 }, down) });
    const { sender, sent } = senderWith(repo);
    const pending = sender.send(['n1']);
    await waitFor(() => calls.claim >= 3, 5_000, 'the sender retrying its claim'); // it is in the retry loop
    await sender.close();
    await pending;
    expect(sent).toEqual([]);
    expect(calls.claim).toBeLessThan(1000);
  });
});
