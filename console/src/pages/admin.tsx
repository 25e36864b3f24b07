import { useEffect, useState } from 'preact/hooks';
import { ApiError, api, type Session } from '../api.ts';
import { fmtTime, type Key, t } from '../i18n.ts';

type Row = Record<string, unknown>;
const TABS = ['workers', 'accounts', 'residents', 'codes', 'quality', 'audit'] as const;
type Tab = (typeof TABS)[number];

const cell = (v: unknown) =>
  v === null || v === undefined ? '—' : typeof v === 'object' ? JSON.stringify(v) : String(v);

/** A plain table of rows: the admin pages show records as the API gives them. */
function Table({
  rows,
  cols,
  actions,
}: {
  rows: Row[];
  cols: string[];
  actions?: (r: Row) => preact.ComponentChildren;
}) {
  return (
    <div class="scroll">
      <table class="queue">
        <thead>
          <tr>
            {cols.map((c) => (
              <th key={c}>{c}</th>
            ))}
            {actions && <th />}
          </tr>
        </thead>
        <tbody>
          {rows.map((r, i) => (
            <tr key={String(r.id ?? r.username ?? i)} data-row={String(r.id ?? r.username ?? i)}>
              {cols.map((c) => (
                <td key={c}>{c.endsWith('At') ? fmtTime(r[c] as string | null) : cell(r[c])}</td>
              ))}
              {actions && <td>{actions(r)}</td>}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

/** One form from a list of fields; submits their values (empty ones left out) as JSON. */
function Form({
  fields,
  submit,
  label,
}: {
  fields: string[];
  submit: (v: Record<string, string>) => Promise<unknown>;
  label: string;
}) {
  const [msg, setMsg] = useState('');
  return (
    <form
      class="card inline"
      onSubmit={(e) => {
        e.preventDefault();
        const f = new FormData(e.currentTarget as HTMLFormElement);
        const v: Record<string, string> = {};
        for (const k of fields) if (String(f.get(k) ?? '')) v[k] = String(f.get(k));
        void submit(v)
          .then((r) =>
            setMsg(
              `${t('done')} ${r && typeof r === 'object' && 'code' in r ? `: ${String((r as Row).code)}` : ''}`,
            ),
          )
          .catch((err: unknown) =>
            setMsg(`${t('failed')}: ${err instanceof ApiError ? `${err.code} ${err.message}` : String(err)}`),
          );
      }}
    >
      {fields.map((k) =>
        k === 'password' ? (
          <input key={k} name={k} placeholder={k} type="password" />
        ) : (
          <input key={k} name={k} placeholder={k} />
        ),
      )}
      <button type="submit">{label}</button>
      {msg && (
        <p class="msg" role="status">
          {msg}
        </p>
      )}
    </form>
  );
}

/** Supervisors and station managers: workers and shifts, accounts, residents, enrolment codes, quality, audit. */
export function AdminPage({ session }: { session: Session }) {
  const [tab, setTab] = useState<Tab>('workers');
  const [rows, setRows] = useState<Row[]>([]);
  const [q, setQ] = useState('');
  const [n, setN] = useState(0);
  const reload = () => setN((x) => x + 1);
  const station = session.stationId ?? '';

  useEffect(() => {
    setRows([]);
    const load: Record<Tab, () => Promise<Row[]>> = {
      workers: async () => (await api<{ items: Row[] }>('GET', '/console-api/workers')).items,
      accounts: async () => (await api<{ items: Row[] }>('GET', '/console-api/users')).items,
      residents: async () =>
        (await api<{ items: Row[] }>('GET', `/console-api/residents?q=${encodeURIComponent(q)}&limit=100`))
          .items,
      codes: async () => [],
      quality: async () => {
        const r = await api<{ items?: Row[] } | Row[] | Row>(
          'GET',
          `/quality/workers${station ? `?stationId=${station}` : ''}`,
        );
        return Array.isArray(r)
          ? r
          : Array.isArray((r as { items?: Row[] }).items)
            ? (r as { items: Row[] }).items
            : [r as Row];
      },
      audit: async () => (await api<{ items: Row[] }>('GET', '/audit?limit=100')).items,
    };
    void load[tab]()
      .then(setRows)
      .catch(() => setRows([]));
  }, [tab, n, q]);

  const tabLabel: Record<Tab, Key> = {
    workers: 'workers',
    accounts: 'accounts',
    residents: 'residents',
    codes: 'codes',
    quality: 'quality',
    audit: 'audit',
  };
  return (
    <main>
      <nav class="subtabs">
        {TABS.map((k) => (
          <button
            type="button"
            key={k}
            data-tab={k}
            class={tab === k ? 'on' : 'link'}
            onClick={() => setTab(k)}
          >
            {t(tabLabel[k])}
          </button>
        ))}
      </nav>
      {tab === 'workers' && (
        <>
          <Form
            label={t('create')}
            fields={['id', 'name', 'phone', 'stationId', 'lat', 'lon']}
            submit={async (v) => {
              await api('POST', '/workers', {
                id: v.id,
                name: v.name,
                phone: v.phone,
                stationId: v.stationId ?? station,
                home: { lat: Number(v.lat ?? 0), lon: Number(v.lon ?? 0) },
                shifts: [{ weekdays: [1, 2, 3, 4, 5], start: '08:00', end: '20:00' }],
              });
              reload();
            }}
          />
          <Table
            rows={rows}
            cols={['id', 'name', 'phone', 'active', 'shifts']}
            actions={(r) => (
              <>
                <button
                  type="button"
                  class="link"
                  data-action="shifts"
                  onClick={() => {
                    const s = prompt(t('shifts'), JSON.stringify(r.shifts));
                    if (s)
                      void api('PUT', `/workers/${String(r.id)}/shifts`, { shifts: JSON.parse(s) }).then(
                        reload,
                      );
                  }}
                >
                  {t('shifts')}
                </button>
                <button
                  type="button"
                  class="link"
                  data-action="toggle"
                  onClick={() =>
                    void api('PATCH', `/console-api/workers/${String(r.id)}`, { active: !r.active }).then(
                      reload,
                    )
                  }
                >
                  {r.active ? t('deactivate') : t('activate')}
                </button>
              </>
            )}
          />
        </>
      )}
      {tab === 'accounts' && (
        <>
          <Form
            label={t('create')}
            fields={['username', 'displayName', 'role', 'stationId', 'workerId', 'password']}
            submit={async (v) => {
              await api('POST', '/console-api/users', {
                ...v,
                stationId: v.stationId ?? (station || undefined),
              });
              reload();
            }}
          />
          <Table
            rows={rows}
            cols={['username', 'displayName', 'role', 'stationId', 'workerId', 'active']}
            actions={(r) => (
              <button
                type="button"
                class="link"
                onClick={() =>
                  void api('PATCH', `/console-api/users/${String(r.username)}`, { active: !r.active }).then(
                    reload,
                  )
                }
              >
                {r.active ? t('deactivate') : t('activate')}
              </button>
            )}
          />
        </>
      )}
      {tab === 'residents' && (
        <>
          <input
            placeholder={t('search')}
            value={q}
            onInput={(e) => setQ((e.currentTarget as HTMLInputElement).value)}
          />
          <Table
            rows={rows}
            cols={['id', 'name', 'address', 'stationId', 'openCases']}
            actions={(r) => (
              <>
                <button
                  type="button"
                  class="link"
                  onClick={() => {
                    const address = prompt(t('address'), String(r.address ?? ''));
                    if (address !== null)
                      void api('PATCH', `/residents/${String(r.id)}`, { address }).then(reload);
                  }}
                >
                  {t('address')}
                </button>
                <button
                  type="button"
                  class="link"
                  onClick={() =>
                    void api<{ items: Row[] }>('GET', `/residents/${String(r.id)}/guardians`).then((g) =>
                      alert(
                        g.items.map((x) => `${String(x.name)} ${String(x.phone)}`).join('\n') || t('none'),
                      ),
                    )
                  }
                >
                  {t('guardians')}
                </button>
              </>
            )}
          />
        </>
      )}
      {tab === 'codes' && (
        <Form
          label={t('makeCode')}
          fields={['stationId', 'residentId']}
          submit={(v) =>
            api('POST', '/enrolment-codes', {
              stationId: v.stationId ?? station,
              ...(v.residentId ? { residentId: v.residentId } : {}),
            })
          }
        />
      )}
      {tab === 'quality' && <Table rows={rows} cols={rows[0] ? Object.keys(rows[0]) : []} />}
      {tab === 'audit' && (
        <Table
          rows={rows}
          cols={['at', 'actor', 'role', 'credential', 'action', 'targetType', 'targetId', 'outcome']}
        />
      )}
    </main>
  );
}
