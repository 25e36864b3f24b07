import { useEffect, useState } from 'preact/hooks';
import { ApiError, api } from '../api.ts';
import { fmtTime, kindLabel, statusLabel, t } from '../i18n.ts';

interface LinkView {
  role: 'worker' | 'guardian';
  expiresAt: string;
  case: {
    id: string;
    kind: string;
    severity: string;
    status: string;
    openedAt: string;
    acknowledgedAt: string | null;
    enRouteAt: string | null;
    onSiteAt: string | null;
    resolvedAt: string | null;
    closedAt: string | null;
    assignee: string | null;
    resolution: string | null;
  };
  resident: {
    name: string;
    address: string | null;
    lat: number | null;
    lon: number | null;
    addressWithheld: boolean;
  };
  notes: { at: string; text: string }[];
  actions: string[];
}

/**
 * The page a texted link opens, sized for a phone: the link (URL fragment, never sent to a server log)
 * is the credential of exactly one case. A worker gets one-tap steps, a visit note and the outcome; a
 * guardian sees how far the response got and can say "I am handling it".
 */
export function LinkPage() {
  const token = location.hash.slice(1);
  const [v, setV] = useState<LinkView | null>(null);
  const [error, setError] = useState('');
  const [msg, setMsg] = useState('');
  const [note, setNote] = useState('');
  const headers = { 'x-anju-link': token };

  useEffect(() => {
    api<LinkView>('GET', '/console-api/link', undefined, headers)
      .then(setV)
      .catch((e: unknown) =>
        setError(
          e instanceof ApiError && e.code === 'CLOUD_CONSOLE_LINK_EXPIRED'
            ? t('linkExpired')
            : t('linkInvalid'),
        ),
      );
  }, [token]);

  const act = async (action: string, withNote?: string) => {
    setMsg('');
    try {
      setV(
        await api<LinkView>(
          'POST',
          '/console-api/link/actions',
          { action, ...(withNote ? { note: withNote } : {}) },
          headers,
        ),
      );
      setNote('');
      setMsg(
        action === 'handling'
          ? t('handlingDone')
          : `${t('done')}: ${action === 'note' ? t('visitNote') : statusLabel(action)}`,
      );
    } catch (e) {
      setMsg(`${t('failed')}: ${e instanceof ApiError ? e.code : String(e)}`);
    }
  };

  if (error)
    return (
      <main class="narrow">
        <p class="error" role="alert" id="link-error">
          {error}
        </p>
      </main>
    );
  if (!v) return <main class="narrow">…</main>;
  const c = v.case;
  const steps: [string, string | null][] = [
    ['opened', c.openedAt],
    ['acknowledged', c.acknowledgedAt],
    ['en_route', c.enRouteAt],
    ['on_site', c.onSiteAt],
    ['resolved', c.resolvedAt ?? c.closedAt],
  ];
  return (
    <main class="narrow phone" data-case={c.id} data-status={c.status}>
      <h1>
        {kindLabel(c.kind)} · {v.resident.name}
      </h1>
      <p>
        <span class={`status st-${c.status}`} id="case-status">
          {statusLabel(c.status)}
        </span>
      </p>
      {v.role === 'worker' && (
        <section class="card">
          <p>
            <b>{t('address')}:</b>{' '}
            {v.resident.address ?? (v.resident.addressWithheld ? t('addressHidden') : t('noAddress'))}
          </p>
          {v.resident.lat !== null && v.resident.lon !== null && (
            <p>
              <a
                target="_blank"
                rel="noreferrer"
                href={`https://www.openstreetmap.org/?mlat=${v.resident.lat}&mlon=${v.resident.lon}#map=17/${v.resident.lat}/${v.resident.lon}`}
              >
                {t('openMap')}
              </a>
            </p>
          )}
        </section>
      )}
      <section class="card">
        <h2>{t('caseStatus')}</h2>
        <ol class="steps">
          {steps.map(([s, at]) => (
            <li key={s} class={at ? 'done' : ''}>
              {s === 'opened' ? t('opened') : statusLabel(s)} <time>{fmtTime(at)}</time>
            </li>
          ))}
        </ol>
      </section>
      {v.role === 'worker' && (
        <section class="card">
          <div class="buttons big">
            {v.actions
              .filter((a) => a !== 'note')
              .map((a) => (
                <button type="button" key={a} data-action={a} onClick={() => void act(a, note || undefined)}>
                  {statusLabel(a)}
                </button>
              ))}
          </div>
          <label>
            {t('visitNote')} / {t('outcome')}
            <textarea
              value={note}
              maxLength={1000}
              onInput={(e) => setNote((e.currentTarget as HTMLTextAreaElement).value)}
            />
          </label>
          <button
            type="button"
            data-action="note"
            disabled={!note.trim()}
            onClick={() => void act('note', note)}
          >
            {t('addNote')}
          </button>
          <ul class="notes">
            {v.notes.map((n, i) => (
              <li key={i}>
                <time>{fmtTime(n.at)}</time> {n.text}
              </li>
            ))}
          </ul>
          {c.resolution && (
            <p>
              <b>{t('outcome')}:</b> {c.resolution}
            </p>
          )}
        </section>
      )}
      {v.role === 'guardian' && v.actions.includes('handling') && (
        <div class="buttons big">
          <button type="button" data-action="handling" onClick={() => void act('handling')}>
            {t('handling')}
          </button>
        </div>
      )}
      {msg && (
        <p class="msg" role="status">
          {msg}
        </p>
      )}
    </main>
  );
}
