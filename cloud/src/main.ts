import { Command, InvalidArgumentError } from 'commander';
import { startCloud } from './app.ts';
import { type MintOptions, mintToken } from './auth/index.ts';
import type { CloudConfig } from './config/index.ts';
import {
  CLIENT_ID_PATTERN,
  ConfigError,
  type DeepPartial,
  loadConfig,
  readConfigFile,
  resolveLimits,
} from './config/index.ts';
import { migrate, openDb } from './db/index.ts';
import { UserError } from './errors.ts';
import { createGatewaysRepository } from './gateways/index.ts';
import { createLogger } from './log/logger.ts';
import { modelsCommand } from './models/models.command.ts';
import { consumerUserNames } from './mqtt/consumer-users.ts';
import {
  BIND_CLIENT_IDS_TO_USERS,
  renderMosquittoConfig,
  writeMosquittoConfig,
} from './mqtt/mosquitto-config.ts';

interface CommonOptions {
  config?: string;
  dataDir?: string;
}
interface ServeOptions extends CommonOptions {
  httpPort?: number;
  mqttPort?: number;
}

function port(value: string): number {
  const n = Number(value);
  if (!/^\d+$/.test(value) || n > 65535) throw new InvalidArgumentError('expected a port number 0-65535');
  return n;
}

async function resolveConfig(opts: ServeOptions): Promise<Readonly<CloudConfig>> {
  const overrides: DeepPartial<CloudConfig> = {};
  if (opts.httpPort !== undefined) overrides.http = { port: opts.httpPort };
  if (opts.mqttPort !== undefined) overrides.mqtt = { port: opts.mqttPort };
  if (opts.dataDir !== undefined) overrides.database = { dataDir: opts.dataDir };
  const file = opts.config ? await readConfigFile(opts.config) : undefined;
  return loadConfig({ file, env: process.env, overrides });
}

