import { Command, Option } from 'commander';
import { readBundleFolder } from './model-bundle.ts';
import type { ModelUpdate } from './models.schemas.ts';

interface PublishedModel {
  model: { name: string; version: string };
  bundleSha256: string;
  files: unknown[];
}

interface ApiOptions {
  url: string;
  token?: string;
}

/** A call to the running cloud's admin API; throws with the API's own message on a non-2xx answer. */
async function call<T>(o: ApiOptions, method: string, path: string, body?: unknown): Promise<T> {
  const url = `${o.url.replace(/\/+$/, '')}${path}`;
  const res = await fetch(url, {
    method,
    headers: {
      ...(o.token ? { authorization: `Bearer ${o.token}` } : {}),
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  }).catch((err: Error & { cause?: Error & { code?: string } }) => {
    throw new Error(`cannot reach ${o.url}: ${err.cause?.code ?? err.cause?.message ?? err.message}`);
  });
  const text = await res.text();
  let parsed: unknown = text;
  try {
    parsed = JSON.parse(text);
  } catch {}
  const err = parsed as { code?: string; message?: string } | undefined;
  if (!res.ok)
    throw new Error(`${method} ${path} → ${res.status} ${err?.code ?? ''} ${err?.message ?? text}`.trim());
  return parsed as T;
}

/** Runs an action; a failure is one line on stderr and exit code 1 (2 for a usage error), no stack trace. */
const run =
  <A extends unknown[]>(fn: (...args: A) => Promise<void>) =>
  async (...args: A) => {
    try {
      await fn(...args);
    } catch (err) {
      process.stderr.write(`anju-cloud models: ${(err as Error).message}\n`);
      process.exitCode = err instanceof UsageError ? 2 : 1;
    }
  };

class UsageError extends Error {}

const api = (cmd: Command) =>
  cmd
    .addOption(
      new Option('--url <url>', 'base URL of the cloud API')
        .env('ANJU_API_URL')
        .default('http://127.0.0.1:8080'),
    )
    .addOption(new Option('--token <token>', 'admin bearer token').env('ANJU_API_TOKEN'));

/** `anju-cloud models …`: publish a model folder, send it to gateways, see what they answered. */
export function modelsCommand(): Command {
  const models = new Command('models').description(
    'model updates for gateways: publish a bundle, deploy it to a gateway or a station, read the results',
  );

  const publish = async (dir: string, o: ApiOptions) => {
    const files = Object.fromEntries([...readBundleFolder(dir)].map(([n, b]) => [n, b.toString('base64')]));
    const m = await call<PublishedModel>(o, 'POST', '/models', { files });
    process.stdout.write(
      `${m.model.name} ${m.model.version} published: bundle sha256 ${m.bundleSha256} (${m.files.length} files)\n`,
    );
  };
  api(
    models
      .command('publish <dir>')
      .description(
        'upload a model folder in the models/<name>/ format (manifest.json, model.json, its weights, self-test.json)',
      ),
  ).action(run(publish));

  const deploy = async (
    name: string,
    version: string,
    o: ApiOptions & { gateway?: string; station?: string },
  ) => {
    if (Boolean(o.gateway) === Boolean(o.station))
      throw new UsageError('give exactly one of --gateway or --station');
    const body = o.gateway ? { gatewayId: o.gateway } : { stationId: o.station };
    const path = `/models/${encodeURIComponent(name)}/${encodeURIComponent(version)}/deploy`;
    const r = await call<{ items: { gatewayId: string; commandId: string }[] }>(o, 'POST', path, body);
    for (const u of r.items) process.stdout.write(`${u.gatewayId}\tcommand ${u.commandId}\n`);
  };
  api(
    models
      .command('deploy <name> <version>')
      .description('send model_update to one gateway (--gateway) or every gateway of a station (--station)')
      .option('--gateway <id>', 'gateway id')
      .option('--station <id>', 'station id'),
  ).action(run(deploy));

  const status = async (o: ApiOptions & { gateway?: string }) => {
    const query = o.gateway ? `?gatewayId=${encodeURIComponent(o.gateway)}` : '';
    const r = await call<{ items: ModelUpdate[] }>(o, 'GET', `/model-updates${query}`);
    for (const u of r.items) {
      const reason = u.reason ? ` (${u.reason})` : '';
      process.stdout.write(
        `${u.requestedAt}\t${u.gatewayId}\t${u.model.name} ${u.model.version}\t${u.status}${reason}\tactive ${u.activeVersion ?? '?'}\n`,
      );
    }
  };
  api(
    models
      .command('status')
      .description('model update commands and what each gateway answered, newest first')
      .option('--gateway <id>', 'only this gateway'),
  ).action(run(status));
  return models;
}
