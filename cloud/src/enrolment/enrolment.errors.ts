import { CloudError } from '../errors.ts';

/**
 * Why an enrolment or a code request was refused: a stable code (the installer CLI maps each to an exit
 * code and a bilingual message) and the HTTP status it is answered with. A wrong code says nothing about
 * which codes exist; an expired or used one says only that.
 */
export const ENROL_ERRORS = {
  CLOUD_ENROL_CODE_INVALID: 401,
  CLOUD_ENROL_CODE_EXPIRED: 410,
  CLOUD_ENROL_CODE_USED: 409,
  CLOUD_ENROL_RATE_LIMITED: 429,
  CLOUD_ENROL_RESIDENT_REQUIRED: 400,
  CLOUD_ENROL_RESIDENT_MISMATCH: 409,
  CLOUD_ENROL_RESIDENT_NOT_IN_STATION: 409,
  CLOUD_GATEWAY_EXISTS: 409,
  CLOUD_STATION_NOT_FOUND: 404,
  CLOUD_RESIDENT_NOT_FOUND: 404,
} as const;
export type EnrolErrorCode = keyof typeof ENROL_ERRORS;

export class EnrolmentError extends CloudError {
  readonly statusCode: number;
  constructor(
    override readonly code: EnrolErrorCode,
    message: string,
    readonly retryAfterS?: number,
  ) {
    super(code, message);
    this.statusCode = ENROL_ERRORS[code];
  }
}
