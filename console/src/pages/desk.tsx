import { useEffect, useMemo, useRef, useState } from 'preact/hooks';
import { api, type QueueItem, type Session } from '../api.ts';
import { fmtTime, kindLabel, statusLabel, t } from '../i18n.ts';
import { applyChanges, byUrgency } from '../queue-order.ts';
import { navigate } from '../router.ts';

/**
 * The live queue: the station's open cases at once, then every change pushed by the server
 * (Server-Sent Events from the database, any replica). Each row notes when it first appeared
 * (data-seen-at, epoch ms) so the browser tests and bench can measure commit → screen.
 */
export function DeskPage(_: { session: Session }) {
  const [queue, setQueue] = useState<Map<string, QueueItem>>(new Map());
  const [live, setLive] = useState(false);
  const seen = useRef(new Map<string, number>());

  useEffect(() => {
    let closed = false;
    const pending: QueueItem[][] = [];
    let loaded = false;
    const es = new EventSource('/console-api/stream');
    es.addEventListener('open', () => setLive(true));
    es.addEventListener('error', () => setLive(false));
    es.addEventListener('cases', (e) => {
      const items = JSON.parse((e as MessageEvent<string>).data) as QueueItem[];
      if (!loaded) pending.push(items);
      else setQueue((q) => applyChanges(q, items));
    });
    void api<{ items: QueueItem[] }>('GET', '/console-api/queue').then((r) => {
      if (closed) return;
      let q = new Map(r.items.map((i) => [i.id, i]));
      for (const p of pending) q = applyChanges(q, p);
      loaded = true;
      setQueue(q);
    });
    return () => {
      closed = true;
      es.close();
    };
  }, []);

  const rows = useMemo(() => [...queue.values()].sort(byUrgency), [queue]);
  const now = Date.now();
  for (const r of rows) if (!seen.current.has(r.id)) seen.current.set(r.id, now);

  return (
    <main>
      <div class="bar">
        <h1>
          {t('queue')} <span class="count">{rows.length}</span>
        </h1>
        <span class={live ? 'live on' : 'live'}>{live ? `● ${t('live')}` : t('offline')}</span>
      </div>
      {rows.length === 0 ? (
        <p class="muted">{t('noCases')}</p>
      ) : (
        <table class="queue">
          <thead>
            <tr>
              <th>{t('level')}</th>
              <th>{t('kind')}</th>
              <th>{t('resident')}</th>
              <th>{t('status')}</th>
              <th class="wide">{t('assignee')}</th>
              <th class="wide">{t('deadline')}</th>
              <th class="wide">{t('opened')}</th>
            </tr>
          </thead>
          <tbody>
            {rows.map((c) => (
              <tr
                key={c.id}
                data-case-id={c.id}
                data-seen-at={seen.current.get(c.id)}
                class={`sev-${c.severity} lvl-${c.level ?? 0}`}
                onClick={() => navigate(`/console/cases/${c.id}`)}
              >
                <td>
                  <span class="badge">{c.level ?? '!'}</span>
                </td>
                <td>{kindLabel(c.kind)}</td>
                <td>
                  <a
                    href={`/console/cases/${c.id}`}
                    onClick={(e) => {
                      e.preventDefault();
                      navigate(`/console/cases/${c.id}`);
                    }}
                  >
                    {c.residentName}
                  </a>
                </td>
                <td>{statusLabel(c.status)}</td>
                <td class="wide">{c.assignee ?? '—'}</td>
                <td class="wide">{fmtTime(c.ackDeadlineAt)}</td>
                <td class="wide">{fmtTime(c.openedAt)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </main>
  );
}
