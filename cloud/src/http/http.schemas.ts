import { type TSchema, Type } from '@sinclair/typebox';
import { ERROR_CODES, type ErrorCode } from '../errors.ts';

/** Codes answered with an HTTP status (errors.ts lists them all, with their statuses). */
export const HTTP_ERROR_CODES = (Object.keys(ERROR_CODES) as ErrorCode[]).filter(
  (c) => ERROR_CODES[c].http.length > 0,
);

/** Every 4xx/5xx body: a stable machine `code` plus a human `message`. */
export const ErrorResponse = Type.Object(
  {
    statusCode: Type.Integer(),
    code: Type.String({ enum: HTTP_ERROR_CODES, description: 'stable error code (cloud/src/errors.ts)' }),
    message: Type.String(),
  },
  {
    $id: 'ErrorResponse',
    examples: [{ statusCode: 404, code: 'CLOUD_CASE_NOT_FOUND', message: 'case 0b9c8f7e not found' }],
  },
);

/**
 * The response schema of one error status of one route: the codes it may answer, as an enum, each
 * explained in the description, with an example. (`enum` documents; the serializer does not check it,
 * so a code missing here is a documentation bug that tests/survey/openapi.test.ts finds, not a 500.)
 */
export function errorResponse(status: number, codes: readonly string[]) {
  const known = codes.filter((c): c is ErrorCode => c in ERROR_CODES);
  return Type.Object(
    {
      statusCode: Type.Integer({ enum: [status] }),
      // An empty enum is an invalid schema (the route would not start): undocumented stays a plain string.
      code: codes.length > 0 ? Type.String({ enum: [...codes] }) : Type.String(),
      message: Type.String(),
    },
    {
      description: known.map((c) => `${c}: ${ERROR_CODES[c].description}`).join('; ') || 'error',
      examples: codes.map((code) => ({
        statusCode: status,
        code,
        message: code in ERROR_CODES ? ERROR_CODES[code as ErrorCode].description : code,
      })),
    },
  );
}

type LegacyStatus = 400 | 401 | 403 | 404 | 409;

/**
 * Error responses a route may return, for its OpenAPI entry, by code: `errors('CLOUD_CASE_NOT_FOUND',
 * 'CLOUD_CASE_TRANSITION_ILLEGAL')`. A code answered with more than one status names the one this route
 * uses: `[409, 'CLOUD_STATION_NOT_FOUND']`. The codes every route may answer (validation, auth, 500) are
 * added by http-server.ts; a bare status (the older form) adds nothing of its own.
 */
export function errors(...items: (ErrorCode | readonly [number, ErrorCode] | LegacyStatus)[]) {
  const byStatus = new Map<number, string[]>();
  const add = (status: number, code?: string) => {
    const list = byStatus.get(status) ?? [];
    if (code && !list.includes(code)) list.push(code);
    byStatus.set(status, list);
  };
  for (const item of items) {
    if (typeof item === 'number') {
      // 400 and 401 are filled in for every route; others without a code stay visible as undocumented.
      if (item !== 400 && item !== 401) add(item);
    } else if (typeof item === 'string') {
      const statuses = ERROR_CODES[item].http as readonly number[];
      if (statuses.length !== 1)
        throw new Error(`errors(): ${item} has statuses ${statuses}; pass [status, code]`);
      add(statuses[0]!, item);
    } else {
      add(item[0], item[1]);
    }
  }
  return Object.fromEntries([...byStatus].map(([status, codes]) => [status, errorResponse(status, codes)]));
}

/** Whether a response schema was built by `errorResponse` (its `code` is an enum). */
export const isErrorSchema = (schema: unknown) =>
  Array.isArray(
    (schema as { properties?: { statusCode?: { enum?: unknown } } })?.properties?.statusCode?.enum,
  );

/** The codes an error response schema built by `errorResponse` documents (empty for other schemas). */
export function documentedCodes(schema: unknown): string[] {
  return isErrorSchema(schema)
    ? ((schema as { properties: { code: { enum?: string[] } } }).properties.code.enum ?? [])
    : [];
}

export const IdParams = Type.Object({ id: Type.String({ minLength: 1, maxLength: 64 }) });

/**
 * A contract schema without its `$id`, for embedding in route schemas: Ajv refuses a document in which one
 * `$id` appears twice (e.g. EventKind inside Case and inside CaseDetail).
 */
export function embed<S extends TSchema>(schema: S): S {
  const { $id: _id, ...rest } = schema;
  return rest as S;
}
