export * from './message.js';
export * from './classification.js';
export * from './point.js';
export * from './anomaly.js';
