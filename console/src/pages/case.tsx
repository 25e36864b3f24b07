import { useEffect, useState } from 'preact/hooks';
import { ApiError, api, type Session, TERMINAL } from '../api.ts';
import { fmtTime, kindLabel, statusLabel, t } from '../i18n.ts';
import { navigate } from '../router.ts';

interface CaseDetail {
  id: string;
  residentId: string;
  kind: string;
  severity: string;
  status: string;
  level: number | null;
  stationId: string | null;
  assignee: string | null;
  openedAt: string;
  ackDeadlineAt: string | null;
  resolution: string | null;
  events: {
    id: string;
    occurredAt: string;
    kind: string;
    severity: string;
    evidence: Record<string, unknown>;
    score: { value: number; threshold: number } | null;
  }[];
  timeline: { at: string; type: string; detail: Record<string, unknown> }[];
  notifications: { id: string; recipientRole: string; status: string; createdAt: string; body: string }[];
}
interface Resident {
  id: string;
  name: string;
  address: string | null;
  lat: number | null;
  lon: number | null;
  phone?: string | null;
  consent: { homeVisit?: boolean; shareAddressWithWorkers?: boolean };
}
interface Guardian {
  id: string;
  name: string;
  phone: string;
  relation?: string | null;
}

const detailText = (d: Record<string, unknown>) =>
  Object.entries(d)
    .filter(([, v]) => v !== null && v !== undefined && typeof v !== 'object')
    .map(([k, v]) => `${k}: ${String(v)}`)
    .join(' · ');

