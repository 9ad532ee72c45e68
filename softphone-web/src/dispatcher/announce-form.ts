// The pre-announcement a dispatcher files before transferring the caller: the case id, caller
// number, category, summary, location, and the dispatcher's name and callback number. Checked here
// as the server checks it (digits for numbers), so the dispatcher sees a mistake before sending;
// the server's 400 message is shown as well. The dispatcher's own name and number stay for the next one.
import { dt, type DispatcherKey } from './messages.ts';
import { el } from './handoff-card.ts';

export interface PartnerInfo {
  id: string;
  name: string;
  preAnnounce: boolean;
}

const FIELDS = [
  ['caseId', 'text', true],
  ['callerNumber', 'tel', true],
  ['category', 'text', true],
  ['summary', 'textarea', true],
  ['location', 'text', false],
  ['dispatcherName', 'text', true],
  ['dispatcherCallback', 'tel', true],
] as const;
type Field = (typeof FIELDS)[number][0];

const NUMBER = /^\+?[0-9]{3,20}$/;

export function announceForm(partners: readonly PartnerInfo[], post: (body: Record<string, string>) => Promise<{ ok: boolean; message: string }>): HTMLElement {
  const partner = el('select', { name: 'partner', 'data-testid': 'announce-partner', id: 'announce-partner' }, ...partners.map((p) => el('option', { value: p.id }, `${p.name} (${p.id})`))) as HTMLSelectElement;
  const inputs = new Map<Field, HTMLInputElement | HTMLTextAreaElement>();
  const rows = FIELDS.map(([name, type, required]) => {
    const input = (type === 'textarea' ? el('textarea', { rows: '3' }) : el('input', { type, autocomplete: 'off', ...(type === 'tel' ? { inputmode: 'tel' } : {}) })) as HTMLInputElement | HTMLTextAreaElement;
    Object.assign(input, { name, id: `announce-${name}`, required });
    input.dataset.testid = `announce-${name}`;
    inputs.set(name, input);
    return el('div', { class: 'field' }, el('label', { for: `announce-${name}` }, dt(`dp.f.${name}` as DispatcherKey)), input);
  });
  const message = el('p', { class: 'form-error', role: 'status', 'data-testid': 'announce-message' });
  const submit = el('button', { class: 'btn btn-primary', type: 'submit', 'data-testid': 'announce-submit' }, dt('dp.submit')) as HTMLButtonElement;
  const form = el(
    'form',
    { class: 'panel announce', 'data-testid': 'announce-form', novalidate: '' },
    el('h2', {}, dt('dp.announce')),
    el('p', { class: 'muted' }, dt('dp.announce.hint')),
    partners.length > 1 ? el('div', { class: 'field' }, el('label', { for: 'announce-partner' }, dt('dp.f.partner')), partner) : '',
    ...rows,
    message,
    el('div', { class: 'actions' }, submit),
  ) as HTMLFormElement;
  const say = (text: string, ok: boolean) => {
    message.textContent = text;
    message.dataset.ok = String(ok);
  };
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    const body: Record<string, string> = { partner: partner.value || partners[0]?.id || '' };
    for (const [name, , required] of FIELDS) {
      const v = inputs.get(name)!.value.trim();
      const label = dt(`dp.f.${name}` as DispatcherKey);
      if (required && !v) return (say(dt('dp.required', { field: label }), false), inputs.get(name)!.focus());
      if ((name === 'callerNumber' || name === 'dispatcherCallback') && !NUMBER.test(v)) return (say(dt('dp.badNumber', { field: label }), false), inputs.get(name)!.focus());
      if (v) body[name] = v;
    }
    submit.disabled = true;
    void post(body)
      .then((res) => {
        say(res.ok ? dt('dp.announced', { caseId: body.caseId! }) : dt('dp.failed', { message: res.message }), res.ok);
        if (res.ok) for (const n of ['caseId', 'callerNumber', 'category', 'summary', 'location'] as const) inputs.get(n)!.value = '';
      })
      .finally(() => (submit.disabled = false));
  });
  return form;
}
