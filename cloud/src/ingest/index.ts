export {
  createIngestService,
  IngestFailure,
  type IngestRejectReason,
  type IngestResult,
  type IngestService,
} from './ingest.service.ts';
