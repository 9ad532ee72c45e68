// The dispatcher's side of a three-way call (三方通话, 国办发〔2022〕12号: when it is unclear who is
// responsible, caller, 12345 and the partner talk it out together). On a handoff an agent is
// talking on, one button brings the dispatcher in (the server rings the callback number the
// pre-announcement gave, through the partner's gateway, into the call's conference room); once
// it is a three-way, two buttons record who takes the case. Both are REST calls
// (/api/handoffs/:id/three-way, /case-owner); the card shows the result when the server pushes
// the handoff's change, so the agent's console and this one show the same owner.
import type { Handoff } from '../../../server/src/handoff/handoff.ts';
import { el, handoffActions } from './handoff-card.ts';
import { dt } from './messages.ts';

export interface ThreeWayActionDeps {
  /** Only the partner's own dispatcher acts; a supervisor watching sees the state only. */
  canAct(): boolean;
  post(url: string, body: unknown): Promise<Response>;
  /** Shows a result line (success, or the server's message). */
  notice(text: string, ok: boolean): void;
  messageOf(res: Response): Promise<string>;
  /** Draws the cards again (the buttons' busy state). */
  refresh(): void;
}

/** Busy per handoff: a second click while the first request rings the dispatcher does nothing. */
const busy = new Set<string>();

export function registerThreeWayActions(deps: ThreeWayActionDeps): void {
  handoffActions.push((h, area) => {
    if (h.threeWay) area.append(el('span', { class: 'badge', 'data-testid': 'handoff-three-way' }, dt('dp.threeWay.on')));
    if (h.caseOwner) area.append(el('span', { class: 'badge', 'data-testid': 'handoff-case-owner', 'data-owner': h.caseOwner.owner }, dt('dp.caseOwner', { owner: h.caseOwner.owner })));
    if (!deps.canAct() || h.state !== 'answered') return;
    const path = `/api/handoffs/${encodeURIComponent(h.id)}`;
    if (!h.threeWay) {
      const start = button('handoff-three-way-start', dt('dp.threeWay.start'), busy.has(h.id));
      start.addEventListener('click', () => void act(h, `${path}/three-way`, {}, dt('dp.threeWay.started'), deps));
      area.append(start);
      return;
    }
    for (const owner of ['12345', h.partner]) {
      const b = button(`handoff-owner-${owner}`, dt('dp.caseOwner.set', { owner }), busy.has(h.id) || h.caseOwner?.owner === owner);
      b.addEventListener('click', () => void act(h, `${path}/case-owner`, { owner }, dt('dp.caseOwner', { owner }), deps));
      area.append(b);
    }
  });
}

function button(testid: string, label: string, disabled: boolean): HTMLButtonElement {
  const b = el('button', { class: 'btn', type: 'button', 'data-testid': testid }, label) as HTMLButtonElement;
  b.disabled = disabled;
  return b;
}

async function act(h: Handoff, url: string, body: unknown, done: string, deps: ThreeWayActionDeps): Promise<void> {
  if (busy.has(h.id)) return;
  busy.add(h.id);
  deps.refresh();
  try {
    const res = await deps.post(url, body);
    deps.notice(res.ok ? done : dt('dp.failed', { message: await deps.messageOf(res) }), res.ok);
  } catch {
    deps.notice(dt('dp.failed', { message: dt('dp.login.error.network') }), false);
  } finally {
    busy.delete(h.id);
    deps.refresh();
  }
}
