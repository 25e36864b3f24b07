import type { Principal } from '../auth/index.ts';
import type { Db, Queryable } from '../db/index.ts';
import type { AuditRepository } from './audit.repository.ts';
import type { AuditOutcome, NewAuditEntry } from './audit.schemas.ts';

export function outcomeOf(status: number): AuditOutcome {
  if (status < 400) return 'ok';
  if (status === 401 || status === 403) return 'denied';
  if (status === 404) return 'not_found';
  return status < 500 ? 'rejected' : 'failed';
}

// biome-ignore lint/suspicious/noControlCharactersInRegex: finding the NUL character is the point.
const UNSTORABLE = /\u0000|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;
/** Longest id the audit log keeps of what a request named (ids are at most 64 characters by schema). */
const MAX_ID_CHARS = 128;

/**
 * An id as the audit log keeps it: what the request named, before any validation, so possibly hostile —
 * a NUL or a lone surrogate becomes U+FFFD and it is cut to 128 characters, so that the entry of a refused
 * request can always be written (issue 18: a NUL in a path id left no audit row).
 */
export function storableId<T extends string | null | undefined>(id: T): T {
  if (typeof id !== 'string') return id;
  const clean = id.replace(UNSTORABLE, '\uFFFD');
  return (clean.length > MAX_ID_CHARS ? `${clean.slice(0, MAX_ID_CHARS)}…` : clean) as T;
}

/** What a route may add to its request's entry once it knows it (e.g. the id of what it created). */
export interface AuditFields {
  action?: string;
  targetId?: string | null;
  residentId?: string | null;
  targetStationId?: string | null;
  detail?: Record<string, unknown>;
}

/**
 * The audit entry of one request. An action writes it inside its own transaction (`transaction` or
 * `writeIn`), so the change and its record commit or roll back together; everything else (reads,
 * refusals, failures) is written by `finish` once the status is known, before the response leaves —
 * a read whose entry cannot be written is answered 500, not served unrecorded.
 */
export class RequestAudit {
  readonly #entry: Omit<NewAuditEntry, 'status' | 'outcome'>;
  #writtenInTx = false;
  #finished = false;

  constructor(
    private readonly deps: { db: Db; audit: AuditRepository },
    principal: Principal,
    request: {
      id: string;
      method: string;
      route: string;
      action: string;
      targetType: string;
      targetId: string | null;
    },
  ) {
    this.#entry = {
      actor: storableId(principal.sub),
      role: principal.role,
      credential: principal.via,
      actorStationId: principal.stationId,
      action: request.action,
      targetType: request.targetType,
      targetId: storableId(request.targetId),
      residentId: null,
      targetStationId: null,
      requestId: request.id,
      method: request.method,
      route: request.route,
      detail: {},
    };
  }

  set(fields: AuditFields): void {
    const { detail, ...rest } = fields;
    for (const key of ['targetId', 'residentId', 'targetStationId'] as const) {
      if (rest[key] !== undefined) rest[key] = storableId(rest[key]);
    }
    Object.assign(this.#entry, rest);
    if (detail) this.#entry.detail = { ...this.#entry.detail, ...detail };
  }

  /** Appends the entry (outcome ok, `status`) inside the caller's transaction. */
  async writeIn(tx: Queryable, status = 200): Promise<void> {
    await this.deps.audit.append({ ...this.#entry, status, outcome: 'ok' }, tx);
    this.#writtenInTx = true;
  }

  /** Runs `fn` in a transaction that also appends this request's entry. */
  transaction<T>(fn: (tx: Queryable) => Promise<T>, status = 200): Promise<T> {
    return this.deps.db.transaction(async (tx) => {
      const out = await fn(tx);
      await this.writeIn(tx, status);
      return out;
    });
  }

  /**
   * Called once with the status answered. Writes the entry unless the action already did in its
   * transaction and succeeded (a failure after an in-transaction write is recorded as well: that
   * transaction rolled back, or something after it failed).
   */
  async finish(status: number): Promise<void> {
    if (this.#finished) return;
    this.#finished = true;
    if (this.#writtenInTx && status < 400) return;
    await this.deps.audit.append({ ...this.#entry, status, outcome: outcomeOf(status) });
  }
}
