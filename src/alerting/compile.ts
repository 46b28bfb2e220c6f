/** Parse, then compile: the validated `alerting` config becomes the runtime the pure core uses. */
import type { AlertingConfig } from '../config/alerting.js';
import type { AlertingRuntime } from './evaluate.js';
import { compileOncall } from './oncall.js';
import { compileRules } from './rules.js';

export function compileAlerting(config: AlertingConfig): AlertingRuntime {
  return { rules: compileRules(config.rules), oncall: compileOncall(config.oncall) };
}
