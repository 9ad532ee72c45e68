// The settings' schema: one zod section per module, each leaf saying what it expects. config.ts
// parses and freezes it; this file only describes it.
//
// To add a section for a new module: export its schema here, add it to `configSchema`, and add its
// HOTLINE_* variables to `envBindings` (config-env.ts). Every leaf carries an "expected ..." message
// so a bad value stops start-up with `path: expected ..., got ...`.
import { z } from 'zod';
import { handoffConfigSchema } from './handoff/partners.ts';
import { qaSchema, recordingSchema, surveySchema } from './config-quality.ts';

// ---- leaf helpers: each says what it expects, in words an operator understands ----

const int = (min: number, max: number, what = 'an integer') =>
  z.number({ error: `expected ${what} between ${min} and ${max}` }).int().min(min).max(max);

const text = (what = 'a non-empty string') => z.string({ error: `expected ${what}` }).min(1);

const portNumber = (min = 1) => int(min, 65535, 'a number');

// ---- sections ----

export const httpSchema = z.strictObject({
  host: text('a host name or IP address').default('127.0.0.1'),
  // 0 asks the kernel for a free port: tests and the embedded launcher use it.
  port: portNumber(0).default(8080),
});

export const logLevels = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export const logSchema = z.strictObject({
  level: z.enum(logLevels, { error: `expected one of ${logLevels.join(', ')}` }).default('info'),
});

export const redisSchema = z.strictObject({
  // Absent: the embedded launcher (scripts/start.ts) starts a redis-server and fills this in.
  url: z.url({ protocol: /^rediss?$/, error: 'expected a redis:// or rediss:// URL' }).optional(),
  // Every key starts with it (store/keys.ts builds them), so deployments can share one Redis.
  keyPrefix: z
    .string({ error: 'expected letters, digits, "-" or "_"' })
    .regex(/^[A-Za-z0-9_-]{1,32}$/, { error: 'expected letters, digits, "-" or "_"' })
    .default('hotline'),
  // No Redis command waits longer than this: a stalled Redis never hangs a request or a routing pass.
  // Generous on purpose: a command that timed out may still run in Redis, and a busy host must not
  // see false timeouts. What answers quickly is the health probe (a PING within 1 s, twice a second):
  // while it fails, requests get 503 at once and the ACD pauses (store/redis-health.ts).
  commandTimeoutMs: int(50, 60_000).default(5_000),
});

export const reconnectSchema = z
  .strictObject({
    initialMs: int(10, 60_000).default(500),
    maxMs: int(10, 600_000).default(30_000),
    // Fraction of each delay drawn at random, so nodes restarted together do not reconnect in step.
    jitter: z.number({ error: 'expected a number between 0 and 1' }).min(0).max(1).default(0.2),
  })
  .refine((r) => r.initialMs <= r.maxMs, { error: 'expected initialMs <= maxMs', path: ['maxMs'] });

export const freeswitchNodeSchema = z.strictObject({
  // Names the node in logs, metrics and /readyz; unique across nodes.
  name: z
    .string({ error: 'expected a name of letters, digits, "-" or "_"' })
    .regex(/^[A-Za-z0-9_-]{1,64}$/, { error: 'expected a name of letters, digits, "-" or "_"' })
    .default('fs1'),
  host: text('a host name or IP address').default('127.0.0.1'),
  port: portNumber().default(8021),
  // FreeSWITCH's own default in event_socket.conf.xml; production installs must change both ends.
  password: text('a non-empty password').default('ClueCon'),
  commandTimeoutMs: int(100, 120_000).default(5_000),
  reconnect: reconnectSchema.prefault({}),
  // More than one switch (README "More than one switch"): the gateway by which the site's other
  // switches reach this one (dialplan/sip_profiles/peer/gw_peer.xml). An agent whose phone is
  // registered here is offered a caller on another switch as sofia/gateway/<peerGateway>/<ext>.
  // Absent: this node's phones are only rung for its own callers.
  peerGateway: z
    .string({ error: 'expected a gateway name of letters, digits, ".", "-" or "_"' })
    .regex(/^[A-Za-z0-9_.-]{1,64}$/, { error: 'expected a gateway name of letters, digits, ".", "-" or "_"' })
    .optional(),
});

