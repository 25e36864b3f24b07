import { render } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { ApiError, api, type Session, setCsrf } from './api.ts';
import { lang, setLang, t } from './i18n.ts';
import { AdminPage } from './pages/admin.tsx';
import { CasePage } from './pages/case.tsx';
import { ComplaintsPage } from './pages/complaints.tsx';
import { DeskPage } from './pages/desk.tsx';
import { LinkPage } from './pages/link.tsx';
import { LoginPage } from './pages/login.tsx';
import { PhoneInPage } from './pages/phone-in.tsx';
import { ResidentPage } from './pages/resident.tsx';
import { navigate } from './router.ts';
import './styles.css';

function usePath(): string {
  const [path, setPath] = useState(location.pathname);
  useEffect(() => {
    const on = () => setPath(location.pathname);
    addEventListener('popstate', on);
    return () => removeEventListener('popstate', on);
  }, []);
  return path;
}

function Header({ session, onLogout }: { session: Session | null; onLogout: () => void }) {
  return (
    <header class="top">
      <a
        class="brand"
        href="/console/"
        onClick={(e) => {
          e.preventDefault();
          navigate('/console/');
        }}
      >
        {t('appName')}
      </a>
      <span class="grow" />
      {session && (
        <span class="who">
          {session.displayName} · {session.role}
          {session.stationId ? ` · ${session.stationId}` : ''}
        </span>
      )}
      <button type="button" class="link" onClick={() => setLang(lang === 'zh' ? 'en' : 'zh')}>
        {t('lang')}
      </button>
      {session && (
        <button type="button" class="link" onClick={onLogout}>
          {t('logout')}
        </button>
      )}
    </header>
  );
}

function App() {
  const path = usePath();
  const [session, setSession] = useState<Session | null | undefined>(undefined);
  const isLink = path.startsWith('/console/l');

  useEffect(() => {
    if (isLink) return;
    api<Session>('GET', '/console-api/session')
      .then((s) => {
        setCsrf(s.csrfToken);
        setSession(s);
      })
      .catch((e: unknown) => {
        if (e instanceof ApiError && (e.status === 401 || e.status === 403)) setSession(null);
        else setSession(null);
      });
  }, [isLink]);

  const logout = () => {
    void api('POST', '/console-api/logout').finally(() => {
      setCsrf(null);
      setSession(null);
      navigate('/console/');
    });
  };

  if (isLink) {
    return (
      <>
        <Header session={null} onLogout={logout} />
        <LinkPage />
      </>
    );
  }
  if (session === undefined) return <Header session={null} onLogout={logout} />;
  if (session === null) {
    return (
      <>
        <Header session={null} onLogout={logout} />
        <LoginPage
          onLogin={(s) => {
            setCsrf(s.csrfToken);
            setSession(s);
          }}
        />
      </>
    );
  }
  const caseMatch = /^\/console\/cases\/([^/]+)$/.exec(path);
  const office = session.role !== 'worker';
  const residentMatch = /^\/console\/residents\/([^/]+)$/.exec(path);
  const page = caseMatch ? (
    <CasePage id={decodeURIComponent(caseMatch[1]!)} session={session} />
  ) : residentMatch ? (
    <ResidentPage id={decodeURIComponent(residentMatch[1]!)} />
  ) : office && path === '/console/phone-in' ? (
    <PhoneInPage />
  ) : office && path === '/console/complaints' ? (
    <ComplaintsPage />
  ) : office && session.role !== 'desk' && path.startsWith('/console/admin') ? (
    <AdminPage session={session} />
  ) : (
    <DeskPage session={session} />
  );
  const tabs: [string, string][] = [
    ['/console/', t('desk')],
    ['/console/phone-in', t('newCase')],
    ['/console/complaints', t('complaints')],
  ];
  if (session.role !== 'desk') tabs.push(['/console/admin', t('admin')]);
  return (
    <>
      <Header session={session} onLogout={logout} />
      {office && (
        <nav class="tabs">
          {tabs.map(([href, label]) => (
            <a
              key={href}
              href={href}
              class={path === href || (href !== '/console/' && path.startsWith(href)) ? 'on' : ''}
              onClick={(e) => {
                e.preventDefault();
                navigate(href);
              }}
            >
              {label}
            </a>
          ))}
        </nav>
      )}
      {page}
    </>
  );
}

document.documentElement.lang = lang === 'zh' ? 'zh-CN' : 'en';
render(<App />, document.getElementById('app')!);
