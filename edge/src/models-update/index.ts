export * from './bundle-download.ts';
export * from './model-store.ts';
export * from './model-updater.ts';
export * from './updatable-model.ts';
