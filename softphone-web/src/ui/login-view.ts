// The sign-in form. Errors name what to do (wrong password vs. locked out for a while) without
// revealing whether the agent ID exists, matching what the server tells us.
import { lang, setLang, t } from '../i18n/i18n.ts';
import { login, type Session } from '../net/api.ts';
import { bind, h, setText } from './dom.ts';

/** A message in whatever language is current when it is shown: re-rendered on a language switch. */
export type Notice = () => string;

export function loginView(onSession: (s: Session) => void, notice?: Notice): HTMLElement {
  // User names are not always numbers (supervisor, dispatcher, site-specific ids): a plain text
  // keyboard on touch devices, without auto-capitalisation or correction.
  const username = h('input', { testid: 'login-username', attrs: { id: 'login-username', name: 'username', autocomplete: 'username', autocapitalize: 'none', autocorrect: 'off', spellcheck: 'false', required: '' } });
  const password = h('input', { testid: 'login-password', attrs: { id: 'login-password', name: 'password', type: 'password', autocomplete: 'current-password', required: '' } });
  const submit = h('button', { class: 'btn btn-primary', testid: 'login-submit', text: 'login.submit', attrs: { type: 'submit' } });
  let message: Notice | undefined = notice;
  const error = h('p', { class: 'form-error', testid: 'login-error', attrs: { role: 'alert', id: 'login-error' } });
  bind(error, (e) => (e.textContent = message?.() ?? ''));
  const say = (m: Notice): void => {
    message = m;
    setText(error, m());
  };
  const langBtn = h('button', { class: 'btn btn-quiet', testid: 'lang-toggle', attrs: { type: 'button' }, on: { click: () => setLang(lang() === 'en' ? 'zh-CN' : 'en') } });
  bind(langBtn, (b) => {
    b.textContent = t('lang.toggle');
    b.setAttribute('aria-label', t('lang.toggleLabel'));
    b.lang = lang() === 'en' ? 'zh-CN' : 'en';
  });

  const form = h(
    'form',
    {
      class: 'login',
      attrs: { 'aria-labelledby': 'login-title', 'aria-describedby': 'login-error', novalidate: '' },
      on: {
        submit: (e) => {
          e.preventDefault();
          void go();
        },
      },
    },
    h('div', { class: 'login-head' }, h('h1', { text: 'login.title', attrs: { id: 'login-title' } }), langBtn),
    h('div', { class: 'field' }, h('label', { text: 'login.username', attrs: { for: 'login-username' } }), username),
    h('div', { class: 'field' }, h('label', { text: 'login.password', attrs: { for: 'login-password' } }), password),
    error,
    submit,
  );

  async function go(): Promise<void> {
    if (!username.value.trim()) return username.focus();
    if (!password.value) return password.focus();
    submit.disabled = true;
    say(() => t('login.busy'));
    const res = await login(username.value.trim(), password.value);
    submit.disabled = false;
    if (res.ok) return onSession(res.session);
    if (res.console) return location.assign(res.console);
    const reason = res.error;
    say(() => t(`login.error.${reason}`));
    password.value = '';
    password.focus();
  }

  queueMicrotask(() => username.focus());
  return h('main', { class: 'login-page' }, form);
}
