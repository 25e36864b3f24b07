export * from './fall-model.scorer.ts';
export * from './features.ts';
export * from './impact-trigger.ts';
export * from './model-files.ts';
export * from './self-test.ts';