export const freeswitchSchema = z.strictObject({
  nodes: z
    .array(freeswitchNodeSchema, { error: 'expected a list of FreeSWITCH nodes' })
    .min(1, { error: 'expected at least one FreeSWITCH node' })
    .refine((nodes) => new Set(nodes.map((n) => n.name)).size === nodes.length, {
      error: 'expected node names to be unique',
    })
    .prefault([{}]),
  // Where the dialplan's `socket` application connects (outbound ESL, one connection per call).
  outbound: z
    .strictObject({
      host: text('a host name or IP address').default('127.0.0.1'),
      port: portNumber(0).default(8084),
      // Addresses (or host names) FreeSWITCH connects from; anyone else is closed at once.
      // Absent: the configured nodes' hosts, resolved at start-up.
      allowFrom: z.array(text('a host name or IP address'), { error: 'expected a list of host names or IP addresses' }).min(1).optional(),
      // A new connection must send its channel data within this, or it is closed.
      connectTimeoutMs: int(100, 60_000).default(5_000),
    })
    .prefault({}),
  // Who plays a new call's welcome. socket: the service, over the call's outbound socket (any IVR
  // flow, menus too). dialplan: the switch itself, then it tells the service (public.xml
  // "hotline_intake_dialplan"); no per-call socket, so the switch does far less per call, but the
  // flows may only play the line's welcome and queue. Set on every node at each connect.
  intake: z.enum(['socket', 'dialplan'], { error: 'expected "socket" or "dialplan"' }).default('socket'),
  // "dialplan" is leased to the switch (freeswitch/intake-mode.ts): it puts "socket" back this long
  // after the service last renewed it, so callers reach the fallback while the service is away.
  intakeLeaseSec: int(2, 600).default(20),
});

export const cdrSchema = z.strictObject({
  // The stream's key is `<redis.keyPrefix>:cdr` (store/keys.ts). XADD MAXLEN ~ keeps it bounded;
  // the JSONL file is the long-term copy. A million is weeks of traffic for a large center.
  streamMaxLen: int(1_000, 100_000_000).default(1_000_000),
  // Absent: no JSONL copy of the CDR stream is written. Relative paths are from the working directory.
  jsonlPath: text('a file path').optional(),
});

export const ivrSchema = z.strictObject({
  // Absent: the built-in flow (welcome prompt, then the queue; GB/T 33358 discourages menus).
  flowsPath: text('a folder or file path').optional(),
  // Prefix for prompt files as FreeSWITCH sees them (relative to its sound_prefix, or absolute).
  promptsBase: text('a path prefix for prompt files').default('hotline/'),
});

const dialTemplate = z
  .string({ error: 'expected a FreeSWITCH dial string containing {target}' })
  .regex(/\{target\}/, { error: 'expected a FreeSWITCH dial string containing {target}' });

// Dial strings for calls the service sends out, by purpose; {target} is the number dialled.
// The gateway names are the ones dialplan/sip_profiles/external/ defines.
export const dialSchema = z.strictObject({
  to110: dialTemplate.default('sofia/gateway/gw_110/{target}'),
  department: dialTemplate.default('sofia/gateway/gw_dept/{target}'),
  external: dialTemplate.default('sofia/gateway/gw_carrier/{target}'),
  // The number citizens see when the service calls them back.
  callbackCallerId: z.string().regex(/^[0-9+]{3,20}$/, { error: 'expected a phone number' }).default('12345'),
  // Agent phones may be `user/<extension>` or one of these prefixes followed by a number or an
  // extension (e.g. "sofia/gateway/gw_remote/" for remote agents on their mobiles).
  agentPhonePrefixes: z
    .array(z.string().regex(/^[A-Za-z0-9_.@:/-]{1,128}\/$/, { error: 'expected a dial string prefix ending in "/"' }))
    .default([]),
});

