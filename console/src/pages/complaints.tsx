import { useEffect, useState } from 'preact/hooks';
import { ApiError, api } from '../api.ts';
import { fmtTime, statusLabel, t } from '../i18n.ts';
import { navigate } from '../router.ts';

interface ComplaintItem {
  id: string;
  caseId: string;
  residentName: string;
  source: string;
  text: string | null;
  score: number | null;
  createdAt: string;
  owner: string | null;
  status: string;
  dueAt: string | null;
  replyText: string | null;
  repliedAt: string | null;
  complainantPhone: string | null;
}

function Complaint({ c, onChange }: { c: ComplaintItem; onChange: () => void }) {
  const [owner, setOwner] = useState(c.owner ?? '');
  const [due, setDue] = useState(c.dueAt ? c.dueAt.slice(0, 10) : '');
  const [phone, setPhone] = useState(c.complainantPhone ?? '');
  const [reply, setReply] = useState('');
  const [msg, setMsg] = useState('');
  const run = async (f: () => Promise<unknown>) => {
    try {
      await f();
      setMsg(t('done'));
      onChange();
    } catch (e) {
      setMsg(`${t('failed')}: ${e instanceof ApiError ? e.code : String(e)}`);
    }
  };
  return (
    <li class="card complaint" data-complaint={c.id} data-status={c.status}>
      <p>
        <b>{c.residentName}</b> · {fmtTime(c.createdAt)} · {c.source}
        {c.score !== null ? ` · ${c.score}/5` : ''} ·{' '}
        <span class={`status st-${c.status}`}>{statusLabel(c.status)}</span>{' '}
        <a
          href={`/console/cases/${c.caseId}`}
          onClick={(e) => {
            e.preventDefault();
            navigate(`/console/cases/${c.caseId}`);
          }}
        >
          →
        </a>
      </p>
      <p>{c.text ?? '—'}</p>
      <div class="buttons">
        <input
          placeholder={t('owner')}
          value={owner}
          onInput={(e) => setOwner((e.currentTarget as HTMLInputElement).value)}
        />
        <input type="date" value={due} onInput={(e) => setDue((e.currentTarget as HTMLInputElement).value)} />
        <input
          placeholder={t('phone')}
          value={phone}
          onInput={(e) => setPhone((e.currentTarget as HTMLInputElement).value)}
        />
        <button
          type="button"
          data-action="save"
          onClick={() =>
            void run(() =>
              api('PATCH', `/console-api/complaints/${c.id}`, {
                ...(owner ? { owner } : {}),
                ...(due ? { dueAt: new Date(`${due}T23:59:59+08:00`).toISOString() } : {}),
                ...(phone ? { complainantPhone: phone } : {}),
                ...(c.status === 'open' && owner ? { status: 'in_progress' } : {}),
              }),
            )
          }
        >
          {t('save')}
        </button>
      </div>
      {c.replyText ? (
        <p class="msg">
          {t('answered')} {fmtTime(c.repliedAt)}: {c.replyText}
        </p>
      ) : (
        <div class="buttons">
          <input
            placeholder={t('reply')}
            value={reply}
            maxLength={300}
            onInput={(e) => setReply((e.currentTarget as HTMLInputElement).value)}
          />
          <button
            type="button"
            data-action="reply"
            disabled={!reply.trim()}
            onClick={() =>
              void run(() => api('POST', `/console-api/complaints/${c.id}/reply`, { text: reply }))
            }
          >
            {t('sendReply')}
          </button>
        </div>
      )}
      {msg && <p class="muted">{msg}</p>}
    </li>
  );
}

/** Complaints of the station: each with an owner, a status, a deadline and a reply texted to the complainant. */
export function ComplaintsPage() {
  const [items, setItems] = useState<ComplaintItem[]>([]);
  const load = () =>
    void api<{ items: ComplaintItem[] }>('GET', '/console-api/complaints').then((r) => setItems(r.items));
  useEffect(load, []);
  return (
    <main>
      <h1>{t('complaints')}</h1>
      <ul class="plain">
        {items.map((c) => (
          <Complaint key={`${c.id}-${c.status}`} c={c} onChange={load} />
        ))}
        {items.length === 0 && <li class="muted">{t('none')}</li>}
      </ul>
    </main>
  );
}