/** One case for the desk (or a logged-in worker): what happened, to whom, and the next step. */
export function CasePage({ id, session }: { id: string; session: Session }) {
  const [c, setC] = useState<CaseDetail | null>(null);
  const [resident, setResident] = useState<Resident | null>(null);
  const [guardians, setGuardians] = useState<Guardian[]>([]);
  const [error, setError] = useState('');
  const [msg, setMsg] = useState('');
  const [note, setNote] = useState('');
  const [forWho, setForWho] = useState('');
  const [toStation, setToStation] = useState('');
  const [agency, setAgency] = useState('');
  const [reason, setReason] = useState('');
  const [complaintText, setComplaintText] = useState('');
  const [complaints, setComplaints] = useState<
    { id: string; text: string | null; createdAt: string; source: string }[]
  >([]);

  const load = async () => {
    try {
      const k = await api<CaseDetail>('GET', `/cases/${encodeURIComponent(id)}`);
      setC(k);
      const [r, g] = await Promise.all([
        api<Resident>('GET', `/residents/${k.residentId}`),
        api<{ items: Guardian[] } | Guardian[]>('GET', `/residents/${k.residentId}/guardians`),
      ]);
      setResident(r);
      setGuardians(Array.isArray(g) ? g : g.items);
      if (session.role !== 'worker') {
        setComplaints(
          (await api<{ items: typeof complaints }>('GET', `/cases/${encodeURIComponent(id)}/complaints`))
            .items,
        );
      }
    } catch (e) {
      setError(e instanceof ApiError ? `${e.status} ${e.code}` : String(e));
    }
  };
  useEffect(() => {
    void load();
  }, [id]);

  const actor =
    session.role === 'worker' ? { type: 'worker', id: session.sub } : { type: 'duty_desk', id: session.sub };
  const move = async (to: string, withNote?: string) => {
    setMsg('');
    try {
      await api('POST', `/cases/${encodeURIComponent(id)}/transitions`, {
        to,
        actor,
        ...(withNote ? { note: withNote } : {}),
      });
      setMsg(`${t('done')}: ${statusLabel(to)}`);
      setNote('');
      await load();
    } catch (e) {
      setMsg(`${t('failed')}: ${e instanceof ApiError ? `${e.code} ${e.message}` : String(e)}`);
    }
  };

  const run = async (what: string, f: () => Promise<unknown>) => {
    setMsg('');
    try {
      await f();
      setMsg(`${t('done')}: ${what}`);
      await load();
    } catch (e) {
      setMsg(`${t('failed')}: ${e instanceof ApiError ? `${e.code} ${e.message}` : String(e)}`);
    }
  };
  const transfer = () =>
    run(t('transfer'), async () => {
      await api('POST', `/console-api/cases/${encodeURIComponent(id)}/referrals`, {
        ...(toStation ? { toStationId: toStation } : { agency }),
        reason,
      });
      setReason('');
      setAgency('');
      setToStation('');
    });
  const recordComplaint = () =>
    run(t('recordComplaint'), async () => {
      await api('POST', `/cases/${encodeURIComponent(id)}/complaints`, {
        text: complaintText,
        by: session.displayName,
      });
      setComplaintText('');
    });

  if (error)
    return (
      <main>
        <p class="error">{error}</p>
      </main>
    );
  if (!c)
    return (
      <main>
        <p class="muted">…</p>
      </main>
    );
  const active = !TERMINAL.includes(c.status);
  const desk = session.role !== 'worker';
  return (
    <main class="case" data-case={c.id} data-status={c.status}>
      <button type="button" class="link" onClick={() => navigate('/console/')}>
        ← {t('back')}
      </button>
      <h1>
        {kindLabel(c.kind)} · {resident?.name ?? c.residentId}{' '}
        <span class={`status st-${c.status}`} id="case-status">
          {statusLabel(c.status)}
        </span>
      </h1>
      <p class="muted">
        {t('level')} {c.level ?? '—'} · {t('assignee')} {c.assignee ?? '—'} · {t('deadline')}{' '}
        {fmtTime(c.ackDeadlineAt)}
      </p>
      <div class="grid">
        <section class="card">
          <h2>{t('actions')}</h2>
          {active ? (
            <>
              <textarea
                placeholder={t('note')}
                value={note}
                onInput={(e) => setNote((e.currentTarget as HTMLTextAreaElement).value)}
                maxLength={500}
              />
              <div class="buttons">
                {['en_route', 'on_site', 'resolved', 'false_alarm'].map((s) => (
                  <button
                    type="button"
                    key={s}
                    data-action={s}
                    onClick={() => void move(s, note || undefined)}
                  >
                    {statusLabel(s)}
                  </button>
                ))}
              </div>
              {desk && (
                <div class="buttons">
                  <button
                    type="button"
                    data-action="assigned"
                    onClick={() => void move('assigned', note || undefined)}
                  >
                    {t('nextWorker')}
                  </button>
                  <input
                    placeholder={t('ackForWho')}
                    value={forWho}
                    onInput={(e) => setForWho((e.currentTarget as HTMLInputElement).value)}
                  />
                  <button
                    type="button"
                    data-action="acknowledged"
                    onClick={() =>
                      void move('acknowledged', forWho ? `${t('ackFor')} ${forWho}` : note || undefined)
                    }
                  >
                    {t('ackFor')}
                  </button>
                </div>
              )}
              {!desk && (
                <button type="button" data-action="acknowledged" onClick={() => void move('acknowledged')}>
                  {statusLabel('acknowledged')}
                </button>
              )}
            </>
          ) : (
            <p>{c.resolution ?? statusLabel(c.status)}</p>
          )}
          {msg && (
            <p class="msg" role="status">
              {msg}
            </p>
          )}
        </section>
        <section class="card">
          <h2>{t('resident')}</h2>
          {resident && (
            <dl>
              <dt>{t('address')}</dt>
              <dd>{resident.address ?? '—'}</dd>
              <dt>{t('map')}</dt>
              <dd>
                {resident.lat !== null && resident.lon !== null ? (
                  <a
                    target="_blank"
                    rel="noreferrer"
                    href={`https://www.openstreetmap.org/?mlat=${resident.lat}&mlon=${resident.lon}#map=17/${resident.lat}/${resident.lon}`}
                  >
                    {resident.lat.toFixed(5)}, {resident.lon.toFixed(5)} · {t('openMap')}
                  </a>
                ) : (
                  '—'
                )}
              </dd>
              <dt>{t('consent')}</dt>
              <dd>
                {t('homeVisit')}: {resident.consent.homeVisit === false ? t('no') : t('yes')} ·{' '}
                {t('shareAddress')}: {resident.consent.shareAddressWithWorkers === false ? t('no') : t('yes')}
              </dd>
            </dl>
          )}
          <h2>{t('guardians')}</h2>
          <ul>
            {guardians.map((g) => (
              <li key={g.id}>
                {g.name} · <a href={`tel:${g.phone}`}>{g.phone}</a>
              </li>
            ))}
            {guardians.length === 0 && <li class="muted">{t('none')}</li>}
          </ul>
        </section>
        {desk && (
          <section class="card">
            <h2>{t('transfer')}</h2>
            <input
              id="transfer-station"
              placeholder={t('toStation')}
              value={toStation}
              onInput={(e) => setToStation((e.currentTarget as HTMLInputElement).value)}
            />
            <input
              id="transfer-agency"
              placeholder={t('toAgency')}
              value={agency}
              onInput={(e) => setAgency((e.currentTarget as HTMLInputElement).value)}
            />
            <input
              id="transfer-reason"
              placeholder={t('reason')}
              value={reason}
              onInput={(e) => setReason((e.currentTarget as HTMLInputElement).value)}
            />
            <button
              type="button"
              data-action="transfer"
              disabled={!reason.trim() || !(toStation || agency)}
              onClick={() => void transfer()}
            >
              {t('transfer')}
            </button>
            <h2>{t('complaints')}</h2>
            <ul>
              {complaints.map((k) => (
                <li key={k.id}>
                  {fmtTime(k.createdAt)} · {k.text ?? k.source}
                </li>
              ))}
            </ul>
            <input
              id="complaint-text"
              placeholder={t('complaint')}
              value={complaintText}
              onInput={(e) => setComplaintText((e.currentTarget as HTMLInputElement).value)}
            />
            <button
              type="button"
              data-action="complaint"
              disabled={!complaintText.trim()}
              onClick={() => void recordComplaint()}
            >
              {t('recordComplaint')}
            </button>
          </section>
        )}
        <section class="card">
          <h2>{t('evidence')}</h2>
          <ul>
            {c.events.map((e) => (
              <li key={e.id}>
                {fmtTime(e.occurredAt)} · {kindLabel(e.kind)} · {e.severity}
                {e.score ? ` · ${e.score.value.toFixed(2)}/${e.score.threshold.toFixed(2)}` : ''}
                <br />
                <small>{detailText(e.evidence)}</small>
              </li>
            ))}
          </ul>
        </section>
        <section class="card">
          <h2>{t('timeline')}</h2>
          <ol class="timeline">
            {c.timeline.map((e, i) => (
              <li key={i} data-type={e.type}>
                <time>{fmtTime(e.at)}</time> <b>{statusLabel(e.type)}</b>{' '}
                <small>{detailText(e.detail)}</small>
              </li>
            ))}
          </ol>
          <h2>{t('notifications')}</h2>
          <ul>
            {c.notifications.map((n) => (
              <li key={n.id}>
                <small>
                  {fmtTime(n.createdAt)} · {n.recipientRole} · {n.status}
                </small>
              </li>
            ))}
          </ul>
        </section>
      </div>
    </main>
  );
}
