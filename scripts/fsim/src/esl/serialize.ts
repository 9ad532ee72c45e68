// Serialisers for everything the switch writes on an event socket. All lengths are UTF-8 byte
// counts (FreeSWITCH uses strlen()). Byte-exact forms come from the 1.10.12 captures in
// shared/fixtures/esl and from mod_event_socket.c / switch_event.c / switch_xml.c.

import type { FsEvent, Header } from '../types.ts';
import { fsUrlEncode } from './url-encode.ts';

export type EventFormat = 'plain' | 'json' | 'xml';

/** First thing an inbound connection receives (captures 01, 01b, 12b). */
export const AUTH_REQUEST = 'Content-Type: auth/request\n\n';

/** Body of the final disconnect notice (listener_run's send_disconnect). */
export const GOODBYE = 'Disconnected, goodbye.\nSee you at ClueCon! http://www.cluecon.com/\n';

const byteLength = (s: string): number => Buffer.byteLength(s, 'utf8');

/**
 * command/reply. `extra` headers follow Reply-Text (bgapi adds Job-UUID), then the blank line:
 * "Content-Type: command/reply\nReply-Text: +OK Job-UUID: X\nJob-UUID: X\n\n" (capture 05).
 */
export function commandReply(replyText: string, extra: readonly Header[] = []): string {
  let s = `Content-Type: command/reply\nReply-Text: ${replyText}\n`;
  for (const [k, v] of extra) s += `${k}: ${v}\n`;
  return s + '\n';
}

/** api/response: Content-Type first, then Content-Length, blank line, body (capture 04). */
export function apiResponse(body: string): string {
  return `Content-Type: api/response\nContent-Length: ${byteLength(body)}\n\n${body}`;
}

/**
 * text/disconnect-notice sent when a listener ends. Inbound: Content-Type + Content-Length
 * (capture 01). A listener bound to a channel (outbound socket, or inbound after `myevents <uuid>`)
 * adds Controlled-Session-UUID and Content-Disposition: disconnect (capture 21b).
 */
export function disconnectNotice(controlledUuid?: string, message: string = GOODBYE): string {
  const len = byteLength(message);
  if (controlledUuid !== undefined) {
    return (
      'Content-Type: text/disconnect-notice\n' +
      `Controlled-Session-UUID: ${controlledUuid}\n` +
      'Content-Disposition: disconnect\n' +
      `Content-Length: ${len}\n\n${message}`
    );
  }
  return `Content-Type: text/disconnect-notice\nContent-Length: ${len}\n\n${message}`;
}

/**
 * The notice a lingering listener gets when its channel hangs up (captures 13, 23). The channel
 * name is raw, not URL-encoded; Linger-Time is -1 for a bare `linger`. The socket stays open.
 */
export function lingerNotice(uuid: string, channelName: string, lingerTime: number): string {
  return (
    'Content-Type: text/disconnect-notice\n' +
    `Controlled-Session-UUID: ${uuid}\n` +
    'Content-Disposition: linger\n' +
    `Channel-Name: ${channelName}\n` +
    `Linger-Time: ${lingerTime}\n` +
    'Content-Length: 0\n\n'
  );
}

/**
 * switch_event_serialize(encode=TRUE): "Name: urlencoded\n" per header (an empty value prints as
 * "_undef_"), then "Content-Length: N\n\n<body>" when the body is non-empty, else a lone "\n".
 * The outbound `connect` reply is exactly this with no outer frame (capture 13).
 */
export function serializePlain(headers: readonly Header[], body?: string): string {
  let s = '';
  for (const [k, v] of headers) {
    const enc = fsUrlEncode(v);
    s += `${k}: ${enc === '' ? '_undef_' : enc}\n`;
  }
  if (body !== undefined && body !== '') return s + `Content-Length: ${byteLength(body)}\n\n${body}`;
  return s + '\n';
}

/**
 * switch_event_serialize_json(): cJSON_PrintUnformatted of an object built in header order (raw,
 * not URL-encoded values; duplicate names stay duplicated, as cJSON_AddItemToObject appends). A
 * body (even empty) adds "Content-Length" (a string) and "_body". JSON.stringify's string escaping
 * matches cJSON's (\" \\ \b \f \n \r \t, other controls as \u00xx, '/' and non-ASCII left as is).
 */
export function serializeJson(ev: FsEvent): string {
  const parts: string[] = [];
  for (const [k, v] of ev.headers) parts.push(`${JSON.stringify(k)}:${JSON.stringify(v)}`);
  if (ev.body !== undefined) {
    parts.push(`"Content-Length":${JSON.stringify(String(byteLength(ev.body)))}`);
    parts.push(`"_body":${JSON.stringify(ev.body)}`);
  }
  return `{${parts.join(',')}}`;
}

/**
 * switch_xml_ampencode() for character data: & < > become entities, CR becomes &#xD;, non-ASCII
 * code points become &#xHEX; (USE_UTF_8_ENCODING). Quirk: after a "<!" everything is copied raw.
 */
function xmlText(s: string): string {
  let out = '';
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c === 0) return out;
    if (c === 0x3c && s.charCodeAt(i + 1) === 0x21) return out + s.slice(i);
    if (c === 0x26) out += '&amp;';
    else if (c === 0x3c) out += '&lt;';
    else if (c === 0x3e) out += '&gt;';
    else if (c === 0x0d) out += '&#xD;';
    else if (c < 0x80) out += s[i];
    else {
      const cp = s.codePointAt(i) as number;
      if (cp > 0xffff) i++;
      if (cp >= 0xd800 && cp <= 0xdfff) continue; // lone surrogate: not valid UTF-8, skipped
      out += `&#x${cp.toString(16).toUpperCase()};`;
    }
  }
  return out;
}

/**
 * switch_event_xmlize() rendered by switch_xml_toxml(): <event>, an indented <headers> block with
 * one element per header (URL-encoded text), then, for a non-empty body, <Content-Length> and
 * <body> (amp-encoded, not URL-encoded). Indentation is two spaces per level; a closing tag is
 * indented only when the text before it ends in a newline (so a body ending in "\n" gets
 * "  </body>"). Every element has text (possibly ""), so none self-closes.
 */
export function serializeXml(ev: FsEvent): string {
  let s = '<event>\n  <headers>\n';
  for (const [k, v] of ev.headers) s += `    <${k}>${fsUrlEncode(v)}</${k}>\n`;
  s += '  </headers>\n';
  if (ev.body !== undefined && ev.body !== '') {
    const text = xmlText(ev.body);
    s += `  <Content-Length>${byteLength(ev.body)}</Content-Length>\n`;
    s += `  <body>${text}${text.endsWith('\n') ? '  ' : ''}</body>\n`;
  }
  return s + '</event>\n';
}

// Events are immutable once fired, and every listener subscribed in the same format gets the same
// bytes: serialise each event at most once per format.
const frameCache = new WeakMap<FsEvent, Partial<Record<EventFormat, string>>>();

/** The event as a listener receives it: "Content-Length: N\nContent-Type: text/event-F\n\n<data>". */
export function eventFrame(ev: FsEvent, format: EventFormat): string {
  let cached = frameCache.get(ev);
  const hit = cached?.[format];
  if (hit !== undefined) return hit;
  const data =
    format === 'json' ? serializeJson(ev) : format === 'xml' ? serializeXml(ev) : serializePlain(ev.headers, ev.body);
  const frame = `Content-Length: ${byteLength(data)}\nContent-Type: text/event-${format}\n\n${data}`;
  if (!cached) frameCache.set(ev, (cached = {}));
  cached[format] = frame;
  return frame;
}
