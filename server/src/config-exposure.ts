// No default credential ever leaves loopback. The embedded demo users (password demo12345), a JWT
// secret generated per start and FreeSWITCH's stock ESL password ClueCon are what `npm start` runs
// with on one machine; the moment the HTTP API or the outbound-socket listener binds an address
// other hosts can reach, any of them is a way in, so start-up is refused with the setting named.
import { envBindings, singleNodeEnv } from './config-env.ts';

/** The parts of the config the check reads (config.ts's parsed output has this shape). */
export interface ExposureView {
  readonly http: { readonly host: string };
  readonly freeswitch: { readonly outbound: { readonly host: string }; readonly nodes: readonly { readonly name: string; readonly password: string }[] };
  readonly auth: { readonly usersPath?: string | undefined; readonly jwtSecret?: string | undefined };
  readonly metrics: { readonly host: string; readonly port?: number | undefined; readonly token?: string | undefined };
}

/** FreeSWITCH's default ESL password (event_socket.conf.xml), in any letter case. */
export const STOCK_ESL_PASSWORD = 'ClueCon';

/** 127.0.0.0/8, ::1 and localhost. Any other name may resolve to a reachable address: not loopback. */
export function isLoopback(host: string): boolean {
  const h = host.trim().toLowerCase().replace(/^\[(.*)\]$/, '$1');
  return h === 'localhost' || h === '::1' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(h) || /^::ffff:127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(h);
}

const envOf = (path: string): string => {
  const b = envBindings.find((e) => e.path.join('.') === path);
  return b ? ` (${b.name})` : '';
};

/** One line per default credential that would be reachable off loopback; empty when none. */
export function exposureProblems(c: ExposureView): string[] {
  const exposed = [
    ...(isLoopback(c.http.host) ? [] : [`http.host${envOf('http.host')} is ${c.http.host}`]),
    ...(isLoopback(c.freeswitch.outbound.host) ? [] : [`freeswitch.outbound.host${envOf('freeswitch.outbound.host')} is ${c.freeswitch.outbound.host}`]),
  ];
  const problems: string[] = [];
  if (exposed.length > 0) {
    const where = `${exposed.join(' and ')}, not loopback`;
    if (c.auth.usersPath === undefined)
      problems.push(`auth.usersPath${envOf('auth.usersPath')}: the embedded demo users (password demo12345) only serve loopback, but ${where}; give a users file`);
    if (c.auth.jwtSecret === undefined)
      problems.push(`auth.jwtSecret${envOf('auth.jwtSecret')}: a JWT secret generated per start only serves loopback, but ${where}; set a secret of at least 32 characters`);
    const fsEnv = `${Object.keys(singleNodeEnv).find((k) => singleNodeEnv[k as keyof typeof singleNodeEnv].field === 'password')} or HOTLINE_FS_NODES`;
    c.freeswitch.nodes.forEach((n, i) => {
      if (n.password.toLowerCase() === STOCK_ESL_PASSWORD.toLowerCase())
        problems.push(`freeswitch.nodes.${i}.password (${fsEnv}): node ${n.name} uses FreeSWITCH's stock password ClueCon, but ${where}; set esl_password in dialplan/vars.xml and here`);
    });
  }
  // The metrics listener tells anyone who can reach it the center's traffic: a token off loopback.
  if (c.metrics.port !== undefined && !isLoopback(c.metrics.host) && c.metrics.token === undefined)
    problems.push(`metrics.token${envOf('metrics.token')}: the metrics listener binds ${c.metrics.host}, not loopback; set a token (Prometheus sends it as a bearer token)`);
  return problems;
}
