import { useState } from 'preact/hooks';
import { ApiError, api, type Session } from '../api.ts';
import { t } from '../i18n.ts';

export function LoginPage({ onLogin }: { onLogin: (s: Session) => void }) {
  const [error, setError] = useState('');
  const [busy, setBusy] = useState(false);
  const submit = async (e: Event) => {
    e.preventDefault();
    const f = new FormData(e.currentTarget as HTMLFormElement);
    setBusy(true);
    setError('');
    try {
      onLogin(
        await api<Session>('POST', '/console-api/login', {
          username: String(f.get('username') ?? ''),
          password: String(f.get('password') ?? ''),
        }),
      );
    } catch (err) {
      setError(err instanceof ApiError && err.status === 429 ? t('locked') : t('loginFailed'));
    } finally {
      setBusy(false);
    }
  };
  return (
    <main class="narrow">
      <form class="card" onSubmit={(e) => void submit(e)}>
        <h1>{t('login')}</h1>
        <label>
          {t('username')}
          <input name="username" autocomplete="username" required />
        </label>
        <label>
          {t('password')}
          <input name="password" type="password" autocomplete="current-password" required />
        </label>
        {error && (
          <p class="error" role="alert">
            {error}
          </p>
        )}
        <button type="submit" disabled={busy}>
          {t('login')}
        </button>
      </form>
    </main>
  );
}
