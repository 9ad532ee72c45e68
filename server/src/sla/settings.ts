// The SLA settings with their defaults filled in. config.ts's sla section leaves the alert and
// timing settings optional (no schema default) and this is where their defaults live.
import type { AlertRules } from './alert.ts';
import type { SlaRules } from './outcome.ts';

/** The shape of config.sla (config.ts slaSchema), restated so the domain does not import config. */
export interface SlaSettingsInput {
  readonly thresholdSec: number;
  readonly shortAbandonSec: number;
  readonly target: number;
  readonly alertMinCounted?: number | undefined;
  readonly alertWebhookUrl?: string | undefined;
  readonly alertWebhookTimeoutMs?: number | undefined;
  readonly alertWebhookSecret?: string | undefined;
  readonly evaluateIntervalMs?: number | undefined;
  readonly updateThrottleMs?: number | undefined;
  readonly rollingWindowSec?: number | undefined;
}

export interface SlaSettings extends SlaRules, AlertRules {
  readonly webhookUrl: string | undefined;
  readonly webhookSecret: string | undefined;
  readonly webhookTimeoutMs: number;
  readonly evaluateIntervalMs: number;
  readonly updateThrottleMs: number;
  /** The rolling window's length (ms): 24 h unless configured shorter. */
  readonly rollingMs: number;
}

export const SLA_DEFAULTS = {
  alertMinCounted: 20,
  alertWebhookTimeoutMs: 5_000,
  evaluateIntervalMs: 60_000,
  updateThrottleMs: 1_000,
  rollingWindowSec: 86_400,
} as const;

export function slaSettings(c: SlaSettingsInput): SlaSettings {
  return {
    thresholdSec: c.thresholdSec,
    shortAbandonSec: c.shortAbandonSec,
    target: c.target,
    minCounted: c.alertMinCounted ?? SLA_DEFAULTS.alertMinCounted,
    webhookUrl: c.alertWebhookUrl,
    webhookSecret: c.alertWebhookSecret,
    webhookTimeoutMs: c.alertWebhookTimeoutMs ?? SLA_DEFAULTS.alertWebhookTimeoutMs,
    evaluateIntervalMs: c.evaluateIntervalMs ?? SLA_DEFAULTS.evaluateIntervalMs,
    updateThrottleMs: c.updateThrottleMs ?? SLA_DEFAULTS.updateThrottleMs,
    rollingMs: (c.rollingWindowSec ?? SLA_DEFAULTS.rollingWindowSec) * 1000,
  };
}
