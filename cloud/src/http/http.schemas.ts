import { type TSchema, Type } from '@sinclair/typebox';

/** Every 4xx/5xx body: a stable machine `code` plus a human `message`. */
export const ErrorResponse = Type.Object(
  {
    statusCode: Type.Integer(),
    code: Type.String({ description: 'stable error code, e.g. CLOUD_CASE_NOT_FOUND' }),
    message: Type.String(),
  },
  { $id: 'ErrorResponse' },
);

/** Error responses a route may return, for its OpenAPI entry. */
export function errors(...codes: (400 | 401 | 403 | 404 | 409)[]) {
  return Object.fromEntries(codes.map((c) => [c, Type.Ref('ErrorResponse')]));
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
