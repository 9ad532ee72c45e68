// Control API inputs, validated before they reach the switch model.
import { z } from 'zod';

const number = z.string().regex(/^[0-9A-Za-z+*#._-]{1,64}$/, 'expected a phone number or SIP user part');
const cause = z.string().regex(/^[A-Z_]{3,40}$/, 'expected a FreeSWITCH hangup cause such as NORMAL_CLEARING');
const ms = z.number().int().min(0).max(3_600_000);

export const endpointBehaviourSchema = z
  .object({
    answerAfterMs: ms.optional(),
    rejectCause: cause.optional(),
    neverAnswer: z.boolean().optional(),
    hangupAfterMs: ms.optional(),
    manual: z.boolean().optional(),
  })
  .strict();

export const placeCallSchema = z
  .object({
    from: z.union([number, z.object({ number, name: z.string().max(64).optional() }).strict()]),
    to: number,
    profile: z.string().regex(/^[a-z0-9_-]{1,32}$/).optional(),
    /** SIP X- headers, e.g. X-110-Case-Id. Values as they would appear on the wire. */
    sipHeaders: z.record(z.string().regex(/^X-[A-Za-z0-9-]{1,64}$/, 'expected an X- header name'), z.string().max(1024)).optional(),
    dtmf: z.array(z.object({ afterMs: ms, digits: z.string().regex(/^[0-9*#A-D]{1,32}$/) }).strict()).max(32).optional(),
    patienceMs: ms.optional(),
    hangupAfterMs: ms.optional(),
    uuid: z.uuid().optional(),
    /** The caller's source IP (Caller-Network-Addr): the 110 gateway's address for 110 calls. */
    fromAddr: z.ipv4().optional(),
  })
  .strict();

export const hangupSchema = z.object({ cause: cause.optional() }).strict();
export const dtmfSchema = z.object({ digits: z.string().regex(/^[0-9*#A-D]{1,32}$/) }).strict();
export const userIdSchema = z.string().regex(/^[A-Za-z0-9_.-]{1,64}$/);
export const uuidSchema = z.string().regex(/^[0-9a-f-]{36}$/i, 'expected a channel UUID');
