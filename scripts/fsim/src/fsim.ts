// Composition root of the simulator: the switch model, routing by a FreeSWITCH XML dialplan, the
// inbound event socket, the outbound-socket connector and the control API, started together.
import type { Logger } from 'pino';
import { RealClock, Switch, type Clock, type SwitchConfig } from './core/index.ts';
import { loadDialplan, type LoadDialplanOptions } from './dialplan/index.ts';
import { createOutboundConnector, startInboundServer, type InboundServer } from './esl/index.ts';
import { startControlServer, type ControlServer } from './control/http-server.ts';
import type { OutboundConnector } from './types.ts';

export interface FsimOptions {
  readonly esl: { readonly host?: string; readonly port: number; readonly password: string };
  /** The control API; false: none (tests that drive the Switch directly). */
  readonly control?: { readonly host?: string; readonly port: number } | false;
  /** Where calls are routed: a FreeSWITCH conf dir or files, plus $${var} overrides. */
  readonly dialplan: LoadDialplanOptions;
  readonly switch?: Partial<SwitchConfig>;
  /** <1 runs the simulated world faster than real time (timestamps still show simulated time). */
  readonly timeScale?: number;
  readonly clock?: Clock;
  readonly logger?: Logger;
}

export interface Fsim {
  readonly sw: Switch;
  readonly eslPort: number;
  readonly controlPort: number | undefined;
  /** Drop every inbound ESL client abruptly (fault tests). */
  dropEslClients(): void;
  close(): Promise<void>;
}

export async function startFsim(opts: FsimOptions): Promise<Fsim> {
  const dialplan = loadDialplan(opts.dialplan);
  // The connector needs the switch and the switch needs the connector: bind late.
  const late: { connector?: OutboundConnector } = {};
  const outbound: OutboundConnector = (args) => (late.connector ? late.connector(args) : Promise.reject(new Error('fsim is starting')));
  const sw = new Switch({
    config: opts.switch ?? {},
    clock: opts.clock ?? new RealClock({ timeScale: opts.timeScale ?? 1 }),
    router: (input) => dialplan.hunt(input),
    expand: (text, vars) => dialplan.expand(text, vars),
    globals: { get: (n) => dialplan.globals.get(n), set: (n, v) => dialplan.setGlobal(n, v) },
    outbound,
    ...(opts.logger ? { logger: opts.logger } : {}),
  });
  late.connector = createOutboundConnector({ sw, ...(opts.logger ? { logger: opts.logger } : {}) });
  let esl: InboundServer | undefined;
  let control: ControlServer | undefined;
  try {
    esl = await startInboundServer({ sw, host: opts.esl.host ?? '127.0.0.1', port: opts.esl.port, password: opts.esl.password, ...(opts.logger ? { logger: opts.logger } : {}) });
    if (opts.control) control = await startControlServer(sw, { host: opts.control.host ?? '127.0.0.1', port: opts.control.port });
  } catch (err) {
    await esl?.close();
    sw.close();
    throw err;
  }
  const started = esl;
  return {
    sw,
    eslPort: started.port,
    controlPort: control?.port,
    dropEslClients: () => started.dropAll(),
    async close() {
      await control?.close();
      sw.close();
      await started.close();
    },
  };
}
