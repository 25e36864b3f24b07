import { type Static, Type } from '@sinclair/typebox';

/** `database` in the cloud's configuration (config.schema.ts composes it). */
export const DatabaseConfig = Type.Object(
  {
    url: Type.Optional(
      Type.String({
        pattern: '^postgres(ql)?://',
        description: 'PostgreSQL URL; when set, used instead of embedded PGlite (env DATABASE_URL)',
      }),
    ),
    dataDir: Type.String({
      minLength: 1,
      description: "PGlite data directory, or 'memory://' for an in-memory database (env ANJU_DATA_DIR)",
    }),
  },
  { additionalProperties: false },
);
export type DatabaseConfig = Static<typeof DatabaseConfig>;
