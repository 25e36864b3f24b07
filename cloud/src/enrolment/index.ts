export { type EnrolmentConfig, EnrolmentConfigSchema, enrolmentDefaults } from './enrolment.config.ts';
export { ENROL_ERRORS, type EnrolErrorCode, EnrolmentError } from './enrolment.errors.ts';
export { createEnrolmentRepository, type EnrolmentRepository } from './enrolment.repository.ts';
export { enrolmentRoutes } from './enrolment.routes.ts';
export { createEnrolmentService, type EnrolmentService } from './enrolment.service.ts';
export { generateEnrolmentCode, hashEnrolmentCode, normalizeEnrolmentCode } from './enrolment-code.ts';
