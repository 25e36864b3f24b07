/**
 * Every error code the cloud service uses, in one list: what it means and the HTTP statuses it is
 * answered with (none: it never leaves the process as an HTTP answer; it is logged or stored). Codes are
 * stable — clients and dashboards match on them — so a code is added here, never renamed. The OpenAPI
 * document lists them (http.schemas.ts `errors`), and tests/survey/openapi.test.ts fails when a code
 * used in cloud/src is missing here or a route answers a code its entry does not document.
 */
export const ERROR_CODES = {
  // any route
  CLOUD_VALIDATION_FAILED: {
    http: [400],
    description: 'a path parameter, query or body does not match its schema',
  },
  CLOUD_BAD_REQUEST: { http: [400], description: 'the request could not be read (e.g. malformed JSON)' },
  CLOUD_BAD_TEXT: {
    http: [400],
    description:
      'a path parameter, query, header or body has text the database cannot store (a NUL character, a lone surrogate)',
  },
  CLOUD_BODY_TOO_LARGE: { http: [413], description: 'the body is over the limit (64 KiB)' },
  CLOUD_HEADERS_TOO_LARGE: {
    http: [431],
    description: 'the request line and headers are over 16 KiB (e.g. a path far longer than any id)',
  },
  CLOUD_REQUEST_TIMEOUT: { http: [408], description: 'the request was not sent in time' },
  CLOUD_UNSUPPORTED_MEDIA_TYPE: {
    http: [415],
    description: 'the body is not in a content type the route reads',
  },
  CLOUD_AUTH_MISSING_TOKEN: { http: [401], description: 'no Authorization: Bearer header' },
  CLOUD_AUTH_INVALID_TOKEN: { http: [401], description: 'the bearer token is not valid' },
  CLOUD_AUTH_TOKEN_EXPIRED: { http: [401], description: 'the token has expired' },
  CLOUD_AUTH_TOKEN_NOT_YET_VALID: {
    http: [401],
    description: 'the token is not valid yet (nbf/iat in the future)',
  },
  CLOUD_AUTH_TOKEN_WRONG_AUDIENCE: { http: [401], description: 'the token was issued for another audience' },
  CLOUD_AUTH_TOKEN_WRONG_ISSUER: { http: [401], description: 'the token was issued by someone else' },
  CLOUD_AUTH_TOKEN_CLAIMS: { http: [401], description: "the token's claims are missing or malformed" },
  CLOUD_AUTH_ROLE_FORBIDDEN: { http: [403], description: "the token's role may not call this route" },
  CLOUD_AUTH_ACTOR_MISMATCH: { http: [403], description: 'the actor named in the body is not the caller' },
  CLOUD_ROUTE_NOT_FOUND: { http: [404], description: 'no such route' },
  CLOUD_INTERNAL: {
    http: [500],
    description: 'a bug or an outage; details are in the log, never in the answer',
  },
  CLOUD_DB_UNAVAILABLE: {
    http: [503],
    description: 'the database is down or restarting; retry after the seconds in retry-after',
  },
  // registry
  CLOUD_RESIDENT_NOT_FOUND: { http: [404], description: 'no resident with that id' },
  CLOUD_GATEWAY_NOT_FOUND: { http: [404], description: 'no gateway with that id' },
  CLOUD_GATEWAY_EXISTS: { http: [409], description: 'a gateway with that id is already registered' },
  // supervision (issue 16)
  CLOUD_VITALS_LIMITS_NOT_SET: {
    http: [404],
    description: 'the desk has set no vital-sign limits for that resident',
  },
  CLOUD_VITALS_LIMITS_INVALID: {
    http: [400],
    description: 'heartRateLow must be below heartRateHigh',
  },
  CLOUD_MAINTENANCE_INVALID: {
    http: [400],
    description: 'a planned outage must end in the future, at most 30 days ahead',
  },
  CLOUD_STATION_NOT_FOUND: {
    http: [404, 409],
    description: 'no station with that id (409 when another record names it)',
  },
  CLOUD_STATION_EXISTS: { http: [409], description: 'a station with that id exists' },
  CLOUD_WORKER_NOT_FOUND: { http: [404], description: 'no worker with that id' },
  CLOUD_WORKER_EXISTS: { http: [409], description: 'a worker with that id exists' },
  // cases
  CLOUD_CASE_NOT_FOUND: { http: [404], description: 'no case with that id' },
  CLOUD_CASE_NOT_OPEN: { http: [409], description: 'the case no longer waits for an acknowledgement' },
  CLOUD_CASE_TRANSITION_ILLEGAL: {
    http: [409],
    description: 'the lifecycle has no such step from the current state',
  },
  CLOUD_CASE_ACTOR_NOT_ALLOWED: { http: [409], description: 'this kind of actor may not make that step' },
  CLOUD_CASE_NOT_ASSIGNEE: { http: [409], description: 'the case is with another worker' },
  CLOUD_CASE_NO_WORKER: { http: [409], description: 'no worker could be found to dispatch the case to' },
  CLOUD_NOTIFICATIONS_CASE_REQUIRED: {
    http: [400],
    description: 'a station user must name the case (?caseId=)',
  },
  CLOUD_QUALITY_BAD_PERIOD: { http: [400], description: '`from` is not before `to`' },
  // models
  CLOUD_MODEL_BUNDLE_INVALID: {
    http: [400],
    description: 'the model bundle is malformed or fails its checks',
  },
  CLOUD_MODEL_NOT_FOUND: { http: [404], description: 'no such model, version or file' },
  CLOUD_MODEL_VERSION_EXISTS: { http: [409], description: 'that model version is already published' },
  CLOUD_MODEL_NOT_SENT: { http: [403], description: 'this gateway was not sent that model' },
  CLOUD_GATEWAY_AUTH_FAILED: { http: [401], description: "the gateway's credentials are wrong" },
  // gateway enrolment (enrolment/enrolment.errors.ts gives each its status)
  CLOUD_ENROL_CODE_INVALID: {
    http: [401],
    description: 'no such enrolment code (says nothing about which exist)',
  },
  CLOUD_ENROL_CODE_EXPIRED: { http: [410], description: 'the enrolment code has expired' },
  CLOUD_ENROL_CODE_USED: { http: [409], description: 'the enrolment code has been used' },
  CLOUD_ENROL_RATE_LIMITED: {
    http: [429],
    description: 'too many failed enrolments from this address; retry later',
  },
  CLOUD_ENROL_RESIDENT_REQUIRED: { http: [400], description: 'the code is for a station: name the resident' },
  CLOUD_ENROL_RESIDENT_MISMATCH: { http: [409], description: 'the code was made for another resident' },
  CLOUD_ENROL_RESIDENT_NOT_IN_STATION: {
    http: [409],
    description: "the resident is not of the code's station",
  },
  CLOUD_RATE_LIMITED: { http: [429], description: 'too many requests from this API client; retry later' },
  // SMS provider webhooks
  CLOUD_SMS_BAD_SIGNATURE: { http: [403], description: 'X-Twilio-Signature does not match the request' },
  CLOUD_SMS_BAD_TOKEN: { http: [403], description: 'the push URL token is wrong' },
  CLOUD_SMS_WEBHOOK_INVALID: {
    http: [400],
    description: "the provider's request is not in its documented shape",
  },
  // web console (console/)
  CLOUD_CONSOLE_LOGIN_FAILED: { http: [401], description: 'wrong user name or password' },
  CLOUD_CONSOLE_LOCKED: {
    http: [429],
    description: 'too many wrong passwords for this account; retry after the seconds in retry-after',
  },
  CLOUD_CONSOLE_SESSION_INVALID: { http: [401], description: 'the console session has ended or is unknown' },
  CLOUD_CONSOLE_CSRF: {
    http: [403],
    description: 'a console request that changes data lacks its session CSRF token (X-CSRF-Token)',
  },
  CLOUD_CONSOLE_USER_EXISTS: { http: [409], description: 'a console user with that name exists' },
  CLOUD_CONSOLE_USER_NOT_FOUND: { http: [404], description: 'no console user with that name' },
  CLOUD_CONSOLE_BAD_ACCOUNT: {
    http: [400],
    description: 'the account does not fit its role (station, worker record or password length)',
  },
  CLOUD_CONSOLE_LINK_INVALID: {
    http: [401],
    description: 'the case link is malformed or its signature does not match',
  },
  CLOUD_CONSOLE_LINK_EXPIRED: { http: [401], description: 'the case link has expired' },
  CLOUD_CONSOLE_NOT_EVENT_STREAM: {
    http: [406],
    description: 'the live stream is Server-Sent Events: send Accept: text/event-stream',
  },
  CLOUD_REFERRAL_TARGET: {
    http: [400],
    description: 'a referral names exactly one of toStationId or agency',
  },
  CLOUD_COMPLAINT_NOT_FOUND: { http: [404], description: 'no complaint with that id' },
  CLOUD_COMPLAINT_NO_PHONE: {
    http: [409],
    description: 'the complaint has no phone to text the reply to (set complainantPhone)',
  },
  // inside the process (logs, notifications.error)
  CLOUD_CONFIG_INVALID: { http: [], description: 'the configuration is invalid (start-up; exit code 2)' },
  CLOUD_INGEST_DB_FAILURE: { http: [], description: 'an MQTT message could not be committed; no PUBACK' },
  CLOUD_TOKEN_BAD_TTL: { http: [], description: 'anju-cloud token --ttl is not like 90s, 30m, 8h, 7d' },
  CLOUD_TOKEN_BAD_ROLE: { http: [], description: 'anju-cloud token --role names no role' },
  CLOUD_TOKEN_BAD_SUBJECT: { http: [], description: 'anju-cloud token: the subject does not fit the role' },
  CLOUD_MOSQUITTO_USER_CLASH: {
    http: [],
    description: "a gateway id is a cloud consumer's broker user name, <clientId>-<n> (mosquitto-config)",
  },
  CLOUD_NOTIFIER_UNKNOWN: { http: [], description: 'a notification names a channel nobody registered' },
  CLOUD_SMS_RETRYABLE: { http: [], description: 'the SMS provider refused for now (throttled, unavailable)' },
  CLOUD_SMS_REJECTED: { http: [], description: 'the SMS provider refused the text for good' },
} as const satisfies Record<string, { http: readonly number[]; description: string }>;

