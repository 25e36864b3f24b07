export { type AuditRepository, createAuditRepository } from './audit.repository.ts';
export { AuditEntry, type NewAuditEntry } from './audit.schemas.ts';
export { type AuditFields, outcomeOf, RequestAudit } from './request-audit.ts';
