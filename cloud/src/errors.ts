/**
 * Error taxonomy of the cloud service (STYLE §3.6): every error that crosses a boundary carries a stable
 * `code` and a human message. `UserError` → 4xx (logged at info), `OperationalError` → retryable
 * (DB blip, broker down; logged at warn), anything else is a bug.
 */
export class CloudError extends Error {
  constructor(
    readonly code: string,
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
    code: string,
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
  constructor(code: string, message: string) {
    super(code, message, 404);
  }
}

export class ConflictError extends UserError {
  constructor(code: string, message: string) {
    super(code, message, 409);
  }
}
