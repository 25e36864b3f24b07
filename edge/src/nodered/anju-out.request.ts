import { type Static, Type } from '@sinclair/typebox';
import { TypeCompiler } from '@sinclair/typebox/compiler';
import { EVENT_KINDS, type EventKind, Evidence, Severity } from '../../../contracts/src/index.ts';
import { UserError } from '../errors.ts';

/** What a flow puts in `msg.payload` for the `anju out` node. */
export const AnjuOutPayload = Type.Object(
  {
    kind: Type.String(),
    severity: Severity,
    evidence: Evidence,
    /** ISO date-time or epoch ms; default: now. */
    occurredAt: Type.Optional(Type.Union([Type.String({ maxLength: 40 }), Type.Number()])),
  },
  { additionalProperties: false },
);
export type AnjuOutPayload = Static<typeof AnjuOutPayload>;

/** A validated request to raise an event through the gateway's outbox (what `raise` receives). */
export interface AnjuOutRequest {
  kind: EventKind;
  severity: Static<typeof Severity>;
  occurredAtMs: number;
  evidence: Static<typeof Evidence>;
}

/** Bad `msg.payload` for `anju out`: the node reports it with done(err), so a Catch node sees it. */
export class AnjuOutInvalidError extends UserError {
  constructor(detail: string) {
    super('EDGE_NODERED_INVALID_EVENT', `anju out: ${detail}`);
  }
}

const check = TypeCompiler.Compile(AnjuOutPayload);
const checkEvidence = TypeCompiler.Compile(Evidence);
const EVIDENCE_KEY = /^[A-Za-z][A-Za-z0-9_]{0,47}$/;
// A flow clock slightly ahead is fine; an event dated in the future is a bug in the flow.
const MAX_FUTURE_MS = 60_000;

/**
 * Checks a flow's payload against the contract and tags its evidence with where it came from
 * (`source: 'node-red'`, and `rule`: the node's name unless the flow set one), so that the cloud, and our own
 * flows listening on `home/agent/events`, can tell an installer rule from the agent's own scorers.
 */
export function parseAnjuOutPayload(
  payload: unknown,
  ctx: { nowMs: number; nodeName?: string | undefined },
): AnjuOutRequest {
  if (typeof payload !== 'object' || payload === null || Array.isArray(payload))
    throw new AnjuOutInvalidError('msg.payload must be an object { kind, severity, evidence, occurredAt? }');
  if (!check.Check(payload)) {
    const first = check.Errors(payload).First();
    throw new AnjuOutInvalidError(
      first ? `msg.payload${first.path || ''}: ${first.message}` : 'msg.payload does not match',
    );
  }
  if (!(EVENT_KINDS as readonly string[]).includes(payload.kind))
    throw new AnjuOutInvalidError(`unknown kind "${payload.kind}"; one of ${EVENT_KINDS.join(', ')}`);
  // TypeBox checks Record values but not the key pattern: check keys here, the cloud's JSON Schema does.
  const badKey = Object.keys(payload.evidence).find((k) => !EVIDENCE_KEY.test(k));
  if (badKey !== undefined)
    throw new AnjuOutInvalidError(`msg.payload.evidence key "${badKey}" must match ${EVIDENCE_KEY.source}`);
  const occurredAtMs = occurredMs(payload.occurredAt, ctx.nowMs);
  const evidence = {
    ...payload.evidence,
    source: 'node-red',
    ...(payload.evidence.rule === undefined && ctx.nodeName ? { rule: ctx.nodeName.slice(0, 200) } : {}),
  };
  if (!checkEvidence.Check(evidence))
    throw new AnjuOutInvalidError(
      'msg.payload.evidence has too many keys (at most 22 besides source and rule)',
    );
  return { kind: payload.kind as EventKind, severity: payload.severity, occurredAtMs, evidence };
}

function occurredMs(value: string | number | undefined, nowMs: number): number {
  if (value === undefined) return nowMs;
  const ms = typeof value === 'number' ? value : Date.parse(value);
  if (!Number.isFinite(ms) || ms <= 0)
    throw new AnjuOutInvalidError(`msg.payload.occurredAt "${String(value)}" is not a date`);
  if (ms > nowMs + MAX_FUTURE_MS)
    throw new AnjuOutInvalidError(`msg.payload.occurredAt ${new Date(ms).toISOString()} is in the future`);
  return ms;
}
