import net from 'node:net';

/** Ask the kernel for a free TCP port on loopback. Another process may take it before we use it: callers retry. */
export function freePort(host = '127.0.0.1'): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, host, () => {
      const addr = srv.address();
      const port = typeof addr === 'object' && addr ? addr.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

/** Ports steadyPort has handed out in this process: each is meant to be bound later, so it stays its caller's. */
const handedOut = new Set<number>();

/**
 * A free port below the kernel's ephemeral range (32768-60999 by default), for a port that is
 * chosen once and listened on again later: a switch's dialplan names the service's outbound port
 * at start-up, and each scenario's service binds it anew. A port from freePort() is an ephemeral
 * one, and between two binds any process's outgoing connection may take it as its local port (a
 * CI run failed so: `listen EADDRINUSE`). Ports from here are never handed out that way, nor twice
 * in one process (two sites of one test file must not share one).
 */
export async function steadyPort(host = '127.0.0.1'): Promise<number> {
  for (let attempt = 0; attempt < 100; attempt++) {
    const port = 10_000 + Math.floor(Math.random() * 10_000);
    if (handedOut.has(port)) continue;
    const free = await new Promise<boolean>((resolve) => {
      const srv = net.createServer();
      srv.unref();
      srv.once('error', () => resolve(false));
      srv.listen(port, host, () => srv.close(() => resolve(true)));
    });
    if (free) {
      handedOut.add(port);
      return port;
    }
  }
  throw new Error('no free port found in 10000-19999');
}
