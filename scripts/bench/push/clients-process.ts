// The parent's side of the clients' child process (../push-clients.ts): fork it, and wait for its
// IPC messages by type.
import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { ClientsResult } from '../push-clients.ts';

const CLIENTS_TS = fileURLToPath(new URL('../push-clients.ts', import.meta.url));

export type FromClients = { type: 'up' } | { type: 'ready'; connectMs: number; rssMb: number } | { type: 'count'; delivered: number } | ClientsResult | { type: 'fatal'; error: string };

export interface ClientsProcess {
  child: ChildProcess;
  /** The next message of this type, or a rejection after `ms` (or on a fatal message or exit). */
  next: (type: FromClients['type'], ms: number) => Promise<FromClients>;
}

export function clientsProcess(): ClientsProcess {
  const child = fork(CLIENTS_TS, [], { execArgv: ['--import', 'tsx'], stdio: ['ignore', 'ignore', 'inherit', 'ipc'] });
  const waiting: { type: string; resolve: (m: FromClients) => void; reject: (e: Error) => void }[] = [];
  child.on('message', (m: FromClients) => {
    if (m.type === 'fatal') {
      for (const w of waiting.splice(0)) w.reject(new Error(`clients: ${m.error}`));
      return;
    }
    const i = waiting.findIndex((w) => w.type === m.type);
    if (i >= 0) waiting.splice(i, 1)[0]!.resolve(m);
  });
  child.on('exit', (code) => {
    for (const w of waiting.splice(0)) w.reject(new Error(`clients process exited (${code})`));
  });
  const next = (type: FromClients['type'], ms: number): Promise<FromClients> =>
    new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`clients: no ${type} within ${ms} ms`)), ms);
      waiting.push({
        type,
        resolve: (m) => {
          clearTimeout(timer);
          resolve(m);
        },
        reject: (e) => {
          clearTimeout(timer);
          reject(e);
        },
      });
    });
  return { child, next };
}
