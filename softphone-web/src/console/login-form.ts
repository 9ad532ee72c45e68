// The consoles' sign-in form (dark, large type, for wall screens and supervisors' desks).
import { consoleLogin, type ConsoleSession } from './session.ts';
import { ct, type ConsoleKey } from './messages.ts';

export function consoleLoginForm(roles: readonly string[], onSession: (s: ConsoleSession) => void, notice?: string): HTMLElement {
  const form = document.createElement('form');
  form.className = 'login';
  form.innerHTML = `<h1 data-testid="console-login-title"></h1>
    <label><span data-l="wb.login.username"></span><input data-testid="login-username" name="username" autocomplete="username" required></label>
    <label><span data-l="wb.login.password"></span><input data-testid="login-password" name="password" type="password" autocomplete="current-password" required></label>
    <p class="error" role="alert"></p><button type="submit" data-testid="login-submit" data-l="wb.login.submit"></button>`;
  form.querySelector('h1')!.textContent = ct('wb.login.title');
  for (const e of form.querySelectorAll<HTMLElement>('[data-l]')) e.textContent = ct(e.dataset.l as ConsoleKey);
  const error = form.querySelector('.error')!;
  error.textContent = notice ?? '';
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    const data = new FormData(form);
    void consoleLogin(String(data.get('username') ?? '').trim(), String(data.get('password') ?? ''), roles).then((res) => {
      if (res.ok) onSession(res.session);
      else error.textContent = ct(`wb.login.error.${res.error}`);
    });
  });
  return form;
}
