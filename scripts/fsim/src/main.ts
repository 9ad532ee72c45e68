// `npm run fsim -- [options]`: the switch simulator on its own, for trying the dialplan or driving
// a service that runs elsewhere.
import path from 'node:path';
import { parseArgs } from 'node:util';
import { fileURLToPath } from 'node:url';
import { startFsim } from './fsim.ts';
import { startDemoTraffic } from './demo.ts';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const { values } = parseArgs({
  options: {
    'esl-port': { type: 'string', default: '8021' },
    password: { type: 'string', default: 'ClueCon' },
    'control-port': { type: 'string', default: '8090' },
    dialplan: { type: 'string', default: path.join(root, 'dialplan') },
    'service-socket': { type: 'string', default: '127.0.0.1:8084' },
    'time-scale': { type: 'string', default: '1' },
    demo: { type: 'boolean', default: false },
    help: { type: 'boolean', default: false },
  },
});

if (values.help) {
  console.log(`fsim: a FreeSWITCH-compatible switch simulator (tests, demo, load runs; never production)
  --esl-port N          inbound event socket port (8021)
  --password P          event socket password (ClueCon)
  --control-port N      control API port (8090)
  --dialplan DIR        FreeSWITCH conf dir whose dialplan routes calls (./dialplan)
  --service-socket H:P  where the dialplan's socket application connects (127.0.0.1:8084)
  --time-scale X        <1 runs faster than real time (1)
  --demo                register demo agents 1000-1009 and place demo callers`);
  process.exit(0);
}

const fsim = await startFsim({
  esl: { port: Number(values['esl-port']), password: values.password },
  control: { port: Number(values['control-port']) },
  dialplan: { dir: values.dialplan, vars: { hotline_service_socket: values['service-socket'] } },
  switch: {
    profiles: [
      { name: 'external', ip: '127.0.0.1', port: 5080, context: 'public' },
      { name: 'internal', ip: '127.0.0.1', port: 5060, context: 'agents' },
    ],
  },
  timeScale: Number(values['time-scale']),
});
const demo = values.demo ? startDemoTraffic(fsim.sw) : undefined;
console.log(`fsim: ESL 127.0.0.1:${fsim.eslPort}, control API http://127.0.0.1:${fsim.controlPort}, dialplan ${values.dialplan}`);
const stop = async (): Promise<void> => {
  demo?.stop();
  await fsim.close();
  process.exit(0);
};
process.on('SIGINT', () => void stop());
process.on('SIGTERM', () => void stop());
