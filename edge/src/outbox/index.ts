export * from './file-outbox.store.ts';
export * from './outbox-limits.ts';
export * from './store.ts';
