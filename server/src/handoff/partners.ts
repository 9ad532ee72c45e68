// Partner hotlines (110 police, 119 fire, 120 medical, 122 traffic police, 12388 discipline
// inspection): each is configuration, not code. What differs between them is the line their calls
// arrive on (the dialplan's hotline_line), the channel variable the dialplan fills from their
// case-id SIP header, how their calls rank in our queues, whether their dispatchers announce a
// transfer first, and the gateway a call goes out through when 12345 hands a matter to them.
import { z } from 'zod';

const token = (what: string, re: RegExp) => z.string({ error: `expected ${what}` }).regex(re, { error: `expected ${what}` });

export const partnerSchema = z.strictObject({
  /** The partner's short number, also its id in routes, figures and dispatcher groups. */
  id: token('a partner number of 3 to 6 digits', /^[0-9]{3,6}$/),
  name: z.string({ error: 'expected a display name' }).min(1).max(64),
  /** The dialplan's hotline_line value for calls transferred from this partner. */
  line: token('a line name', /^[a-z0-9_]{1,32}$/),
  /** The priority class their callers wait in (from110 is the highest). */
  priority: z.enum(['from110', 'elder', 'repeat', 'normal'], { error: 'expected from110, elder, repeat or normal' }).default('from110'),
  /** Their dispatchers file a pre-announcement before transferring (else calls are matched as they come). */
  preAnnounce: z.boolean({ error: 'expected true or false' }).default(true),
  /** Channel variable the dialplan sets from the partner's case-id SIP header (vetted there). */
  caseIdVariable: token('a channel variable name', /^[a-z0-9_]{1,64}$/).optional(),
  /** Gateway (dialplan/sip_profiles) and number that reach the partner's switch. */
  gateway: token('a gateway name', /^[A-Za-z0-9_.-]{1,64}$/),
  number: token('a dialable number', /^[0-9]{3,20}$/),
  /** Where outcomes of their transfers are POSTed (signed when a secret is set). */
  outcomeWebhookUrl: z.url({ protocol: /^https?$/, error: 'expected an http(s) URL' }).optional(),
  outcomeWebhookSecret: z.string({ error: 'expected a secret of at least 16 characters' }).min(16).optional(),
});

export type Partner = z.output<typeof partnerSchema>;

export const partnersSchema = z
  .array(partnerSchema)
  .refine((ps) => new Set(ps.map((p) => p.id)).size === ps.length, { error: 'expected unique partner ids' })
  .refine((ps) => new Set(ps.map((p) => p.line)).size === ps.length, { error: 'expected one line per partner' });

/** The national rule names 110 first; the others are configured the same way. Only 110's line exists in dialplan/ today. */
export const DEFAULT_PARTNERS: z.input<typeof partnersSchema> = [
  { id: '110', name: '公安110', line: 'from110', caseIdVariable: 'hotline_110_case_id', gateway: 'gw_110', number: '110' },
  { id: '119', name: '消防119', line: 'from119', preAnnounce: false, gateway: 'gw_119', number: '119' },
  { id: '120', name: '急救120', line: 'from120', preAnnounce: false, gateway: 'gw_120', number: '120' },
  { id: '122', name: '交警122', line: 'from122', gateway: 'gw_122', number: '122' },
  { id: '12388', name: '纪检监察12388', line: 'from12388', priority: 'normal', preAnnounce: false, gateway: 'gw_12388', number: '12388' },
];

/** The partners a user may see: a supervisor all; a dispatcher those named in its groups. */
export function partnersFor(partners: readonly Partner[], who: { readonly role: string; readonly groups?: readonly string[] | undefined }): Partner[] {
  if (who.role === 'supervisor') return [...partners];
  if (who.role !== 'dispatcher') return [];
  return partners.filter((p) => who.groups?.includes(p.id));
}

/** The config section `handoff` (config.ts): partners and the timings of a transfer from one. */
export const handoffConfigSchema = z.strictObject({
  partners: partnersSchema.default(() => partnersSchema.parse(DEFAULT_PARTNERS)),
  /** An announced caller number matches an incoming call without a case id for this long. */
  matchWindowSec: z.number({ error: 'expected seconds between 10 and 3600' }).int().min(10).max(3600).default(300),
  /** The dispatcher is warned when no agent answered this long after the call was queued. */
  answerWarnSec: z.number({ error: 'expected seconds between 5 and 3600' }).int().min(5).max(3600).default(60),
});