export const slaSchema = z
  .strictObject({
    thresholdSec: int(1, 600).default(15),
    shortAbandonSec: int(0, 60).default(5),
    target: z.number({ error: 'expected a fraction between 0 and 1' }).min(0).max(1).default(0.95),
    // The settings below have no schema default so the section's shape stays the same when they are
    // unset; their defaults live in sla/settings.ts (and are listed there and in README).
    // Fewer counted calls than this in the rolling 24 h: the rate is not judged (a quiet night's
    // two calls must not page anyone). Default 20.
    alertMinCounted: int(0, 1_000_000).optional(),
    // Absent: alerts are logged and counted in metrics only.
    alertWebhookUrl: z.url({ protocol: /^https?$/, error: 'expected an http:// or https:// URL' }).optional(),
    // Signs each alert like the ticket webhook (webhook-signature.ts); absent: unsigned.
    alertWebhookSecret: z.string({ error: 'expected a secret of at least 16 characters' }).min(16, { error: 'expected a secret of at least 16 characters' }).optional(),
    // Default 5000.
    alertWebhookTimeoutMs: int(100, 60_000).optional(),
    // How often the rolling window is re-evaluated without new calls (old calls leave it). Default 60000.
    evaluateIntervalMs: int(1_000, 3_600_000).optional(),
    // Least time between two live-feed updates of one scope. Default 1000.
    updateThrottleMs: int(0, 60_000).optional(),
    // Length of the rolling window the alert judges. Default 86400 (24 h, the standard's day); the
    // demo shortens it so a burst's effect comes and goes within minutes.
    rollingWindowSec: int(60, 86_400).optional(),
  })
  .refine((s) => s.shortAbandonSec < s.thresholdSec, {
    error: 'expected shortAbandonSec below thresholdSec',
    path: ['shortAbandonSec'],
  });

// Automatic call distribution. Each part of acd/ adds its settings in its own marked block.
export const acdSchema = z.strictObject({
  // -- agents (acd/agent-state.ts) --
  // After-call work before the agent is offered the next call; 0 sends the agent straight to ready.
  wrapUpSec: int(0, 3600).default(30),
  // What one "extend wrap-up" adds (an agent may extend once per call).
  wrapUpExtendSec: int(1, 3600).default(30),
  // -- end agents --
  // -- routing (acd/router.ts) --
  // How long an agent's phone rings before ring-no-answer (the 15 s target leaves little room).
  ringNoAnswerSec: int(3, 120).default(12),
  // JSON file with the queue definitions (acd/queue-config.ts); absent: the built-in queues.
  queuesPath: text('a file path').optional(),
  // Offers in a row an agent's phone may fail (not ring-no-answer) before the agent is set
  // not-ready with reason phone-failure.
  phoneFailureLimit: int(1, 100).default(3),
  // -- end routing --
});

// -- auth (auth/, routes/login.ts) --
// Users come from a JSON file of {username, role, agentId?, passwordHash} (scrypt, see auth/passwords.ts).
// Without a file the embedded demo users apply and a JWT secret is generated per start (tokens die
// with the process); with a file the secret must be given, so every instance signs alike.
export const authSchema = z
  .strictObject({
    usersPath: text('a file path').optional(),
    jwtSecret: z.string({ error: 'expected a secret of at least 32 characters' }).min(32, { error: 'expected a secret of at least 32 characters' }).optional(),
    tokenTtlSec: int(60, 7 * 86_400).default(12 * 3600),
    // Failed logins per username within the window before 429.
    loginMaxFailures: int(1, 1000).default(5),
    // Per client address; a whole center may log in from one NAT address. Default: 10 x loginMaxFailures.
    loginMaxFailuresPerAddress: int(1, 100_000).optional(),
    loginWindowSec: int(1, 86_400).default(300),
  })
  .refine((a) => !a.usersPath || a.jwtSecret, { error: 'expected jwtSecret when usersPath is set', path: ['jwtSecret'] });
// -- end auth --

// -- realtime (realtime/) --
export const realtimeSchema = z.strictObject({
  // Bytes queued for one client beyond which it is dropped (it reconnects and resyncs from a snapshot),
  // so one slow wallboard never holds memory or delays the others.
  maxBufferedBytes: int(1024, 256 * 1024 * 1024).default(4 * 1024 * 1024),
  // Share facts between instances over Redis (@socket.io/redis-adapter); needs redis.url.
  redisAdapter: z.boolean({ error: 'expected true or false' }).default(true),
});
// -- end realtime --

