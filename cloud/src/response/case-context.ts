import type { Case, CasesRepository } from '../cases/index.ts';
import type { Queryable } from '../db/index.ts';
import type { ResidentsRepository } from '../residents/index.ts';
import type { CaseContext } from './case-notices.ts';

/** The case and its resident as the texts about it need them (inside the caller's transaction). */
export async function loadCaseContext(
  tx: Queryable,
  repos: { cases: CasesRepository; residents: ResidentsRepository },
  c: Pick<Case, 'id' | 'kind' | 'severity' | 'residentId' | 'openedAt'>,
  occurredAt?: string,
): Promise<CaseContext> {
  const first = occurredAt ?? (await repos.cases.firstOccurredAt(tx, c.id)) ?? c.openedAt;
  return {
    occurredAt: first,
    caseId: c.id,
    kind: c.kind,
    severity: c.severity,
    residentId: c.residentId,
    resident: await repos.residents.get(c.residentId, tx),
    openedAt: new Date(c.openedAt),
  };
}
