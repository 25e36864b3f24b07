/**
 * Each generated dashboard validates against Grafana's dashboard schema. No machine-readable (JSON Schema)
 * dashboard schema ships on npm: @grafana/schema and @grafana/grafana-foundation-sdk carry it as
 * TypeScript types generated from Grafana's CUE kind. So the JSON Schema is derived here, at test time,
 * from the SDK's `Dashboard` type (dist/dashboard/types.gen.d.ts) with ts-json-schema-generator, and the
 * files are validated with Ajv. One patch: the SDK types a panel target as an opaque `cog.Dataquery`
 * variant; it is replaced by Grafana's common DataQuery (refId required, datasource-specific keys open).
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { Ajv } from 'ajv';
import { createGenerator } from 'ts-json-schema-generator';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildDashboards } from '../../dashboards/src/index.ts';

const require = createRequire(import.meta.url);
const sdkDir = dirname(require.resolve('@grafana/grafana-foundation-sdk/dashboard'));
const generatedDir = new URL('../../dashboards/generated/', import.meta.url);

function dashboardSchema(): Record<string, any> {
  const schema = createGenerator({
    path: join(sdkDir, 'types.gen.d.ts'),
    type: 'Dashboard',
    skipTypeCheck: true,
  }).createSchema('Dashboard') as Record<string, any>;
  schema.definitions.Dataquery = {
    type: 'object',
    required: ['refId'],
    properties: {
      refId: { type: 'string', minLength: 1 },
      hide: { type: 'boolean' },
      queryType: { type: 'string' },
      datasource: { $ref: '#/definitions/DataSourceRef' },
    },
    additionalProperties: true,
  };
  return schema;
}

describe('generated dashboards', () => {
  let validate: ReturnType<Ajv['compile']>;
  beforeAll(() => {
    const ajv = new Ajv({ allErrors: true, strict: false });
    validate = ajv.compile(dashboardSchema());
  }, 60_000);

  it.each(buildDashboards().map((b) => b.file))('%s validates against the Dashboard schema', (file) => {
    const json = JSON.parse(readFileSync(new URL(file, generatedDir), 'utf8'));
    const ok = validate(json);
    expect(validate.errors ?? [], file).toEqual([]);
    expect(ok).toBe(true);
    // Datasources are referenced by the provisioned uids only.
    const uids = new Set(
      (json.panels as any[]).flatMap((p) => (p.targets ?? []).map((t: any) => t.datasource?.uid)),
    );
    expect([...uids].every((u) => u === 'anju-influx' || u === 'anju-postgres')).toBe(true);
  });

  it('the schema bites: a misplaced or mistyped key fails', () => {
    const json = JSON.parse(readFileSync(new URL('duty-desk.json', generatedDir), 'utf8'));
    expect(validate({ ...json, refresh: 10 })).toBe(false);
    expect(validate({ ...json, panels: [{ ...json.panels[0], gridPos: { x: 'left' } }] })).toBe(false);
    expect(validate({ ...json, panels: [{ ...json.panels[0], targets: [{ rawSql: 'SELECT 1' }] }] })).toBe(
      false,
    );
    expect(validate({ ...json, bogus: true })).toBe(false);
  });

  it('duty desk refreshes every 10 s; resident has a resident variable', () => {
    const [duty, resident] = buildDashboards();
    expect(duty?.dashboard.refresh).toBe('10s');
    expect(resident?.dashboard.templating?.list?.map((v) => v.name)).toEqual(['resident', 'console_url']);
  });
});