// -- desk: the agents' softphone (softphone-web) and what its work sends on --
const phoneSchema = z.discriminatedUnion('kind', [
  // fsim's control API, reachable from the agents' browsers (the embedded default).
  z.strictObject({ kind: z.literal('simulated'), controlUrl: z.url({ protocol: /^https?$/, error: 'expected an http(s) URL' }) }),
  // FreeSWITCH's WSS binding of the internal profile (dialplan/sip_profiles/internal.xml, port 7443); SIP passwords come from the users file.
  z.strictObject({
    kind: z.literal('sip'),
    wssUrl: z.url({ protocol: /^wss?$/, error: 'expected a wss:// URL' }),
    domain: text('a SIP domain'),
    iceServers: z.array(z.strictObject({ urls: text('a STUN/TURN URL') })).default([]),
  }),
], { error: 'expected {kind: "simulated", controlUrl} or {kind: "sip", wssUrl, domain}' });

// What `npm start`'s demo traffic does (the launcher fills it in), so the softphone can show it.
export const demoSchema = z.strictObject({
  epochMs: z.number({ error: 'expected epoch milliseconds' }).int().min(0),
  steadyEverySec: int(1, 3600),
  burstEverySec: int(1, 86_400),
  firstBurstSec: int(0, 86_400),
  burstCalls: int(0, 1000),
  burstSpreadSec: int(0, 3600),
  robots: z.array(text('an extension')).max(1000),
});

export const deskSchema = z.strictObject({
  // Present only under `npm start`: the switch is fsim running demo callers on this schedule.
  demo: demoSchema.optional(),
  // Absent: the softphone has no phone configured and says so (the launcher fills in the simulator).
  phone: phoneSchema.optional(),
  // "Today" in the agents' own figures is the local day here.
  timeZone: text('an IANA time zone').default('Asia/Shanghai'),
  // The built softphone (softphone-web/dist); absent: found beside the server package.
  staticDir: text('a directory').optional(),
  // Every wrap-up (category, summary, ticket reference) is POSTed here as JSON.
  ticketWebhookUrl: z.url({ protocol: /^https?$/, error: 'expected an http(s) URL' }).optional(),
  // Signs each POST: X-Hotline-Timestamp and X-Hotline-Signature over `<timestamp>.<body>` (webhook-signature.ts).
  ticketWebhookSecret: z.string({ error: 'expected a secret of at least 16 characters' }).min(16).optional(),
  ticketWebhookTimeoutMs: int(100, 60_000).default(5000),
  ticketWebhookAttempts: int(1, 10).default(3),
});
// -- end desk --

// -- metrics: Prometheus scrapes --
// /metrics on the API port needs `Authorization: Bearer <token>` when a token is set (Prometheus:
// `authorization: {credentials: ...}`); without one it is served only while the API listens on
// loopback. A port opens a listener of its own serving /metrics alone (loopback by default), the
// way node_exporter and most exporters are scraped; the token, if set, applies there too.
export const metricsSchema = z.strictObject({
  token: z.string({ error: 'expected a token of at least 16 characters' }).min(16, { error: 'expected a token of at least 16 characters' }).optional(),
  host: text('a host name or IP address').default('127.0.0.1'),
  port: portNumber(0).optional(),
});
// -- end metrics --

// -- ops: wallboard, staffing forecast, reports, supervision (ops/) --
export const opsSchema = z.strictObject({
  // Staffing forecast (forecast/forecast.ts): same weekday over this many weeks back.
  forecastWeeks: int(1, 52).default(4),
  // Handle time used until enough calls have been measured (talk + wrap-up, seconds).
  forecastDefaultAhtSec: int(1, 7200).default(240),
  // Share of paid agent time off the phones (breaks, training) for the scheduled head count.
  forecastShrinkage: z.number({ error: 'expected a fraction in [0, 1)' }).min(0).lt(1).default(0.3),
  // auto: Erlang A when enough abandons were measured to estimate patience, else Erlang C.
  forecastModel: z.enum(['auto', 'erlang-c', 'erlang-a'], { error: 'expected auto, erlang-c or erlang-a' }).default('auto'),
  // Least time between two wallboard figure pushes (the board is recomputed from Redis).
  boardThrottleMs: int(100, 60_000).default(2000),
  // Each supervisor's own phone (username -> dial string, same forms as agent phones: user/<ext>
  // or an allowed prefix + number): listen, whisper and barge ring it (ops/supervision.ts).
  supervisorPhones: z
    .record(z.string().regex(/^[A-Za-z0-9._-]{1,64}$/, { error: 'expected a user name' }), z.string().regex(/^[A-Za-z0-9_.@:/+-]{1,160}$/, { error: 'expected a dial string' }))
    .default({}),
  // How long a supervisor's phone rings before listening is given up.
  supervisorRingSec: int(5, 120).default(30),
});
// -- end ops --

