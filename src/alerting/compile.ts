/** Parse, then compile: the validated `alerting` config becomes the runtime the pure core uses. */
import type { AlertingConfig } from '../config/alerting.js';
import type { AlertingRuntime } from './evaluate.js';
import { compileOncall } from './oncall.js';
import { compileRules } from './rules.js';

export function compileAlerting(config: AlertingConfig): AlertingRuntime {
  return {
    rules: compileRules(config.rules),
    oncall: compileOncall(config.oncall),
    correlation: { windowMs: config.evidence.correlationWindow, limit: config.evidence.correlated },
  };
}

/**
 * Ack-link options from config: `alerting.ack.secret`, else the fallback (auth.sessionSecret); null
 * (no links; ack via API and dashboard only) when neither is set.
 */
export function ackLinkOptions(
  config: Pick<AlertingConfig, 'ack'>,
  fallbackSecret: string | undefined,
  publicUrl: string,
): { readonly secret: string; readonly ttlMs: number; readonly baseUrl: string } | null {
  const secret = config.ack.secret !== undefined && config.ack.secret !== '' ? config.ack.secret : fallbackSecret;
  if (secret === undefined || secret === '') return null;
  return { secret, ttlMs: config.ack.ttl, baseUrl: publicUrl };
}
