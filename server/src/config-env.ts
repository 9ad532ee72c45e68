// Which HOTLINE_* environment variable fills which setting of config.ts. Only config.ts (and
// server.ts, for the warning about unknown variables) reads these.

export type Env = Readonly<Record<string, string | undefined>>;

// ---- environment ----

export type EnvKind = 'string' | 'int' | 'number' | 'json';
export interface EnvBinding {
  readonly name: string;
  readonly path: readonly string[];
  readonly kind: EnvKind;
}

/** Every HOTLINE_* variable and the setting it fills. Env values override the config file. */
export const envBindings: readonly EnvBinding[] = [
  { name: 'HOTLINE_HTTP_HOST', path: ['http', 'host'], kind: 'string' },
  { name: 'HOTLINE_HTTP_PORT', path: ['http', 'port'], kind: 'int' },
  { name: 'HOTLINE_LOG_LEVEL', path: ['log', 'level'], kind: 'string' },
  { name: 'HOTLINE_REDIS_URL', path: ['redis', 'url'], kind: 'string' },
  { name: 'HOTLINE_REDIS_KEY_PREFIX', path: ['redis', 'keyPrefix'], kind: 'string' },
  { name: 'HOTLINE_REDIS_COMMAND_TIMEOUT_MS', path: ['redis', 'commandTimeoutMs'], kind: 'int' },
  { name: 'HOTLINE_FS_NODES', path: ['freeswitch', 'nodes'], kind: 'json' },
  { name: 'HOTLINE_FS_OUTBOUND_HOST', path: ['freeswitch', 'outbound', 'host'], kind: 'string' },
  { name: 'HOTLINE_FS_OUTBOUND_PORT', path: ['freeswitch', 'outbound', 'port'], kind: 'int' },
  { name: 'HOTLINE_FS_OUTBOUND_ALLOW_FROM', path: ['freeswitch', 'outbound', 'allowFrom'], kind: 'json' },
  { name: 'HOTLINE_FS_INTAKE', path: ['freeswitch', 'intake'], kind: 'string' },
  { name: 'HOTLINE_FS_INTAKE_LEASE_SEC', path: ['freeswitch', 'intakeLeaseSec'], kind: 'int' },
  { name: 'HOTLINE_DIAL_AGENT_PHONE_PREFIXES', path: ['dial', 'agentPhonePrefixes'], kind: 'json' },
  { name: 'HOTLINE_CDR_STREAM_MAXLEN', path: ['cdr', 'streamMaxLen'], kind: 'int' },
  { name: 'HOTLINE_CDR_JSONL_PATH', path: ['cdr', 'jsonlPath'], kind: 'string' },
  { name: 'HOTLINE_IVR_FLOWS_PATH', path: ['ivr', 'flowsPath'], kind: 'string' },
  { name: 'HOTLINE_IVR_PROMPTS_BASE', path: ['ivr', 'promptsBase'], kind: 'string' },
  { name: 'HOTLINE_SLA_THRESHOLD_SEC', path: ['sla', 'thresholdSec'], kind: 'int' },
  { name: 'HOTLINE_SLA_SHORT_ABANDON_SEC', path: ['sla', 'shortAbandonSec'], kind: 'int' },
  { name: 'HOTLINE_SLA_TARGET', path: ['sla', 'target'], kind: 'number' },
  { name: 'HOTLINE_SLA_ALERT_MIN_COUNTED', path: ['sla', 'alertMinCounted'], kind: 'int' },
  { name: 'HOTLINE_SLA_ALERT_WEBHOOK_URL', path: ['sla', 'alertWebhookUrl'], kind: 'string' },
  { name: 'HOTLINE_SLA_ALERT_WEBHOOK_SECRET', path: ['sla', 'alertWebhookSecret'], kind: 'string' },
  { name: 'HOTLINE_SLA_ALERT_WEBHOOK_TIMEOUT_MS', path: ['sla', 'alertWebhookTimeoutMs'], kind: 'int' },
  { name: 'HOTLINE_SLA_EVALUATE_INTERVAL_MS', path: ['sla', 'evaluateIntervalMs'], kind: 'int' },
  { name: 'HOTLINE_SLA_UPDATE_THROTTLE_MS', path: ['sla', 'updateThrottleMs'], kind: 'int' },
  { name: 'HOTLINE_SLA_ROLLING_WINDOW_SEC', path: ['sla', 'rollingWindowSec'], kind: 'int' },
  { name: 'HOTLINE_OPS_FORECAST_WEEKS', path: ['ops', 'forecastWeeks'], kind: 'int' },
  { name: 'HOTLINE_OPS_FORECAST_DEFAULT_AHT_SEC', path: ['ops', 'forecastDefaultAhtSec'], kind: 'int' },
  { name: 'HOTLINE_OPS_FORECAST_SHRINKAGE', path: ['ops', 'forecastShrinkage'], kind: 'number' },
  { name: 'HOTLINE_OPS_FORECAST_MODEL', path: ['ops', 'forecastModel'], kind: 'string' },
  { name: 'HOTLINE_OPS_BOARD_THROTTLE_MS', path: ['ops', 'boardThrottleMs'], kind: 'int' },
  { name: 'HOTLINE_OPS_SUPERVISOR_PHONES', path: ['ops', 'supervisorPhones'], kind: 'json' },
  { name: 'HOTLINE_OPS_SUPERVISOR_RING_SEC', path: ['ops', 'supervisorRingSec'], kind: 'int' },
  // -- revisit --
  { name: 'HOTLINE_REVISIT_HOURS', path: ['revisit', 'hours'], kind: 'json' },
  { name: 'HOTLINE_REVISIT_TIME_ZONE', path: ['revisit', 'timeZone'], kind: 'string' },
  { name: 'HOTLINE_REVISIT_RETRY_AFTER_MIN', path: ['revisit', 'retryAfterMin'], kind: 'int' },
  { name: 'HOTLINE_REVISIT_MAX_ATTEMPTS', path: ['revisit', 'maxAttempts'], kind: 'int' },
  { name: 'HOTLINE_REVISIT_WINDOW_HOURS', path: ['revisit', 'windowHours'], kind: 'int' },
  { name: 'HOTLINE_REVISIT_SKILL', path: ['revisit', 'skill'], kind: 'string' },
  { name: 'HOTLINE_REVISIT_PREVIEW_TIMEOUT_SEC', path: ['revisit', 'previewTimeoutSec'], kind: 'int' },
  { name: 'HOTLINE_REVISIT_AGENT_RING_SEC', path: ['revisit', 'agentRingSec'], kind: 'int' },
  { name: 'HOTLINE_REVISIT_CITIZEN_RING_SEC', path: ['revisit', 'citizenRingSec'], kind: 'int' },
  // -- end revisit --
  // -- acd: agents --
  { name: 'HOTLINE_ACD_WRAP_UP_SEC', path: ['acd', 'wrapUpSec'], kind: 'int' },
  { name: 'HOTLINE_ACD_WRAP_UP_EXTEND_SEC', path: ['acd', 'wrapUpExtendSec'], kind: 'int' },
  // -- end acd: agents --
  // -- acd: routing --
  { name: 'HOTLINE_ACD_RING_NO_ANSWER_SEC', path: ['acd', 'ringNoAnswerSec'], kind: 'int' },
  { name: 'HOTLINE_ACD_QUEUES_PATH', path: ['acd', 'queuesPath'], kind: 'string' },
  { name: 'HOTLINE_ACD_PHONE_FAILURE_LIMIT', path: ['acd', 'phoneFailureLimit'], kind: 'int' },
  { name: 'HOTLINE_HANDOFF_PARTNERS', path: ['handoff', 'partners'], kind: 'json' },
  { name: 'HOTLINE_HANDOFF_MATCH_WINDOW_SEC', path: ['handoff', 'matchWindowSec'], kind: 'int' },
  { name: 'HOTLINE_HANDOFF_ANSWER_WARN_SEC', path: ['handoff', 'answerWarnSec'], kind: 'int' },
  // -- end acd: routing --
  // -- auth --
  { name: 'HOTLINE_AUTH_USERS_PATH', path: ['auth', 'usersPath'], kind: 'string' },
  { name: 'HOTLINE_AUTH_JWT_SECRET', path: ['auth', 'jwtSecret'], kind: 'string' },
  { name: 'HOTLINE_AUTH_TOKEN_TTL_SEC', path: ['auth', 'tokenTtlSec'], kind: 'int' },
  { name: 'HOTLINE_AUTH_LOGIN_MAX_FAILURES', path: ['auth', 'loginMaxFailures'], kind: 'int' },
  { name: 'HOTLINE_AUTH_LOGIN_MAX_FAILURES_PER_ADDRESS', path: ['auth', 'loginMaxFailuresPerAddress'], kind: 'int' },
  { name: 'HOTLINE_AUTH_LOGIN_WINDOW_SEC', path: ['auth', 'loginWindowSec'], kind: 'int' },
  // -- end auth --
  // -- realtime --
  { name: 'HOTLINE_REALTIME_MAX_BUFFERED_BYTES', path: ['realtime', 'maxBufferedBytes'], kind: 'int' },
  { name: 'HOTLINE_REALTIME_REDIS_ADAPTER', path: ['realtime', 'redisAdapter'], kind: 'json' },
  // -- end realtime --
  { name: 'HOTLINE_DESK_PHONE', path: ['desk', 'phone'], kind: 'json' },
  { name: 'HOTLINE_DESK_DEMO', path: ['desk', 'demo'], kind: 'json' },
  { name: 'HOTLINE_DESK_TIME_ZONE', path: ['desk', 'timeZone'], kind: 'string' },
  { name: 'HOTLINE_DESK_STATIC_DIR', path: ['desk', 'staticDir'], kind: 'string' },
  { name: 'HOTLINE_DESK_TICKET_WEBHOOK_URL', path: ['desk', 'ticketWebhookUrl'], kind: 'string' },
  { name: 'HOTLINE_DESK_TICKET_WEBHOOK_SECRET', path: ['desk', 'ticketWebhookSecret'], kind: 'string' },
  { name: 'HOTLINE_DESK_TICKET_WEBHOOK_TIMEOUT_MS', path: ['desk', 'ticketWebhookTimeoutMs'], kind: 'int' },
  // -- metrics --
  { name: 'HOTLINE_METRICS_TOKEN', path: ['metrics', 'token'], kind: 'string' },
  { name: 'HOTLINE_METRICS_HOST', path: ['metrics', 'host'], kind: 'string' },
  { name: 'HOTLINE_METRICS_PORT', path: ['metrics', 'port'], kind: 'int' },
  // -- end metrics --
  // -- quality: survey, recording, QA --
  { name: 'HOTLINE_SURVEY', path: ['survey'], kind: 'json' },
  { name: 'HOTLINE_RECORDING_ENABLED', path: ['recording', 'enabled'], kind: 'json' },
  { name: 'HOTLINE_RECORDING_DIR', path: ['recording', 'dir'], kind: 'string' },
  { name: 'HOTLINE_RECORDING_RETENTION_DAYS', path: ['recording', 'retentionDays'], kind: 'int' },
  { name: 'HOTLINE_QA', path: ['qa'], kind: 'json' },
  // -- end quality --
  { name: 'HOTLINE_SHUTDOWN_GRACE_MS', path: ['shutdown', 'graceMs'], kind: 'int' },
];

/** A single FreeSWITCH node described field by field; its fields land on freeswitch.nodes.0. */
export const singleNodeEnv = {
  HOTLINE_FS_NAME: { field: 'name', kind: 'string' },
  HOTLINE_FS_HOST: { field: 'host', kind: 'string' },
  HOTLINE_FS_PORT: { field: 'port', kind: 'int' },
  HOTLINE_FS_PASSWORD: { field: 'password', kind: 'string' },
} as const satisfies Record<string, { field: string; kind: EnvKind }>;

export const CONFIG_FILE_ENV = 'HOTLINE_CONFIG_FILE';

/** HOTLINE_* variables this module does not know (likely typos). HOTLINE_TEST_* belong to the test tooling. */
export function unknownEnvVars(env: Env): string[] {
  const known = new Set<string>([CONFIG_FILE_ENV, ...envBindings.map((b) => b.name), ...Object.keys(singleNodeEnv)]);
  return Object.keys(env).filter((k) => k.startsWith('HOTLINE_') && !k.startsWith('HOTLINE_TEST_') && !known.has(k));
}

