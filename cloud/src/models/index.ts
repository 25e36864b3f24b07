export * from './model-bundle.ts';
export * from './models.repository.ts';
export * from './models.routes.ts';
export * from './models.schemas.ts';
export * from './models.service.ts';
