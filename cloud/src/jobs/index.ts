export { type Job, type JobRunner, startJobRunner, textingJob } from './job-runner.ts';
