import { useEffect, useState } from 'preact/hooks';
import { ApiError, api } from '../api.ts';
import { kindLabel, t } from '../i18n.ts';
import { navigate } from '../router.ts';

interface ResidentLine {
  id: string;
  name: string;
  address: string | null;
  openCases: number;
}

const KINDS = [
  'fall',
  'sos',
  'inactivity',
  'vitals',
  'emotion',
  'meter_safety',
  'night_exit',
  'medication_missed',
];

/** A neighbour phones in: find the resident, say what happened, open the case (same response as an alert). */
export function PhoneInPage() {
  const [q, setQ] = useState('');
  const [found, setFound] = useState<ResidentLine[]>([]);
  const [pick, setPick] = useState<ResidentLine | null>(null);
  const [msg, setMsg] = useState('');
  useEffect(() => {
    const h = setTimeout(() => {
      void api<{ items: ResidentLine[] }>(
        'GET',
        `/console-api/residents?q=${encodeURIComponent(q)}&limit=20`,
      ).then((r) => setFound(r.items));
    }, 200);
    return () => clearTimeout(h);
  }, [q]);

  const submit = async (e: Event) => {
    e.preventDefault();
    if (!pick) return;
    const f = new FormData(e.currentTarget as HTMLFormElement);
    try {
      const r = await api<{ caseId: string }>('POST', '/console-api/cases', {
        residentId: pick.id,
        kind: String(f.get('kind')),
        severity: String(f.get('severity')),
        caller: String(f.get('caller')),
        ...(f.get('note') ? { note: String(f.get('note')) } : {}),
      });
      navigate(`/console/cases/${r.caseId}`);
    } catch (err) {
      setMsg(`${t('failed')}: ${err instanceof ApiError ? err.code : String(err)}`);
    }
  };

  return (
    <main class="narrow">
      <h1>{t('newCase')}</h1>
      <section class="card">
        <input
          id="resident-search"
          placeholder={t('search')}
          value={q}
          onInput={(e) => setQ((e.currentTarget as HTMLInputElement).value)}
        />
        <ul class="pick">
          {found.map((r) => (
            <li key={r.id}>
              <label>
                <input
                  type="radio"
                  name="resident"
                  data-resident={r.id}
                  checked={pick?.id === r.id}
                  onChange={() => setPick(r)}
                />{' '}
                {r.name} <small class="muted">{r.address ?? ''}</small>
              </label>
            </li>
          ))}
        </ul>
      </section>
      <form class="card" onSubmit={(e) => void submit(e)}>
        <label>
          {t('kind')}
          <select name="kind">
            {KINDS.map((k) => (
              <option key={k} value={k}>
                {kindLabel(k)}
              </option>
            ))}
          </select>
        </label>
        <label>
          {t('severity')}
          <select name="severity" defaultValue="urgent">
            <option value="critical">critical</option>
            <option value="urgent">urgent</option>
            <option value="warning">warning</option>
          </select>
        </label>
        <label>
          {t('caller')}
          <input name="caller" required maxLength={100} />
        </label>
        <label>
          {t('note')}
          <input name="note" maxLength={200} />
        </label>
        <button type="submit" disabled={!pick}>
          {t('openCase')}
        </button>
        {msg && <p class="error">{msg}</p>}
      </form>
    </main>
  );
}
