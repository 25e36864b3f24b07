export { type CloudMetrics, createCloudMetrics } from './cloud.metrics.ts';
export { type Counter, type Gauge, MetricsRegistry } from './metrics.registry.ts';