// -- revisit: calls back to citizens after a case (revisit/) --
export const revisitSchema = z.strictObject({
  // Local windows revisit calls may go out in (HH:MM-HH:MM, end exclusive); none outside them.
  hours: z.array(z.string().regex(/^([01]\d|2[0-3]):[0-5]\d-([01]\d|2[0-4]):[0-5]\d$/, { error: 'expected HH:MM-HH:MM' })).min(1).default(['09:00-12:00', '14:00-20:00']),
  timeZone: text('an IANA time zone').default('Asia/Shanghai'),
  // A citizen not reached is called again after this many minutes, up to maxAttempts calls.
  retryAfterMin: int(1, 10_080).default(60),
  maxAttempts: int(1, 20).default(3),
  // A task not closed this long after it first became due is given up (failed).
  windowHours: int(1, 24 * 60).default(72),
  // Ready agents with this skill get due revisits offered; any ready agent may take one.
  skill: z.string().regex(/^[A-Za-z0-9_-]{1,64}$/, { error: 'expected a skill name' }).default('revisit'),
  // A preview card nobody acts on goes back to the list after this long (the agent is released).
  previewTimeoutSec: int(10, 3600).default(120),
  agentRingSec: int(5, 120).default(20),
  citizenRingSec: int(5, 120).default(40),
});
// -- end revisit --

export const shutdownSchema = z.strictObject({
  // Bound on the whole graceful shutdown; after it the process exits anyway.
  graceMs: int(100, 600_000).default(10_000),
});

export const configSchema = z.strictObject({
  http: httpSchema.prefault({}),
  log: logSchema.prefault({}),
  redis: redisSchema.prefault({}),
  freeswitch: freeswitchSchema.prefault({}),
  cdr: cdrSchema.prefault({}),
  ivr: ivrSchema.prefault({}),
  dial: dialSchema.prefault({}),
  sla: slaSchema.prefault({}),
  acd: acdSchema.prefault({}),
  handoff: handoffConfigSchema.prefault({}),
  auth: authSchema.prefault({}),
  realtime: realtimeSchema.prefault({}),
  desk: deskSchema.prefault({}),
  metrics: metricsSchema.prefault({}),
  ops: opsSchema.prefault({}),
  survey: surveySchema.prefault({}),
  recording: recordingSchema.prefault({}),
  qa: qaSchema.prefault({}),
  revisit: revisitSchema.prefault({}),
  shutdown: shutdownSchema.prefault({}),
});

export type DeepReadonly<T> = T extends (infer U)[]
  ? readonly DeepReadonly<U>[]
  : T extends object
    ? { readonly [K in keyof T]: DeepReadonly<T[K]> }
    : T;

export type Config = DeepReadonly<z.output<typeof configSchema>>;
export type HttpConfig = Config['http'];
export type LogConfig = Config['log'];
export type RedisConfig = Config['redis'];
export type FreeswitchConfig = Config['freeswitch'];
export type FreeswitchNodeConfig = FreeswitchConfig['nodes'][number];
export type CdrConfig = Config['cdr'];
export type IvrConfig = Config['ivr'];
export type DialConfig = Config['dial'];
export type SlaConfig = Config['sla'];
export type AcdConfig = Config['acd'];
export type ShutdownConfig = Config['shutdown'];
export type AuthConfig = Config['auth'];
export type RealtimeConfig = Config['realtime'];
export type MetricsConfig = Config['metrics'];
export type OpsConfig = Config['ops'];
export type SurveyConfig = Config['survey'];
export type RecordingConfig = Config['recording'];
export type QaConfig = Config['qa'];
