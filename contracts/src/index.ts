export * from './enrolment.ts';
export * from './events.ts';
export * from './ids.ts';
export * from './model-update.ts';
export * from './priority.ts';
export * from './supervision.ts';
export * from './topics.ts';
export * from './validate.ts';
