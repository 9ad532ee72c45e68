// ESL client choice: what modesl and drachtio-modesl do when the switch closes the socket in the
// middle of a command. The server is fsim's inbound ESL server (or the bench's minimal one with the
// same signature while fsim's is not there) with a switch whose `api hang` never answers, so an
// `api` or `bgapi` is always in flight when the server drops the connection.
//
// These tests document observed behaviour; they are not wishes. Our server adapter must compensate:
// its own per-command timeouts, reject-all-pending on close, and its own reconnect loop.
import t from 'tap';
import { ESL_LIBS, eslLibVersion, loadEslLib } from '../../bench/esl-libs.ts';
import type { EslConnection, EslEvent, EslLibName } from '../../bench/esl-libs.ts';
import { loadInboundServer } from '../../bench/mini-esl-server.ts';
import type { InboundServer } from '../../bench/mini-esl-server.ts';
import { FakeSwitch } from './helpers/fake-switch.ts';

const SETTLE_MS = 2000;
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** A switch whose `api hang` (any command but `version`) never answers. */
class HangingSwitch extends FakeSwitch {
  private waiters: (() => void)[] = [];
  /** Resolves when the switch next receives an api/bgapi command. */
  nextApi(): Promise<void> {
    return new Promise((r) => this.waiters.push(r));
  }
  override api(command: string, args: string): Promise<string> {
    this.apiCalls.push({ command, args });
    for (const w of this.waiters.splice(0)) w();
    if (command === 'version') return Promise.resolve('FreeSWITCH Version 1.10.12-release~64bit (-release 64bit)\n');
    return new Promise(() => undefined); // `hang`: never answers
  }
}

interface Observed {
  end: number;
  errors: string[];
  ready: number;
  reconnecting: number;
  uncaught: string[];
}

