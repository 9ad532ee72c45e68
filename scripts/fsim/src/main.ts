// `npm run fsim -- [options]`: the switch simulator on its own, for trying the dialplan or driving
// a service that runs elsewhere. `npm start` runs it as its own process this way, so the service
// can be stopped and started while the simulated callers keep waiting in the switch.
import path from 'node:path';
import { parseArgs } from 'node:util';
import { fileURLToPath } from 'node:url';
import { startFsim } from './fsim.ts';
import { DEFAULT_SCHEDULE, startDemoTraffic, type DemoSchedule } from './demo.ts';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const { values } = parseArgs({
  options: {
    'esl-port': { type: 'string', default: '8021' },
    password: { type: 'string', default: 'ClueCon' },
    'control-port': { type: 'string', default: '8090' },
    dialplan: { type: 'string', default: path.join(root, 'dialplan') },
    'service-socket': { type: 'string', default: '127.0.0.1:8084' },
    var: { type: 'string', multiple: true, default: [] },
    gateways: { type: 'string', default: '' },
    'time-scale': { type: 'string', default: '1' },
    demo: { type: 'boolean', default: false },
    'demo-robots': { type: 'string', default: '1002-1009' },
    'demo-schedule': { type: 'string', default: '{}' },
    'exit-with': { type: 'string' },
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
  --var NAME=VALUE      set a dialplan variable (repeatable), e.g. gw_110_addr_regex=^127\\.0\\.0\\.1$
  --gateways A,B        gateways whose far ends answer any number after 3 s (e.g. gw_dept,gw_110)
  --time-scale X        <1 runs faster than real time (1)
  --demo                register robot agent phones and place demo callers (scripts/fsim/src/demo.ts)
  --demo-robots A-B     the robots' extensions (1002-1009)
  --demo-schedule JSON  {epochMs, steadyEverySec, burstEverySec, firstBurstSec, burstCalls, burstSpreadSec}
  --exit-with PID       exit when that process is gone (npm start passes its own pid)`);
  process.exit(0);
}

function range(spec: string): string[] {
  const [a, b] = spec.split('-').map(Number);
  if (!Number.isInteger(a) || (b !== undefined && !Number.isInteger(b))) throw new Error(`--demo-robots: expected A-B, got ${spec}`);
  const out: string[] = [];
  for (let i = a!; i <= (b ?? a!); i++) out.push(String(i));
  return out;
}

const vars: Record<string, string> = { hotline_service_socket: values['service-socket'] };
for (const v of values.var) {
  const eq = v.indexOf('=');
  if (eq < 1) throw new Error(`--var: expected NAME=VALUE, got ${v}`);
  vars[v.slice(0, eq)] = v.slice(eq + 1);
}

const fsim = await startFsim({
  esl: { port: Number(values['esl-port']), password: values.password },
  control: { port: Number(values['control-port']) },
  dialplan: { dir: values.dialplan, vars },
  switch: {
    profiles: [
      { name: 'external', ip: '127.0.0.1', port: 5080, context: 'public' },
      { name: 'internal', ip: '127.0.0.1', port: 5060, context: 'agents' },
    ],
    // The far ends the dialplan and agents' transfers reach: departments, 110, the carrier.
    gateways: values.gateways.split(',').filter(Boolean).map((name) => ({ name, numbers: { '*': { answerAfterMs: 3000 } } })),
  },
  timeScale: Number(values['time-scale']),
});
const schedule: DemoSchedule = { epochMs: Date.now(), ...DEFAULT_SCHEDULE, ...(JSON.parse(values['demo-schedule']) as Partial<DemoSchedule>) };
const demo = values.demo ? startDemoTraffic(fsim.sw, { robots: range(values['demo-robots']), schedule }) : undefined;
console.log(`fsim: ESL 127.0.0.1:${fsim.eslPort}, control API http://127.0.0.1:${fsim.controlPort}, dialplan ${values.dialplan}${demo ? ', demo traffic on' : ''}`);

let stopping = false;
const stop = async (): Promise<void> => {
  if (stopping) return;
  stopping = true;
  demo?.stop();
  await fsim.close();
  process.exit(0);
};
process.on('SIGINT', () => void stop());
process.on('SIGTERM', () => void stop());
const parent = values['exit-with'] ? Number(values['exit-with']) : undefined;
if (parent) {
  // The launcher may die without a chance to stop us (SIGKILL): do not hold its ports forever.
  setInterval(() => {
    try {
      process.kill(parent, 0);
    } catch {
      void stop();
    }
  }, 1000).unref();
}
