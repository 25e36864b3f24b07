import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import type { Command } from 'commander';
import { Document, type Node, parse as parseYaml } from 'yaml';
import { editConfigFile, writeValidated } from '../config/config-document.ts';
import { CREDENTIALS_MODE, writeCredentials } from '../config/credentials.ts';
import { ConfigError, validateGatewayConfig } from '../config/load-config.ts';
import { DEFAULT_CONFIG_FILE } from './config-path.ts';
import { type Enrolment, enrolWithCloud, ResidentRequired } from './enrol-client.ts';
import { EXIT, exitHelp } from './exit-codes.ts';
import { CliExit } from './local-agent.ts';
import { type Ask, requireValue, terminalPrompter } from './prompt.ts';

const DEFAULT_DATA_DIR = '/var/lib/anju';
const ID = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/;

interface InitOptions {
  cloudUrl?: string;
  code?: string;
  gatewayName?: string;
  resident?: string;
  dataDir?: string;
  config: string;
  credentials?: string;
  localPort?: number;
  force?: boolean;
  timeoutS: number;
}

/** Whether the config file already names an enrolled gateway (a half-written file does not count). */
function enrolledConfig(file: string): string | undefined {
  try {
    const id = (parseYaml(readFileSync(file, 'utf8')) as { gatewayId?: unknown } | null)?.gatewayId;
    return typeof id === 'string' ? id : undefined;
  } catch {
    return undefined;
  }
}

/** A fresh config: only what init knows, with comments saying where the rest comes from. */
function newConfigText(o: {
  enrolment: Enrolment;
  dataDir: string;
  secretFile: string;
  localPort: number | undefined;
}): string {
  const doc = new Document({
    gatewayId: o.enrolment.gatewayId,
    residentId: o.enrolment.residentId,
    dataDir: o.dataDir,
    ...(o.localPort === undefined ? {} : { localBroker: { port: o.localPort } }),
    cloud: { url: o.enrolment.mqttUrl, secretFile: o.secretFile },
    devices: [],
    cameras: [],
  });
  doc.commentBefore =
    ` Anju gateway config, written by \`anju-gw init\` at ${new Date().toISOString()}.\n` +
    ' Edit freely: `anju-gw pair` and `anju-gw cameras` keep comments and order. The agent checks it at\n' +
    ' start (`anju-gw run -c <this file>`); README "Configuration" lists every key.';
  (doc.getIn(['cloud', 'secretFile'], true) as Node).comment =
    ' the MQTT password (mode 0600), from the enrolment';
  (doc.get('devices', true) as Node).comment = ' meters and sensors: `anju-gw pair meter`';
  (doc.get('cameras', true) as Node).comment =
    ' `anju-gw pair camera`; privacy switch: `anju-gw cameras off <room>`';
  return doc.toString();
}

export function registerInit(program: Command, localPort: (v: string) => number): void {
  program
    .command('init')
    .description(
      'enrol this gateway with the cloud using a one-time code from the duty desk, and write its config',
    )
    .option('--cloud-url <url>', 'the cloud API, e.g. https://anju.example.org (asked when missing)')
    .option(
      '--code <code>',
      'one-time enrolment code from the duty desk, e.g. 7KQM-4XPD-2RJC (asked when missing)',
    )
    .option(
      '--gateway-name <id>',
      'gateway id to register (letters, digits, _.-); default: chosen by the cloud',
    )
    .option('--resident <id>', 'the resident this gateway serves, when the code was made for a station only')
    .option('--data-dir <dir>', `where the outbox and state live (default ${DEFAULT_DATA_DIR})`)
    .option('-c, --config <file>', 'config file to write (env ANJU_CONFIG)', DEFAULT_CONFIG_FILE)
    .option(
      '--credentials <file>',
      'credentials file to write, mode 0600 (default: credentials.yaml beside the config)',
    )
    .option('--local-port <port>', 'port of the local broker (default 1885)', localPort)
    .option('--force', 'enrol again although this gateway is enrolled (replaces its credentials)')
    .option('--timeout-s <s>', 'how long to wait for the cloud', Number, 15)
    .addHelpText(
      'after',
      '\nWith a terminal, a missing --cloud-url, --code, --data-dir or --gateway-name is asked for (中文/English);\n' +
        'without one (scripts), --cloud-url and --code are required.\n' +
        "The config is checked with the agent's own loader before it is written; the secret goes only into the\n" +
        'credentials file (mode 0600), which the config names as cloud.secretFile.\n' +
        '\nExample:\n  anju-gw init --cloud-url https://anju.example.org --code 7KQM-4XPD-2RJC\n' +
        exitHelp(
          'ok',
          'failed',
          'usage',
          'unreachable',
          'codeInvalid',
          'codeExpired',
          'codeUsed',
          'rateLimited',
          'alreadyEnrolled',
        ),
    )
    .action(async (opts: InitOptions) => {
      const ask = terminalPrompter();
      try {
        await runInit(opts, ask);
      } finally {
        ask?.close();
      }
    });
}

