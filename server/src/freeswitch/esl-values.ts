// Every value that goes into an ESL command or a dial string passes here first. FreeSWITCH reads
// those strings with several parsers at once, none of which has a way to quote everything:
// - the ESL framing: a command ends at LF, a sendmsg header line at LF; NUL ends a C string;
// - `api` arguments are split at spaces, with `'` toggling a quoted stretch and `\` escaping
//   (switch_separate_string, blank delimiter);
// - dial strings: `{...}` global, `[...]` per-leg and `<...>` enterprise variables, `,` rings legs
//   at once, `|` one after the other, `:_:` separates enterprise groups, a leading `^^X` changes
//   the variable separator to X (switch_event_create_brackets, switch_ivr_originate);
// - inside `{a=b,c=d}`: `,` separates, `=` splits, `'` quotes, `\` escapes (separate_string_char_delim);
// - `${name}` / `${api(args)}` is expanded when a variable or dial string is used, which can run
//   any API command (`${system(...)}`); sofia dial strings take `;param=` parameters;
//   uuid_broadcast runs `app::args` as an application.
// Escaping for all of those at once is fragile, so values are refused unless they are one of a
// few plain shapes: a UUID, a phone number, a token of letters, digits and `_ . @ : / + - #`.
// A refusal throws InvalidCommandArgument before anything is written to the socket.
import { maskNumber } from '../log.ts';

export class InvalidCommandArgument extends Error {
  override name = 'InvalidCommandArgument';
}