export type ErrorCode = keyof typeof ERROR_CODES;

export const isErrorCode = (c: unknown): c is ErrorCode => typeof c === 'string' && c in ERROR_CODES;

/**
 * Error taxonomy of the cloud service (STYLE §3.6): every error that crosses a boundary carries a stable
 * `code` and a human message. `UserError` → 4xx (logged at info), `OperationalError` → retryable
 * (DB blip, broker down; logged at warn), anything else is a bug.
 */
export class CloudError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    options?: ErrorOptions,
  ) {
    super(message, options);
    this.name = new.target.name;
  }
}

/** A bad request or bad config: the caller can fix it. `statusCode` is what the HTTP API answers. */
export class UserError extends CloudError {
  constructor(
    code: ErrorCode,
    message: string,
    readonly statusCode: 400 | 401 | 403 | 404 | 409 | 422 = 400,
    options?: ErrorOptions,
  ) {
    super(code, message, options);
  }
}

/** Something outside us failed (database, network); retrying later may succeed. */
export class OperationalError extends CloudError {}

export class NotFoundError extends UserError {
  constructor(code: ErrorCode, message: string) {
    super(code, message, 404);
  }
}

export class ConflictError extends UserError {
  constructor(code: ErrorCode, message: string) {
    super(code, message, 409);
  }
}
