export * from './registry.ts';
export * from './scorer.ts';