/** Connect, authenticate, subscribe (as our adapter would), and watch the connection's life events. */
async function connect(lib: EslLibName, port: number): Promise<{ conn: EslConnection; obs: Observed }> {
  const esl = loadEslLib(lib);
  const obs: Observed = { end: 0, errors: [], ready: 0, reconnecting: 0, uncaught: [] };
  const conn = await new Promise<EslConnection>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${lib}: not ready within 5 s`)), 5000);
    const c: EslConnection = new esl.Connection('127.0.0.1', port, 'ClueCon', () => {
      clearTimeout(timer);
      c.events('json', 'BACKGROUND_JOB', () => resolve(c));
    });
    c.on('esl::ready', () => obs.ready++);
    c.on('esl::end', () => obs.end++);
    c.on('esl::reconnecting', () => obs.reconnecting++);
    c.on('error', (e) => obs.errors.push(String(e)));
  });
  return { conn, obs };
}

/** Stop a connection for good, including drachtio-modesl's pending reconnection timer. */
function shutdown(conn: EslConnection): void {
  conn.closing = true;
  if (conn.reconnectVars?.retryTimer) clearTimeout(conn.reconnectVars.retryTimer);
  conn.socket?.destroy();
}

/** Record uncaught exceptions while fn runs (the process would die on them without this). */
async function catchUncaught(obs: Observed, fn: () => Promise<void>): Promise<void> {
  const h = (e: unknown): void => {
    obs.uncaught.push(String(e));
  };
  process.on('uncaughtException', h);
  try {
    await fn();
  } finally {
    process.off('uncaughtException', h);
  }
}

t.test('ESL client behaviour when the switch drops the socket mid-command', async (t) => {
  const sw = new HangingSwitch();
  const { impl, start } = await loadInboundServer('auto');
  const server: InboundServer = await start({ sw, host: '127.0.0.1', port: 0, password: 'ClueCon' });
  t.teardown(() => server.close());
  t.comment(`server: ${impl === 'fsim' ? "fsim's inbound server" : 'bench mini server'}`);

  for (const lib of ESL_LIBS) {
    const reconnects = lib === 'drachtio-modesl';

    t.test(`${lib} ${eslLibVersion(lib)}: api in flight when the socket closes`, async (t) => {
      const { conn, obs } = await connect(lib, server.port);
      t.teardown(() => shutdown(conn));
      let first: string | undefined;
      let settled = false;
      await catchUncaught(obs, async () => {
        const got = sw.nextApi();
        conn.api('hang', (res: EslEvent) => {
          settled = true;
          first = res.getBody();
        });
        await got;
        server.dropAll();
        await sleep(SETTLE_MS);
      });
      t.equal(settled, false, `${lib}: the api callback never fires after the close (englercj/node-esl#84): no error, no timeout`);
      t.equal(conn.apiCallbackQueue.length, 1, `${lib}: the dead callback stays queued in apiCallbackQueue`);
      t.equal(obs.end, 1, `${lib}: emits esl::end once`);
      t.same(obs.uncaught, [], `${lib}: no uncaught exception; the process survives`);
      if (reconnects) {
        t.ok(obs.reconnecting >= 1, `${lib}: emits esl::reconnecting and reconnects by itself`);
        t.equal(obs.ready, 2, `${lib}: re-authenticates and emits esl::ready again (readyCb passed to the constructor does not run again)`);
        t.equal(conn.connected(), true, `${lib}: connected again within ${SETTLE_MS} ms`);
        // The stale callback is still first in the queue: the next api/response goes to it.
        let second: string | undefined;
        await catchUncaught(obs, async () => {
          conn.api('version', (res: EslEvent) => {
            second = res.getBody();
          });
          await sleep(500);
        });
        t.match(first, /^FreeSWITCH Version/, `${lib}: after the reconnect, the answer to a NEW api command is delivered to the OLD, dropped command's callback`);
        t.equal(second, undefined, `${lib}: ... and the new command's own callback waits, one answer behind`);
      } else {
        t.equal(obs.reconnecting, 0, `${lib}: no reconnection`);
        t.equal(obs.ready, 1, `${lib}: esl::ready only once`);
        t.equal(conn.socket, null, `${lib}: socket dropped (connection object is dead)`);
        t.equal(conn.connected(), false, `${lib}: connected() is false`);
        // A command on the dead connection: with an 'error' listener it is reported there, and its callback never fires.
        let late = false;
        await catchUncaught(obs, async () => {
          conn.api('version', () => {
            late = true;
          });
          await sleep(300);
        });
        t.match(obs.errors.at(-1) ?? '', /TypeError/, `${lib}: api() on the closed connection emits 'error' (TypeError: socket is null)`);
        t.equal(late, false, `${lib}: ... and its callback never fires`);
      }
      t.same(obs.uncaught, [], `${lib}: still no uncaught exception`);
    });

    t.test(`${lib}: bgapi in flight when the socket closes`, async (t) => {
      const { conn, obs } = await connect(lib, server.port);
      t.teardown(() => shutdown(conn));
      let settled = false;
      await catchUncaught(obs, async () => {
        const got = sw.nextApi();
        conn.bgapi('hang', '', () => {
          settled = true;
        });
        await got;
        await sleep(50); // the command/reply with the Job-UUID has arrived; BACKGROUND_JOB never will
        server.dropAll();
        await sleep(SETTLE_MS);
      });
      t.equal(settled, false, `${lib}: the bgapi callback (BACKGROUND_JOB) never fires after the close`);
      t.equal(obs.end, 1, `${lib}: emits esl::end once`);
      t.same(obs.uncaught, [], `${lib}: no uncaught exception`);
      t.equal(obs.reconnecting >= 1, reconnects, `${lib}: ${reconnects ? 'reconnects by itself' : 'does not reconnect'}`);
    });

    t.test(`${lib}: a command on a closed connection without an 'error' listener`, async (t) => {
      const { conn, obs } = await connect(lib, server.port);
      t.teardown(() => shutdown(conn));
      conn.closing = true; // keep drachtio-modesl from reconnecting, to look at the closed state
      server.dropAll();
      await sleep(300);
      conn.removeAllListeners('error');
      let threw: unknown;
      try {
        conn.api('version', () => undefined);
      } catch (e) {
        threw = e;
      }
      if (lib === 'modesl') {
        t.match(String(threw), /TypeError/, `${lib}: api() throws synchronously (EventEmitter2 4.x rethrows an unhandled 'error'): an 'error' listener is mandatory`);
      } else {
        t.equal(threw, undefined, `${lib}: api() does not throw (EventEmitter2 ignoreErrors): the command is silently lost`);
      }
      t.equal(obs.end, 1, `${lib}: esl::end was emitted`);
    });
  }

  t.test('drachtio-modesl: reconnectOpts.maxAttempts = 1 turns its automatic reconnection off', async (t) => {
    // How our adapter owns reconnection (a fresh Connection, hence fresh callback queues) instead
    // of inheriting the stale api callback queue shown above.
    const { conn, obs } = await connect('drachtio-modesl', server.port);
    t.teardown(() => shutdown(conn));
    conn.reconnectOpts = { maxAttempts: 1 };
    await catchUncaught(obs, async () => {
      server.dropAll();
      await sleep(1000);
    });
    t.equal(obs.end, 1, 'esl::end emitted');
    t.equal(obs.reconnecting, 0, 'no esl::reconnecting');
    t.equal(conn.connected(), false, 'stays disconnected');
    t.same(obs.uncaught, [], 'no uncaught exception');
  });
});
