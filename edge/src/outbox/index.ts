export * from './file-outbox.store.ts';
export * from './store.ts';
