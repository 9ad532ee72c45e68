// The `out` side of the two-way diversion figures (双向分流): which partner hotline a completed
// call's transfer records went to, read from the CDR's transfer records. A transfer goes to a
// partner when its target is the partner's configured number (an agent's external transfer
// records `number:<n>`, the IVR and overflows the bare number) or names its gateway (a dial string
// `sofia/gateway/<gw>/<n>` or `gateway:<gw>`); a `to110` transfer is 110's whatever its target.
import type { CallRecord, TransferRecord } from '../calls/call-record.ts';
import type { Partner } from './partners.ts';

/** The partner a transfer record went to, if any. */
export function partnerOfTransfer(partners: readonly Partner[], t: Pick<TransferRecord, 'kind' | 'to'>): Partner | undefined {
  const to = t.to.replace(/^(number|external):/, '');
  const gateway = /^(?:sofia\/gateway\/|gateway:)([^/]+)/.exec(to)?.[1];
  const found = partners.find((p) => (gateway !== undefined ? p.gateway === gateway : p.number === to.replace(/^\+86/, '')));
  return found ?? (t.kind === 'to110' ? partners.find((p) => p.id === '110') : undefined);
}

/** What one transfer to a partner adds to its figures (fields `out:<metric>`, see service.ts). */
export interface OutTransfer {
  readonly partner: string;
  readonly atMs: number;
  readonly figures: Record<string, number>;
}

/**
 * A completed call's transfers to partners. Each counts as transferred out; one the partner's side
 * answered as accepted (with the time from the transfer to the answer of the leg that dialled the
 * partner, when the record has that leg); one that failed (the caller stayed with 12345) as returned.
 */
export function outTransfers(partners: readonly Partner[], call: Readonly<CallRecord>): OutTransfer[] {
  const out: OutTransfer[] = [];
  for (const t of call.transfers) {
    const p = partnerOfTransfer(partners, t);
    if (!p) continue;
    const atMs = Math.floor(t.atUs / 1000);
    const figures: Record<string, number> = { 'out:transferred': 1 };
    if (t.failed !== undefined) figures['out:returned'] = 1;
    else {
      figures['out:accepted'] = 1;
      const leg = call.legs.find((l) => l.role !== 'agent' && l.role !== 'caller' && l.answeredUs !== undefined && l.answeredUs >= t.atUs && l.target !== undefined && (l.target.endsWith(`/${p.number}`) || l.target === p.number || l.target.includes(`/${p.gateway}/`)));
      if (leg?.answeredUs !== undefined) {
        figures['out:answerMsSum'] = Math.floor(leg.answeredUs / 1000) - atMs;
        figures['out:answerTimed'] = 1;
      }
    }
    out.push({ partner: p.id, atMs, figures });
  }
  return out;
}