/** Strictly 8-4-4-4-12 hex digits. */
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
/** A caller's or citizen's number: an optional +, then 3 to 20 digits (110, 12345, +8613800138000). */
export const PHONE_NUMBER = /^\+?[0-9]{3,20}$/;
/** What a site's own settings may dial (flow and overflow targets): service codes with * and # too. */
const DIAL_NUMBER = /^\+?[0-9*#]{2,32}$/;
/** Variable, application, context and conference names. */
const NAME = /^[A-Za-z0-9_.-]{1,64}$/;
/** sip_h_X-... header variables carry a dash-separated header name. */
const VAR_NAME = /^[A-Za-z0-9_.-]{1,128}$/;
/** Extensions, agent ids, queue names and variable values: one word with no parser's specials. */
const TOKEN = /^[A-Za-z0-9_.@:+#*-]{1,128}$/;
/** Dial strings (user/1001, sofia/gateway/gw_110/110) and prompt paths: a token that may hold `/`. */
const PATH = /^[A-Za-z0-9_.@:+#*/-]{1,256}$/;
/** Hang-up causes (NORMAL_CLEARING, ORIGINATOR_CANCEL). */
const CAUSE = /^[A-Z_]{1,64}$/;

function refuse(what: string, value: unknown): never {
  // The value itself may be a caller's number or an attacker's payload: show its shape, masked.
  const shown = typeof value === 'string' ? JSON.stringify(maskNumber(value.length > 64 ? `${value.slice(0, 64)}...` : value)) : typeof value;
  throw new InvalidCommandArgument(`invalid ${what}: ${shown}`);
}

/** `value` if it matches `re` (and holds no `:_:`), else InvalidCommandArgument naming `what`. */
export function match(re: RegExp, value: unknown, what: string): string {
  // `:_:` splits a dial string into enterprise groups wherever it appears, even inside a value.
  if (typeof value !== 'string' || !re.test(value) || value.includes(':_:')) refuse(what, value);
  return value;
}

export const uuid = (v: unknown): string => match(UUID, v, 'uuid');
export const isUuid = (v: unknown): v is string => typeof v === 'string' && UUID.test(v);
export const phoneNumber = (v: unknown, what = 'phone number'): string => match(PHONE_NUMBER, v, what);
export const isPhoneNumber = (v: unknown): v is string => typeof v === 'string' && PHONE_NUMBER.test(v);
export const name = (v: unknown, what = 'name'): string => match(NAME, v, what);
export const varName = (v: unknown): string => match(VAR_NAME, v, 'variable name');
export const token = (v: unknown, what = 'value'): string => match(TOKEN, v, what);
export const cause = (v: unknown): string => match(CAUSE, v, 'cause');

/**
 * A dial string or a file path: a token that may contain `/`. `::` is refused because
 * uuid_broadcast reads `app::args` as an application to run.
 */
export function path(v: unknown, what = 'path'): string {
  const s = match(PATH, v, what);
  if (s.includes('::')) refuse(what, v);
  return s;
}

/**
 * A stream URL the IVR plays (tone_stream://..., silence_stream://250): the scheme, then a path;
 * tone_stream also takes `%(on,off,freq)` and `;loops=N`, which are allowed there only.
 */
export function mediaPath(v: unknown): string {
  if (typeof v === 'string' && /^(tone|silence)_stream:\/\/[A-Za-z0-9%(),;=.+-]{1,128}$/.test(v)) return v;
  return path(v, 'media path');
}

/**
 * A variable value: a token (or empty), never a parser's special character. `/` is allowed (a
 * prompt file the survey extension plays): neither uuid_setvar nor `{a=b}` reads anything in it.
 */
export function varValue(v: unknown, varName = 'variable'): string {
  if (v === '') return '';
  return match(PATH, v, `value for ${varName}`);
}

/**
 * A dial string from a site's template and a number: `sofia/gateway/gw_carrier/{target}`. The
 * number must be a number (digits, a leading +, * and #); the result must still be a plain dial
 * string. Numbers that come from callers or agents are checked with phoneNumber() before.
 */
export function dialString(template: string, number: unknown, what = 'number'): string {
  return path(template.replace('{target}', match(DIAL_NUMBER, number, what)), 'dial string');
}

/** `{a=b,c=d}` for originate: names and values checked, nothing escaped or quoted. */
export function originateVars(vars: Readonly<Record<string, string>>): string {
  const parts = Object.entries(vars).map(([k, v]) => `${varName(k)}=${varValue(v, k)}`);
  return parts.length ? `{${parts.join(',')}}` : '';
}

/**
 * An ESL command or dial string for logs and error messages: runs of 6+ digits that stand alone
 * (a number after `/`, `=`, a space, a comma) are masked as log.ts masks caller numbers; digits
 * inside UUIDs and other words are left readable.
 */
export function maskCommand(command: string): string {
  return command.replace(/(?<![A-Za-z0-9-])\+?\d{6,}(?![A-Za-z0-9-])/g, (n) => maskNumber(n));
}

/** An extension as the directory names users: 1001, agent_7. */
const EXTENSION = /^[A-Za-z0-9_.-]{1,64}$/;

/**
 * An agent's phone as a site allows it: `user/<extension>`, or one of the site's prefixes
 * (config dial.agentPhonePrefixes, e.g. `sofia/gateway/gw_remote/`) followed by a phone number or
 * an extension. Anything else, a carrier gateway with any number in particular, is refused.
 */
export function agentPhone(phone: unknown, prefixes: readonly string[]): string {
  if (typeof phone === 'string') {
    for (const prefix of ['user/', ...prefixes]) {
      if (!phone.startsWith(prefix)) continue;
      const rest = phone.slice(prefix.length);
      if (EXTENSION.test(rest) || PHONE_NUMBER.test(rest)) return path(phone, 'agent phone');
    }
  }
  const allowed = ['user/<extension>', ...prefixes.map((p) => `${p}<number>`)].join(', ');
  throw new InvalidCommandArgument(`agent phone not allowed: expected ${allowed}`);
}

/** A custom SIP header we send: X-, then letters, digits and dashes. */
const SIP_HEADER_NAME = /^X-[A-Za-z0-9-]{1,64}$/;

/**
 * A SIP header value as a channel variable: percent-encoded UTF-8 (SIP header values cannot carry
 * Chinese text raw, and the 110 system decodes them as it encodes its own X-110-* headers). Every
 * byte outside letters, digits, `_`, `.` and `-` is encoded, so no parser's special character (`,`
 * `'` `{` `$` space) survives, and the result is checked again.
 */
export function sipHeaderValue(v: string, what = 'header value'): string {
  const encoded = [...new TextEncoder().encode(v)].map((b) => (/[A-Za-z0-9_.-]/.test(String.fromCharCode(b)) ? String.fromCharCode(b) : `%${b.toString(16).toUpperCase().padStart(2, '0')}`)).join('');
  return match(/^[A-Za-z0-9_.%-]{0,768}$/, encoded, what);
}

/**
 * `{sip_h_X-Name=value,...}` for a dial string: the headers the new leg's INVITE carries. Empty
 * values are left out (FreeSWITCH would send an empty header).
 */
export function sipHeaderVars(headers: Readonly<Record<string, string>>): string {
  const parts = Object.entries(headers)
    .filter(([, v]) => v !== '')
    .map(([k, v]) => `sip_h_${match(SIP_HEADER_NAME, k, 'SIP header name')}=${sipHeaderValue(v, `value of ${k}`)}`);
  return parts.length ? `{${parts.join(',')}}` : '';
}

/**
 * A header value a SIP peer sent, as FreeSWITCH passes it on (X-110-* headers carry percent-encoded
 * UTF-8): decoded once. A malformed escape is kept as sent.
 */
export function decodeSipHeader(v: string): string {
  try {
    return decodeURIComponent(v);
  } catch {
    return v;
  }
}
