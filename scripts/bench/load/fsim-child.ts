// The bench's side of the switch process (fsim-process.ts): fork it, the IPC messages both ways,
// and waiting for a message by type.
import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { CallFigures } from './figures.ts';

const FSIM_TS = fileURLToPath(new URL('./fsim-process.ts', import.meta.url));

export interface FsimSetup {
  type: 'setup';
  eslPassword: string;
  outboundPort: number;
  agentExts: string[];
  welcomeMs: number;
  talkMeanMs: number;
  wrapUpMs: number;
}

export interface RunPlan {
  type: 'run';
  rate: number;
  warmupMs: number;
  measureMs: number;
  drainMs: number;
}

export type ToFsim = FsimSetup | RunPlan | { type: 'close' };

export type FromFsim =
  | { type: 'up'; eslPort: number }
  | { type: 'measuring' }
  | { type: 'progress'; atS: number; live: number; waiting: number; placed: number }
  | { type: 'placed'; live: number; meanLive: number; maxLive: number; switchLagMs: { p50Ms: number; p99Ms: number; maxMs: number } }
  | ({ type: 'result' } & CallFigures)
  | { type: 'fatal'; error: string };

export interface FsimChild {
  child: ChildProcess;
  send(m: ToFsim): void;
  next<T extends FromFsim['type']>(type: T, ms: number): Promise<Extract<FromFsim, { type: T }>>;
  onProgress(f: (m: Extract<FromFsim, { type: 'progress' }>) => void): void;
}

export function fsimChild(profDir: string | undefined): FsimChild {
  const prof = profDir ? ['--cpu-prof', '--cpu-prof-dir', profDir] : [];
  const child = fork(FSIM_TS, [], { execArgv: [...prof, '--import', 'tsx'], stdio: ['ignore', 'ignore', 'inherit', 'ipc'] });
  const waiting: { type: string; resolve: (m: FromFsim) => void; reject: (e: Error) => void }[] = [];
  let progress: (m: Extract<FromFsim, { type: 'progress' }>) => void = () => {};
  child.on('message', (m: FromFsim) => {
    if (m.type === 'fatal') {
      for (const w of waiting.splice(0)) w.reject(new Error(`fsim: ${m.error}`));
      return;
    }
    if (m.type === 'progress') progress(m);
    const i = waiting.findIndex((w) => w.type === m.type);
    if (i >= 0) waiting.splice(i, 1)[0]!.resolve(m);
  });
  child.on('exit', (code) => {
    for (const w of waiting.splice(0)) w.reject(new Error(`fsim process exited (${code})`));
  });
  return {
    child,
    send: (m) => void child.send(m),
    onProgress: (f) => void (progress = f),
    next: <T extends FromFsim['type']>(type: T, ms: number) =>
      new Promise<Extract<FromFsim, { type: T }>>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`fsim: no ${type} within ${ms} ms`)), ms);
        waiting.push({
          type,
          resolve: (m) => {
            clearTimeout(timer);
            resolve(m as Extract<FromFsim, { type: T }>);
          },
          reject: (e) => {
            clearTimeout(timer);
            reject(e);
          },
        });
      }),
  };
}
