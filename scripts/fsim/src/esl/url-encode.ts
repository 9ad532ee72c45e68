// switch_url_encode() as used by text/event-plain and text/event-xml header values.
//
// Quirks reproduced on purpose (they are visible on the wire):
// - encoding works on UTF-8 bytes: every byte < 0x20 or > 0x7E becomes %XX (uppercase hex);
// - the unsafe set is FreeSWITCH's SWITCH_URL_UNSAFE: CR LF space # % & + : ; < = > ? @ [ \ ] ^ ` { | } "
//   (so ',' '/' '(' ')' '*' '!' '$' '\'' '~' '.' '-' '_' stay as they are);
// - an existing "%XX" with UPPERCASE hex digits is copied unchanged (no double encoding): a SIP
//   peer's "noise%20complaint" stays "noise%20complaint". Lowercase "%2f" is not recognised and is
//   encoded to "%252f", exactly like FreeSWITCH's strchr("0123456789ABCDEF", c) check.

const UNSAFE = new Set(Array.from('\r\n #%&+:;<=>?@[\\]^`{|}"', (c) => c.charCodeAt(0)));
const HEX = '0123456789ABCDEF';
// Fast path: values made only of characters that never change.
const SAFE_RE = /^[A-Za-z0-9\-_.,/()*'!$~]*$/;

function isUpperHex(b: number | undefined): boolean {
  return b !== undefined && ((b >= 0x30 && b <= 0x39) || (b >= 0x41 && b <= 0x46));
}

export function fsUrlEncode(value: string): string {
  if (SAFE_RE.test(value)) return value;
  const bytes = Buffer.from(value, 'utf8');
  let out = '';
  for (let i = 0; i < bytes.length; i++) {
    const b = bytes[i] as number;
    // FreeSWITCH only looks ahead when two more bytes exist (e - p > 1).
    if (b === 0x25 && i + 2 < bytes.length && isUpperHex(bytes[i + 1]) && isUpperHex(bytes[i + 2])) {
      out += '%';
      continue;
    }
    if (b < 0x20 || b > 0x7e || UNSAFE.has(b)) {
      out += '%' + HEX[b >> 4] + HEX[b & 0x0f];
    } else {
      out += String.fromCharCode(b);
    }
  }
  return out;
}
