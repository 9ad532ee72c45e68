// Entry point: sign in (or resume this tab's session), load the phone configuration, start the
// workspace; go back to the sign-in form when the agent signs out or the session expires.
import { lang, loadLang, onLangChange, t } from './i18n/i18n.ts';
import { fetchConfig, HttpError, loadSession, saveSession, type Session } from './net/api.ts';
import { createPhone } from './phone/phone.ts';
import { relabel } from './ui/dom.ts';
import { loginView, type Notice } from './ui/login-view.ts';
import { Workspace, type ExitReason } from './ui/workspace.ts';
import './styles.css';

const root = document.getElementById('app') as HTMLElement;
const audio = document.getElementById('remote-audio') as HTMLAudioElement;
let workspace: Workspace | undefined;

function applyLang(): void {
  document.documentElement.lang = lang();
  document.title = t('app.title');
}

function showLogin(notice?: Notice): void {
  workspace = undefined;
  root.replaceChildren(loginView((s) => void enter(s), notice));
}

async function enter(session: Session): Promise<void> {
  saveSession(session);
  let config;
  try {
    config = await fetchConfig(session.token);
  } catch (err) {
    saveSession(undefined);
    if (err instanceof HttpError && err.status === 401) return showLogin(() => t('login.expired'));
    const detail = err instanceof Error ? err.message : String(err);
    return showLogin(() => t('login.error.config', { detail }));
  }
  const phone = await createPhone(config.phone, audio);
  const ws = new Workspace(session, config, phone, (reason: ExitReason) => {
    saveSession(undefined);
    showLogin(reason === 'expired' ? () => t('login.expired') : undefined);
  });
  workspace = ws;
  root.replaceChildren(ws.el);
}

loadLang();
applyLang();
onLangChange(() => {
  applyLang();
  relabel();
  workspace?.relabel();
});

const resumed = loadSession();
if (resumed) void enter(resumed);
else showLogin();
