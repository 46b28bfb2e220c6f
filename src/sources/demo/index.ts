/** The built-in demo source: a pure, seeded generator of realistic traffic and messages. */
export { createDemoGenerator, CATEGORY_SHARES, CHATTER_PER_COMPLAINT } from './generator.js';
export type { DemoOptions, DemoMinute, DemoGenerator, DemoTruth, DemoIncident, DemoSurge } from './generator.js';
export { DEMO_CATEGORIES, CHATTER_KINDS } from './phrase-bank.js';
export type { DemoCategory, ChatterKind } from './phrase-bank.js';
export { DEMO_METRICS, DEMO_SERVICES, SERVICE_OF } from './metrics.js';
export type { DemoMetric, DemoMetricIncident, DemoService, MetricVisibility } from './metrics.js';
