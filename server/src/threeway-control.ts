// Three-way wiring: the domain's ThreeWay over the ACD's per-node switch commands, the registry and
// the partners' gateways; the handoff of a partner's call learns it became a three-way and who took
// the case. Every number is checked at the switch boundary (esl-values) before it is dialled.
import type { Logger } from 'pino';
import type { Acd } from './acd-control.ts';
import type { CallRegistry } from './calls/registry.ts';
import type { SwitchEvent } from './calls/switch-events.ts';
import { dialString, phoneNumber } from './freeswitch/esl-values.ts';
import type { Partner } from './handoff/partners.ts';
import type { HandoffService } from './handoff/service.ts';
import { ThreeWay } from './handoff/threeway.ts';

/** `sofia/gateway/<partner's gateway>/<number>`: its own number unless another is given (a dispatcher's callback). */
export function partnerDialstring(partners: readonly Partner[]): (id: string, number?: string) => string | undefined {
  return (id, number) => {
    const p = partners.find((x) => x.id === id);
    return p ? dialString(`sofia/gateway/${p.gateway}/{target}`, phoneNumber(number ?? p.number, 'partner number')) : undefined;
  };
}

export interface ThreeWayControl {
  readonly threeWay: ThreeWay;
  /** Every switch event, after the registry applied it. */
  onSwitchEvent(ev: SwitchEvent): void;
}

export function startThreeWay(deps: {
  readonly acd: Acd;
  readonly registry: CallRegistry;
  readonly partners: readonly Partner[];
  readonly departmentDialTemplate: string;
  readonly ringSec: number;
  readonly now: () => number;
  readonly logger: Logger;
  readonly handoffs: () => HandoffService | undefined;
}): ThreeWayControl {
  const log = deps.logger.child({ component: 'three-way' });
  const marked = new Set<string>();
  const threeWay = new ThreeWay({
    sw: deps.acd.sw,
    calls: deps.registry,
    partnerDialstring: partnerDialstring(deps.partners),
    externalDialstring: (number) => dialString(deps.departmentDialTemplate, phoneNumber(number, 'department number')),
    ringSec: deps.ringSec,
    nowUs: () => deps.now() * 1000,
    logger: log,
    onCaseOwner: (call, o) =>
      void deps.handoffs()?.threeWay(call.id, { owner: o.owner, by: o.by, atMs: Math.floor(o.atUs / 1000) }).catch((err: unknown) => log.warn({ err, callId: call.id }, 'case owner not recorded on the handoff')),
  });
  return {
    threeWay,
    onSwitchEvent(ev) {
      threeWay.onSwitchEvent(ev);
      if (ev.type !== 'conference' || ev.action !== 'add-member' || !ev.conference.startsWith('hotline-')) return;
      const call = deps.registry.byLeg(ev.uuid);
      if (!call || marked.has(call.id)) return;
      marked.add(call.id);
      // Bounded: the ids of calls long over are forgotten.
      if (marked.size > 10_000) marked.delete(marked.values().next().value!);
      void deps.handoffs()?.threeWay(call.id).catch((err: unknown) => log.warn({ err, callId: call.id }, 'three-way not recorded on the handoff'));
    },
  };
}
