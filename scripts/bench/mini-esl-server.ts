// A minimal inbound Event Socket server with the same signature as fsim's
// startInboundServer({ sw, host, port, password }). Written while fsim's server did not exist yet;
// kept as `npm run bench -- esl-ingest --server mini`, a cross-check that the benchmark's figures
// are the client libraries' and not fsim's.
// It speaks the framing of the captures in ../shared/fixtures/esl: auth/request, command/reply,
// api/response, text/event-plain|json, text/disconnect-notice; `auth`, `event`, `noevents`,
// `api`, `bgapi`, `filter <header> <value>`, `exit`. Nothing else (no filter deletion, myevents,
// sendmsg, xml events).
import { randomUUID } from 'node:crypto';
import net from 'node:net';
import { startInboundServer } from '../fsim/src/esl/inbound-server.ts';
import type { InboundServer } from '../fsim/src/esl/inbound-server.ts';
import type { FsEvent, SwitchFacade } from '../fsim/src/types.ts';

export type StartInboundServer = (opts: { sw: SwitchFacade; host: string; port: number; password: string }) => Promise<InboundServer>;
export type { InboundServer };

// FreeSWITCH's switch_url_encode leaves ',' and '/' alone but encodes these and non-ASCII.
const URL_UNSAFE = /[\r\n "#%&+:;<=>?@[\\\]^`{|}\u0080-\uffff]/gu;
function fsUrlEncode(v: string): string {
  URL_UNSAFE.lastIndex = 0;
  return URL_UNSAFE.test(v) ? v.replace(URL_UNSAFE, (c) => encodeURIComponent(c)) : v;
}

export function serializeEvent(ev: FsEvent, format: 'plain' | 'json'): string {
  let body: string;
  if (format === 'json') {
    const obj: Record<string, string> = {};
    for (const [k, v] of ev.headers) obj[k] = v;
    if (ev.body !== undefined) {
      obj['Content-Length'] = String(Buffer.byteLength(ev.body));
      obj._body = ev.body;
    }
    body = JSON.stringify(obj);
  } else {
    const parts: string[] = [];
    for (const [k, v] of ev.headers) parts.push(`${k}: ${fsUrlEncode(v)}\n`);
    body = ev.body === undefined ? `${parts.join('')}\n` : `${parts.join('')}Content-Length: ${Buffer.byteLength(ev.body)}\n\n${ev.body}`;
  }
  return `Content-Length: ${Buffer.byteLength(body)}\nContent-Type: text/event-${format}\n\n${body}`;
}

const reply = (text: string, extra = ''): string => `Content-Type: command/reply\nReply-Text: ${text}\n${extra}\n`;

/** mod_event_socket's filters: once one is set an event must match one ("/re/" values are regexes). */
function passes(ev: FsEvent, filters: ReadonlyArray<readonly [string, string | RegExp]>): boolean {
  if (!filters.length) return true;
  return filters.some(([name, want]) => {
    const v = name === 'event-name' ? ev.name : ev.headers.find(([k]) => k.toLowerCase() === name)?.[1];
    return v !== undefined && (typeof want === 'string' ? v === want : want.test(v));
  });
}

function parseFilter(value: string): string | RegExp | undefined {
  const m = /^\/(.*)\/$/s.exec(value);
  if (!m) return value;
  try {
    return new RegExp(m[1] as string);
  } catch {
    return undefined;
  }
}

export const startMiniInboundServer: StartInboundServer = async ({ sw, host, port, password }) => {
  const sockets = new Set<net.Socket>();
  const server = net.createServer((sock) => {
    sockets.add(sock);
    sock.setNoDelay(true);
    let authed = false;
    let format: 'plain' | 'json' = 'plain';
    let all = false;
    let names = new Set<string>();
    const filters: Array<[string, string | RegExp]> = [];
    let unsubscribe: (() => void) | undefined;
    let buf = '';
    const write = (s: string): void => {
      if (!sock.destroyed && sock.writable) sock.write(s);
    };
    const cleanup = (): void => {
      unsubscribe?.();
      unsubscribe = undefined;
      sockets.delete(sock);
    };
    sock.on('close', cleanup);
    sock.on('error', () => sock.destroy());
    write('Content-Type: auth/request\n\n');

    const handle = (cmdText: string): void => {
      const [first = '', ...lines] = cmdText.split('\n');
      const hdrs = new Map<string, string>();
      for (const l of lines) {
        const c = l.indexOf(': ');
        if (c > 0) hdrs.set(l.slice(0, c).toLowerCase(), l.slice(c + 2));
      }
      const sp = first.indexOf(' ');
      const verb = sp < 0 ? first : first.slice(0, sp);
      const rest = sp < 0 ? '' : first.slice(sp + 1);
      if (!authed) {
        if (verb === 'auth' && rest === password) {
          authed = true;
          write(reply('+OK accepted'));
        } else if (verb === 'auth') {
          write(reply('-ERR invalid'));
          write('Content-Type: text/disconnect-notice\nContent-Length: 67\n\nDisconnected, goodbye.\nSee you at ClueCon! http://www.cluecon.com/\n');
          sock.end();
        } else write('Content-Type: command/reply\nReply-Text: -ERR command not found\n\n');
        return;
      }
      switch (verb) {
        case 'event': {
          const words = rest.split(/\s+/).filter(Boolean);
          const fmt = words[0];
          if (fmt === 'plain' || fmt === 'json') words.shift();
          format = fmt === 'json' ? 'json' : 'plain';
          for (const w of words) {
            if (w.toUpperCase() === 'ALL') all = true;
            else names.add(w);
          }
          unsubscribe ??= sw.onEvent((ev) => {
            if ((all || names.has(ev.name)) && passes(ev, filters)) write(serializeEvent(ev, format));
          });
          write(reply(`+OK event listener enabled ${format}`));
          return;
        }
        case 'noevents':
          unsubscribe?.();
          unsubscribe = undefined;
          all = false;
          names = new Set();
          write(reply('+OK no longer listening for events'));
          return;
        case 'api': {
          const s = rest.indexOf(' ');
          void sw.api(s < 0 ? rest : rest.slice(0, s), s < 0 ? '' : rest.slice(s + 1)).then((out) => {
            write(`Content-Type: api/response\nContent-Length: ${Buffer.byteLength(out)}\n\n${out}`);
          });
          return;
        }
        case 'bgapi': {
          const jobUuid = hdrs.get('job-uuid') ?? randomUUID();
          write(reply(`+OK Job-UUID: ${jobUuid}`, `Job-UUID: ${jobUuid}\n`));
          const s = rest.indexOf(' ');
          const cmd = s < 0 ? rest : rest.slice(0, s);
          const args = s < 0 ? '' : rest.slice(s + 1);
          void sw.api(cmd, args, { jobUuid }).then((out) => {
            const headers = sw.baseHeaders('BACKGROUND_JOB', 'mod_event_socket.c', 'api_exec', 1572);
            headers.push(['Job-UUID', jobUuid], ['Job-Command', cmd], ['Job-Command-Arg', args]);
            const ev: FsEvent = { name: 'BACKGROUND_JOB', headers, body: out };
            if ((all || names.has('BACKGROUND_JOB')) && passes(ev, filters)) write(serializeEvent(ev, format));
          });
          return;
        }
        case 'filter': {
          const s = rest.indexOf(' ');
          const want = s < 0 ? undefined : parseFilter(rest.slice(s + 1));
          if (want === undefined) write(reply('-ERR invalid syntax'));
          else {
            filters.push([rest.slice(0, s).toLowerCase(), want]);
            write(reply(`+OK filter added. [${rest.slice(0, s)}]=[${rest.slice(s + 1)}]`));
          }
          return;
        }
        case 'exit':
          write(reply('+OK bye'));
          write('Content-Type: text/disconnect-notice\nContent-Length: 67\n\nDisconnected, goodbye.\nSee you at ClueCon! http://www.cluecon.com/\n');
          sock.end();
          return;
        default:
          write(reply('-ERR command not found'));
      }
    };

    sock.setEncoding('utf8');
    sock.on('data', (chunk: string) => {
      buf += chunk;
      let end: number;
      while ((end = buf.indexOf('\n\n')) >= 0) {
        const cmd = buf.slice(0, end).replace(/\r/g, '');
        buf = buf.slice(end + 2);
        if (cmd.trim()) handle(cmd.trim());
      }
    });
  });
  await new Promise<void>((res, rej) => {
    server.once('error', rej);
    server.listen(port, host, () => res());
  });
  const addr = server.address();
  return {
    port: typeof addr === 'object' && addr ? addr.port : port,
    dropAll(): void {
      for (const s of sockets) s.destroy();
    },
    close(): Promise<void> {
      for (const s of sockets) s.destroy();
      return new Promise((res) => server.close(() => res()));
    },
  };
};

/**
 * fsim's startInboundServer (the default), or this file's minimal server (`prefer: 'mini'`, a
 * cross-check that the figures do not depend on the server). `impl` says which one runs.
 */
export async function loadInboundServer(prefer: 'auto' | 'fsim' | 'mini' = 'auto'): Promise<{ impl: 'fsim' | 'mini'; start: StartInboundServer }> {
  if (prefer === 'mini') return { impl: 'mini', start: startMiniInboundServer };
  return { impl: 'fsim', start: startInboundServer };
}