async function runInit(opts: InitOptions, ask: Ask | undefined): Promise<void> {
  const cloudUrl = await requireValue(opts.cloudUrl, '--cloud-url', ask, '云端地址', 'Cloud URL');
  if (!/^https?:\/\/[^/]/.test(cloudUrl))
    throw new CliExit(
      EXIT.usage,
      `--cloud-url must be an http:// or https:// URL (got "${cloudUrl}") / 云端地址须以 http:// 或 https:// 开头`,
    );
  const code = await requireValue(
    opts.code,
    '--code',
    ask,
    '注册码（值班台提供）',
    'Enrolment code (from the duty desk)',
  );
  const dataDir = resolve(
    opts.dataDir ?? (ask ? await ask('数据目录', 'Data directory', DEFAULT_DATA_DIR) : DEFAULT_DATA_DIR),
  );
  let gatewayName = opts.gatewayName;
  if (gatewayName === undefined && ask)
    gatewayName =
      (await ask('网关名称（留空由云端分配）', 'Gateway name (blank: the cloud picks one)')) || undefined;
  if (gatewayName !== undefined && !ID.test(gatewayName))
    throw new CliExit(
      EXIT.usage,
      `--gateway-name: letters, digits and _.- only, at most 64 (got "${gatewayName}") / 网关名称只能包含字母、数字和 _.-`,
    );
  if (!(opts.timeoutS > 0)) throw new CliExit(EXIT.usage, '--timeout-s must be a positive number');

  const configFile = resolve(opts.config);
  const credsFile = resolve(opts.credentials ?? join(dirname(configFile), 'credentials.yaml'));
  const already = existsSync(credsFile) ? credsFile : enrolledConfig(configFile) ? configFile : undefined;
  if (already && !opts.force)
    throw new CliExit(
      EXIT.alreadyEnrolled,
      `此网关已注册（${already} 已存在）；要重新注册请加 --force。 / This gateway is already enrolled (${already} exists): add --force to enrol again with a new code.`,
    );

  // Everything that can be checked is checked before the code is spent.
  for (const dir of new Set([dirname(configFile), dirname(credsFile), dataDir])) {
    try {
      mkdirSync(dir, { recursive: true });
    } catch (err) {
      throw new CliExit(EXIT.usage, `cannot create ${dir}: ${(err as Error).message} / 无法创建目录 ${dir}`);
    }
  }
  const secretFile = credsFile.startsWith(`${dirname(configFile)}/`)
    ? relative(dirname(configFile), credsFile)
    : credsFile;
  validateGatewayConfig({
    gatewayId: gatewayName ?? 'gw-pending',
    residentId: opts.resident ?? 'pending',
    dataDir,
    ...(opts.localPort === undefined ? {} : { localBroker: { port: opts.localPort } }),
    cloud: { url: 'mqtt://pending', secret: 'pending-secret' },
  });

  const enrolment = await enrolAsking(
    cloudUrl,
    { code, gatewayName, residentId: opts.resident },
    ask,
    opts.timeoutS,
  );

  const mode = writeCredentials(credsFile, {
    gatewayId: enrolment.gatewayId,
    secret: enrolment.secret,
    residentId: enrolment.residentId,
    stationId: enrolment.stationId,
    enrolledAt: enrolment.enrolledAt,
    cloudApiUrl: cloudUrl,
  });
  if (mode !== CREDENTIALS_MODE)
    throw new CliExit(
      EXIT.failed,
      `${credsFile} has mode ${mode.toString(8)}, not 600: fix it with chmod 600 ${credsFile}`,
    );

  try {
    if (opts.force && existsSync(configFile) && enrolledConfig(configFile)) {
      editConfigFile(configFile, (doc) => {
        doc.set('gatewayId', enrolment.gatewayId);
        doc.set('residentId', enrolment.residentId);
        doc.set('dataDir', dataDir);
        doc.setIn(['cloud', 'url'], enrolment.mqttUrl);
        doc.setIn(['cloud', 'secretFile'], secretFile);
        doc.deleteIn(['cloud', 'secret']);
      });
    } else {
      writeValidated(
        configFile,
        newConfigText({ enrolment, dataDir, secretFile, localPort: opts.localPort }),
      );
    }
  } catch (err) {
    if (err instanceof ConfigError)
      throw new CliExit(
        EXIT.failed,
        `enrolled as ${enrolment.gatewayId} and the credentials are saved in ${credsFile}, but the config could not be written:\n${err.message}`,
      );
    throw err;
  }

  console.log(
    [
      `已注册 / Enrolled: gateway ${enrolment.gatewayId}, resident ${enrolment.residentId}, station ${enrolment.stationId}`,
      `  config       ${configFile}`,
      `  credentials  ${credsFile} (mode 0600)`,
      `  cloud MQTT   ${enrolment.mqttUrl}`,
      '下一步 / Next: anju-gw pair wristband -c <config>; anju-gw service install -c <config> (or anju-gw run -c <config>)',
    ].join('\n'),
  );
}

/** Enrols; when the code names no resident and a terminal is there, asks which resident and tries again. */
async function enrolAsking(
  cloudUrl: string,
  body: { code: string; gatewayName?: string | undefined; residentId?: string | undefined },
  ask: Ask | undefined,
  timeoutS: number,
): Promise<Enrolment> {
  try {
    return await enrolWithCloud(cloudUrl, body, timeoutS * 1000);
  } catch (err) {
    if (!(err instanceof ResidentRequired)) throw err;
    const message =
      '此注册码只指定了街道站，请用 --resident 指定老人编号。 / This code was made for a station, not a resident: say which resident with --resident <id>.';
    if (!ask) throw new CliExit(EXIT.usage, message);
    console.error(message);
    const residentId = await requireValue(undefined, '--resident', ask, '老人编号', 'Resident id');
    return enrolWithCloud(cloudUrl, { ...body, residentId }, timeoutS * 1000);
  }
}
