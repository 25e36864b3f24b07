export { localClock, onDuty, quietUntil, shiftCovers } from './roster.ts';
export {
  createWorkersRepository,
  type WorkersRepository,
  type WorkerWithLoad,
} from './workers.repository.ts';
export { workersRoutes } from './workers.routes.ts';
export * from './workers.schemas.ts';
