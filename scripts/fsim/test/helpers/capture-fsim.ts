// fsim as the captures were taken: the capture dialplan (context default), no heartbeats, time
// running 20x faster. Closed in the test's teardown.
import { startFsim, type Fsim } from '../../src/fsim.ts';
import { CAPTURE_DIALPLAN } from './replay.ts';

export async function withCaptureFsim(t: { teardown(fn: () => unknown): void }, timeScale = 0.05): Promise<Fsim> {
  const fsim = await startFsim({
    esl: { port: 0, password: 'ClueCon' },
    control: false,
    dialplan: { files: [CAPTURE_DIALPLAN] },
    timeScale,
    switch: { heartbeatSec: 0 },
  });
  t.teardown(() => fsim.close());
  return fsim;
}
