import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';

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

/** Ports steadyPort has handed out in this process, with their claim files (below). */
const handedOut = new Map<number, string>();

/**
 * Claims of steady ports across processes: test files run side by side (tap's jobs), each starting
 * its own switch and service, and a port free when one process looked could be another's switch
 * port by the time the first bound it again (a CI run: the service's outbound listener refused
 * with `listen EADDRINUSE` in the range below). A claim is a file named for the port holding the
 * claimer's pid; a claim whose process is gone is taken over.
 */
const CLAIMS = path.join(tmpdir(), 'hotline-steady-ports');

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** The claim file, or undefined when a live process holds the port. */
function claim(dir: string, port: number): string | undefined {
  mkdirSync(dir, { recursive: true });
  const file = path.join(dir, String(port));
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      writeFileSync(file, String(process.pid), { flag: 'wx' });
      return file;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      const owner = Number(readFileSync(file, 'utf8').trim());
      if (owner === process.pid || (Number.isInteger(owner) && owner > 0 && alive(owner))) return undefined;
      rmSync(file, { force: true });
    }
  }
  return undefined;
}

function releaseClaims(): void {
  for (const file of handedOut.values()) {
    try {
      if (readFileSync(file, 'utf8').trim() === String(process.pid)) rmSync(file, { force: true });
    } catch {
      /* gone already */
    }
  }
}

/**
 * A free port below the kernel's ephemeral range (32768-60999 by default), for a port that is
 * chosen once and listened on again later: a switch's dialplan names the service's outbound port
 * at start-up, and each scenario's service binds it anew. A port from freePort() is an ephemeral
 * one, and between two binds any process's outgoing connection may take it as its local port (a
 * CI run failed so: `listen EADDRINUSE`). Ports from here are never handed out that way, nor twice
 * on one machine while the process they went to lives (claims, in `claims`).
 */
export async function steadyPort(host = '127.0.0.1', claims = CLAIMS): Promise<number> {
  for (let attempt = 0; attempt < 100; attempt++) {
    const port = 10_000 + Math.floor(Math.random() * 10_000);
    if (handedOut.has(port)) continue;
    const free = await new Promise<boolean>((resolve) => {
      const srv = net.createServer();
      srv.unref();
      srv.once('error', () => resolve(false));
      srv.listen(port, host, () => srv.close(() => resolve(true)));
    });
    const file = free ? claim(claims, port) : undefined;
    if (file) {
      if (handedOut.size === 0) process.once('exit', releaseClaims);
      handedOut.set(port, file);
      return port;
    }
  }
  throw new Error('no free port found in 10000-19999');
}
