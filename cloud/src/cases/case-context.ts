import { isoTime, type Queryable } from '../db/index.ts';
import type { ResidentsRepository } from '../residents/index.ts';
import type { CaseContext } from './case-notices.ts';
import type { Case } from './cases.schemas.ts';

/** The case and its resident as the texts about it need them (inside the caller's transaction). */
export async function loadCaseContext(
  tx: Queryable,
  residents: ResidentsRepository,
  c: Pick<Case, 'id' | 'kind' | 'severity' | 'residentId' | 'openedAt'>,
  occurredAt?: string,
): Promise<CaseContext> {
  let first = occurredAt;
  if (first === undefined) {
    const { rows } = await tx.query<{ at: Date | null }>(
      'SELECT min(occurred_at) AS at FROM events WHERE case_id = $1',
      [c.id],
    );
    first = rows[0]?.at ? isoTime(rows[0].at) : c.openedAt;
  }
  return {
    occurredAt: first,
    caseId: c.id,
    kind: c.kind,
    severity: c.severity,
    residentId: c.residentId,
    resident: await residents.get(c.residentId, tx),
    openedAt: new Date(c.openedAt),
  };
}
