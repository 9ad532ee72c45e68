// pino JSON logs. Caller numbers are personal data: they go in structured fields whose names are
// listed below and are masked on the way out; they never go in message strings.
import { pino, type DestinationStream, type Logger } from 'pino';
import type { LogConfig } from './config.ts';

/**
 * Masking rule, by the count of digits in the value:
 *   <= 5 digits   kept as is: public service and short numbers (110, 119, 12345, 95566) identify no one;
 *   6-7 digits    first 1 and last 1 kept   (1234567      -> 1*****7);
 *   8-10 digits   first 2 and last 2 kept   (87654321     -> 87****21);
 *   >= 11 digits  first 3 and last 2 kept   (13812345678  -> 138******78, +8613812345678 -> +861********78).
 * At least half of the digits are always hidden. Separators (+, -, spaces, brackets) stay in place.
 * In any other text (a SIP URI, a dial string) each run of 6 or more digits is masked by the same
 * rule, so `sip:13812345678@10.0.0.1` keeps its host readable.
 */
export function maskNumber(value: string): string {
  if (/^[\d\s+\-().]*$/.test(value)) return maskDigits(value);
  return value.replace(/\d{6,}/g, maskDigits);
}

function maskDigits(s: string): string {
  const digits = s.replace(/\D/g, '').length;
  if (digits <= 5) return s;
  const [head, tail] = digits >= 11 ? [3, 2] : digits >= 8 ? [2, 2] : [1, 1];
  let seen = 0;
  return s.replace(/\d/g, (d) => {
    seen++;
    return seen <= head || seen > digits - tail ? d : '*';
  });
}

/** Field names that hold a phone number wherever they appear (top level or one level down). */
export const numberFields = [
  'caller',
  'callerNumber',
  'callerIdNumber',
  'callee',
  'calleeNumber',
  'calleeIdNumber',
  'destination',
  'destinationNumber',
  'ani',
  'dnis',
  'phone',
  'number',
  // FreeSWITCH event headers, for the rare raw event that is logged as is.
  'Caller-Caller-ID-Number',
  'Caller-Callee-ID-Number',
  'Caller-Destination-Number',
  'Caller-ANI',
  'Other-Leg-Caller-ID-Number',
  'Other-Leg-Destination-Number',
  'variable_sip_from_user',
  'variable_sip_to_user',
  'variable_effective_caller_id_number',
] as const;

const key = (name: string): string => (/^[A-Za-z_$][\w$]*$/.test(name) ? name : `["${name}"]`);
const join = (prefix: string, name: string): string => (key(name).startsWith('[') ? `${prefix}${key(name)}` : `${prefix}.${name}`);
/** pino redact paths for numberFields: `caller`, `*.caller`, `*.*.caller` (call.legs.a.caller is three down: keep payloads flat). */
export const redactPaths: string[] = numberFields.flatMap((n) => [key(n), join('*', n), join('*.*', n)]);

function censor(value: unknown): unknown {
  if (value === undefined || value === null) return value;
  if (typeof value === 'string') return maskNumber(value);
  if (typeof value === 'number' || typeof value === 'bigint') return maskNumber(String(value));
  // An object or list under a number field could hold anything: hide it rather than guess.
  return '[masked]';
}

// Query strings can carry numbers (`?caller=138...`): mask long digit runs in them.
const maskUrl = (url: string): string => {
  const q = url.indexOf('?');
  return q < 0 ? url : url.slice(0, q) + url.slice(q).replace(/\d{6,}/g, maskDigits);
};

interface RequestLike {
  id?: unknown;
  method?: string;
  url?: string;
  ip?: string;
}

/** Serializer for Fastify's `req` field: the method, a masked URL and the request id, nothing else. */
export const requestSerializer = (req: RequestLike): Record<string, unknown> => ({
  id: req.id,
  method: req.method,
  url: req.url === undefined ? undefined : maskUrl(req.url),
  remoteAddress: req.ip,
});

export type { Logger };

/** The service's root logger. `destination` is for tests that read the JSON lines back. */
export function createLogger(config: LogConfig, destination?: DestinationStream): Logger {
  const options = {
    level: config.level,
    base: { service: 'hotline12345' },
    timestamp: pino.stdTimeFunctions.isoTime,
    redact: { paths: redactPaths, censor },
    serializers: { err: pino.stdSerializers.err, error: pino.stdSerializers.err, req: requestSerializer },
  };
  return destination ? pino(options, destination) : pino(options);
}

/** A child logger for one call: every line carries its callId. */
export function callLogger(log: Logger, callId: string): Logger {
  return log.child({ callId });
}
