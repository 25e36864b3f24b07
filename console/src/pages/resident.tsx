import { useEffect, useState } from 'preact/hooks';
import { ApiError, api } from '../api.ts';
import { fmtTime, kindLabel, statusLabel, t } from '../i18n.ts';
import { navigate } from '../router.ts';

interface Resident {
  id: string;
  name: string;
  address: string | null;
  stationId: string | null;
  lat: number | null;
  lon: number | null;
  conditions: string[];
  consent: { homeVisit?: boolean; shareAddressWithWorkers?: boolean };
}

/** One resident (Grafana's resident dashboard links here): details, consent, guardians, cases. */
export function ResidentPage({ id }: { id: string }) {
  const [r, setR] = useState<Resident | null>(null);
  const [guardians, setGuardians] = useState<{ id: string; name: string; phone: string }[]>([]);
  const [cases, setCases] = useState<{ id: string; kind: string; status: string; openedAt: string }[]>([]);
  const [error, setError] = useState('');
  useEffect(() => {
    const rid = encodeURIComponent(id);
    Promise.all([
      api<Resident>('GET', `/residents/${rid}`),
      api<{ items: { id: string; name: string; phone: string }[] }>('GET', `/residents/${rid}/guardians`),
      api<{ items: { id: string; kind: string; status: string; openedAt: string }[] }>(
        'GET',
        `/cases?residentId=${rid}&limit=50`,
      ),
    ])
      .then(([res, g, c]) => {
        setR(res);
        setGuardians(g.items);
        setCases(c.items);
      })
      .catch((e: unknown) => setError(e instanceof ApiError ? `${e.status} ${e.code}` : String(e)));
  }, [id]);
  if (error)
    return (
      <main>
        <p class="error">{error}</p>
      </main>
    );
  if (!r) return <main>…</main>;
  return (
    <main class="resident" data-resident={r.id}>
      <h1>{r.name}</h1>
      <div class="grid">
        <section class="card">
          <dl>
            <dt>{t('address')}</dt>
            <dd>{r.address ?? '—'}</dd>
            <dt>{t('station')}</dt>
            <dd>{r.stationId ?? '—'}</dd>
            <dt>{t('consent')}</dt>
            <dd>
              {t('homeVisit')}: {r.consent.homeVisit === false ? t('no') : t('yes')} · {t('shareAddress')}:{' '}
              {r.consent.shareAddressWithWorkers === false ? t('no') : t('yes')}
            </dd>
          </dl>
          <h2>{t('guardians')}</h2>
          <ul>
            {guardians.map((g) => (
              <li key={g.id}>
                {g.name} · <a href={`tel:${g.phone}`}>{g.phone}</a>
              </li>
            ))}
          </ul>
        </section>
        <section class="card">
          <h2>{t('queue')}</h2>
          <ul>
            {cases.map((c) => (
              <li key={c.id}>
                <a
                  href={`/console/cases/${c.id}`}
                  onClick={(e) => {
                    e.preventDefault();
                    navigate(`/console/cases/${c.id}`);
                  }}
                >
                  {fmtTime(c.openedAt)} · {kindLabel(c.kind)} · {statusLabel(c.status)}
                </a>
              </li>
            ))}
          </ul>
        </section>
      </div>
    </main>
  );
}