async function serve(opts: ServeOptions): Promise<void> {
  const config = await resolveConfig(opts);
  const log = createLogger(config.logLevel);
  const cloud = await startCloud(config, { logger: log });
  let stopping = false;
  const stop = (signal: NodeJS.Signals) => {
    if (stopping) {
      log.warn({ signal }, 'second signal: exiting now');
      process.exit(1);
    }
    stopping = true;
    log.info({ signal }, 'shutting down');
    cloud
      .close()
      .then(() => {
        process.exitCode = 0;
        log.flush();
        // Everything is closed, so the event loop should empty by itself; this is the safety net.
        setTimeout(() => process.exit(0), 2_000).unref();
      })
      .catch((err: unknown) => {
        log.error({ err }, 'shutdown failed');
        process.exit(1);
      });
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

async function runMigrations(opts: CommonOptions): Promise<void> {
  const config = await resolveConfig(opts);
  const log = createLogger(config.logLevel);
  const db = await openDb(config.database);
  try {
    const applied = await migrate(db);
    log.info({ db: db.kind, applied }, applied.length > 0 ? 'migrations applied' : 'schema up to date');
  } finally {
    await db.close();
  }
}

interface MosquittoConfigOptions extends CommonOptions {
  out: string;
  cloudClientIds?: string[];
}

/** `--cloud-client-ids cloud-1,cloud-2`: every cloud process's mqtt.clientId, each once. */
function clientIdList(value: string): string[] {
  const ids = value.split(',').map((s) => s.trim());
  const bad = ids.filter((id) => !new RegExp(CLIENT_ID_PATTERN).test(id));
  if (bad.length > 0)
    throw new InvalidArgumentError(`not a client id: ${bad.map((b) => `"${b}"`).join(', ')}`);
  if (new Set(ids).size !== ids.length) throw new InvalidArgumentError('a client id is listed twice');
  return ids;
}

/** Writes Mosquitto's password file and ACL from the gateways table (external-broker mode). */
async function mosquittoConfig(opts: MosquittoConfigOptions): Promise<void> {
  const config = await resolveConfig(opts);
  if (!config.mqtt.password) {
    throw new ConfigError([
      "mqtt.password: needed for the cloud's own entry in the password file (env ANJU_MQTT_PASSWORD)",
    ]);
  }
  const clientIds = opts.cloudClientIds ?? (config.mqtt.clientId ? [config.mqtt.clientId] : []);
  if (clientIds.length === 0) {
    throw new ConfigError([
      "mqtt.clientId: needed for the cloud consumers' broker users (env ANJU_MQTT_CLIENT_ID), or list every process's with --cloud-client-ids",
    ]);
  }
  const consumerUsers = consumerUserNames(clientIds, config.mqtt.consumers ?? 4);
  const db = await openDb(config.database);
  try {
    await migrate(db);
    const gateways = await createGatewaysRepository(db).secretHashes();
    const files = await renderMosquittoConfig({
      gateways,
      consumerUsers,
      cloudPassword: config.mqtt.password,
      maxPayloadBytes: resolveLimits(config.limits).mqttMaxPayloadBytes,
    });
    const written = await writeMosquittoConfig(opts.out, files);
    process.stdout.write(
      `mosquitto-config: ${gateways.length - files.skipped.length} gateways and ${consumerUsers.length} cloud consumer users (${consumerUsers[0]} … ${consumerUsers.at(-1)}) in ${written.passwordFile}\n` +
        `mosquitto-config: ACL in ${written.aclFile}, limits in ${written.limitsFile}; include_dir ${opts.out} from mosquitto.conf, then kill -HUP the broker\n` +
        `mosquitto-config: mosquitto.conf must have "${BIND_CLIENT_IDS_TO_USERS}" under every listener (read at start only)\n`,
    );
    if (files.skipped.length > 0) {
      process.stderr.write(
        `mosquitto-config: ${files.skipped.length} gateways left out, their secret hashes predate Mosquitto's format ` +
          `(re-register them for a new secret): ${files.skipped.slice(0, 20).join(', ')}${files.skipped.length > 20 ? ', …' : ''}\n`,
      );
    }
  } finally {
    await db.close();
  }
}

interface TokenOptions extends CommonOptions, MintOptions {}

/** Prints a token on stdout (and what it is for on stderr, so `$(anju-cloud token …)` gets only the token). */
async function printToken(opts: TokenOptions): Promise<void> {
  const config = await resolveConfig(opts);
  const minted = mintToken(config, opts);
  process.stdout.write(`${minted.token}\n`);
  const where = opts.station
    ? ` at station ${opts.station}`
    : opts.guardian
      ? ` for guardian ${opts.guardian}`
      : '';
  process.stderr.write(
    `${minted.role} token for ${opts.sub}${where}, expires ${minted.expiresAt.toISOString()}\n`,
  );
}

export function buildCli(): Command {
  const program = new Command('anju-cloud')
    .description(
      'Anju (安居) cloud service: MQTT ingest of gateway events, cases, guardian notifications and a REST API.',
    )
    .showHelpAfterError();

  const common = (cmd: Command) =>
    cmd
      .option('-c, --config <file>', 'YAML or JSON config file (env vars override it, flags override both)')
      .option('--data-dir <dir>', "PGlite data directory, or 'memory://' (ignored when DATABASE_URL is set)");

  common(
    program
      .command('serve')
      .description('start the HTTP API and the MQTT broker; SIGINT/SIGTERM stop it cleanly')
      .option('--http-port <n>', 'HTTP port, 0 = any free port (default 8080)', port)
      .option('--mqtt-port <n>', 'MQTT port, 0 = any free port (default 1884)', port),
  ).action((opts: ServeOptions) => serve(opts));

  common(program.command('migrate').description('apply pending database migrations and exit')).action(
    (opts: CommonOptions) => runMigrations(opts),
  );

  program.addCommand(modelsCommand());

  common(
    program
      .command('mosquitto-config')
      .description(
        "write Mosquitto's password file and ACL for every registered gateway (external-broker mode) and exit",
      )
      .requiredOption(
        '--out <dir>',
        'directory for passwords, acl, anju-auth.conf and anju-limits.conf (created if missing)',
      )
      .option(
        '--cloud-client-ids <ids>',
        "every cloud process's mqtt.clientId, comma-separated (default: this config's mqtt.clientId)",
        clientIdList,
      )
      .addHelpText(
        'after',
        `
Each cloud process's consumer sessions <clientId>-0 … <clientId>-<mqtt.consumers - 1> (default 4) are
broker users with mqtt.password (env ANJU_MQTT_PASSWORD); a gateway id equal to one of them is refused.
mosquitto.conf needs "${BIND_CLIENT_IDS_TO_USERS}" under every listener (client id = user name).
Mosquitto re-reads the files on SIGHUP: run this after registering gateways, then kill -HUP the broker.
Exit codes: 0 written, 1 failure (database, files), 2 invalid configuration.
Example:
  DATABASE_URL=postgres://… ANJU_MQTT_PASSWORD=… anju-cloud mosquitto-config --out /etc/mosquitto/anju \\
    --cloud-client-ids cloud-1,cloud-2`,
      ),
  ).action((opts: MosquittoConfigOptions) => mosquittoConfig(opts));
  program
    .command('token')
    .description('mint a signed API token (JWT, HS256 with auth.jwtSecret) for one person and print it')
    .requiredOption('--role <role>', 'admin | desk | worker | supervisor | guardian')
    .requiredOption('--sub <id>', "who it is: a worker's id for workers, an account name otherwise")
    .option('--station <id>', 'the station of a desk, worker or supervisor (required for them)')
    .option('--guardian <id>', 'the guardian record a guardian token speaks for (required for guardians)')
    .option('--ttl <duration>', 'lifetime: 90s, 30m, 8h, 7d (at most auth.maxTtlS, default 30 days)', '8h')
    .option('-c, --config <file>', 'YAML or JSON config file with the auth block (or env ANJU_JWT_SECRET)')
    .addHelpText(
      'after',
      `
The token goes to stdout, a summary to stderr. Roles (cloud/README.md "Roles and audit"):
  admin       every station; stations, workers, the whole audit log
  supervisor  their station: what the desk does, plus workers and the station's audit log
  desk        their station: residents, guardians, gateways, cases, rosters, texts, figures
  worker      their station's residents and cases; moves only cases assigned to them
  guardian    the cases of the one resident they guard (/guardian/cases)

Examples:
  ANJU_JWT_SECRET=… anju-cloud token --role desk --station jingan --sub desk-li --ttl 12h
  anju-cloud token -c cloud.yaml --role worker --station jingan --sub w-zhang
  anju-cloud token -c cloud.yaml --role guardian --sub daughter-wang --guardian <guardian id> --ttl 30d`,
    )
    .action((opts: TokenOptions) => printToken(opts));

  program.addHelpText(
    'after',
    `
Environment overrides: ANJU_HTTP_HOST, ANJU_HTTP_PORT, ANJU_MQTT_HOST, ANJU_MQTT_PORT, DATABASE_URL,
ANJU_DATA_DIR, ANJU_API_TOKEN, ANJU_JWT_SECRET, ANJU_JWT_ISSUER, ANJU_JWT_AUDIENCE, LOG_LEVEL; external broker (mqtt.mode external): ANJU_MQTT_MODE,
ANJU_MQTT_URL, ANJU_MQTT_USERNAME, ANJU_MQTT_PASSWORD, ANJU_MQTT_CLIENT_ID, ANJU_MQTT_SHARED_GROUP,
ANJU_MQTT_CONSUMERS.

Examples:
  anju-cloud serve --data-dir ./.data/cloud-db
  DATABASE_URL=postgres://postgres@127.0.0.1/anju anju-cloud migrate
  anju-cloud models publish models/fall --url https://cloud.example --token "$ANJU_API_TOKEN"
  anju-cloud models deploy fall-model 2.0.1 --station st-jingan
  anju-cloud token --role desk --station jingan --sub desk-li --ttl 8h`,
  );
  return program;
}

export async function main(argv: readonly string[] = process.argv): Promise<void> {
  try {
    await buildCli().parseAsync([...argv]);
  } catch (err) {
    if (err instanceof ConfigError || (err instanceof UserError && err.code.startsWith('CLOUD_TOKEN_'))) {
      process.stderr.write(`anju-cloud: ${err.message}\n`);
      process.exitCode = 2;
      return;
    }
    if (err instanceof UserError) {
      process.stderr.write(`anju-cloud: ${err.message}\n`);
      process.exitCode = 1;
      return;
    }
    process.stderr.write(`anju-cloud: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    process.exitCode = 1;
  }
}
