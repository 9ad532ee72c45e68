// Today's two-way diversion figures (双向分流) of the dispatcher's partners, per direction, from
// GET /api/handoffs/figures, and the same as a CSV download (fetched with the token, then saved).
import type { DayFigures } from '../../../server/src/handoff/service.ts';
import { dt, type DispatcherKey } from './messages.ts';
import { el } from './handoff-card.ts';

const COLS = ['announced', 'transferred', 'accepted', 'returned', 'threeWay'] as const;

export function figuresPanel(figures: readonly DayFigures[], names: ReadonlyMap<string, string>, onCsv: () => void): HTMLElement {
  const th = (k: DispatcherKey) => el('th', {}, dt(k));
  const rows = figures.flatMap((f) =>
    (['in', 'out'] as const).map((d) =>
      el(
        'tr',
        { 'data-testid': `fig-${f.partner}-${d}` },
        el('td', {}, names.get(f.partner) ?? f.partner),
        el('td', {}, dt(`dp.fig.${d}`)),
        ...COLS.map((c) => el('td', { 'data-col': c }, String(f[d][c]))),
        el('td', { 'data-col': 'meanAnswerSec' }, f[d].meanAnswerSec === null ? '—' : f[d].meanAnswerSec.toFixed(1)),
      ),
    ),
  );
  const csv = el('button', { class: 'btn btn-small', type: 'button', 'data-testid': 'figures-csv' }, dt('dp.csv'));
  csv.addEventListener('click', onCsv);
  return el(
    'section',
    { class: 'panel figures', 'data-testid': 'figures' },
    el('div', { class: 'panel-head' }, el('h2', {}, dt('dp.figures')), csv),
    el('table', { class: 'fig-table' }, el('thead', {}, el('tr', {}, th('dp.f.partner'), th('dp.fig.direction'), ...COLS.map((c) => th(`dp.fig.${c}`)), th('dp.fig.meanAnswer'))), el('tbody', {}, ...rows)),
  );
}
