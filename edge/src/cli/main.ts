import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { Command, InvalidArgumentError } from 'commander';
import { startGateway } from '../agent/gateway.ts';
import { ConfigError, loadGatewayConfig } from '../config/load-config.ts';
import { createLogger } from '../log/logger.ts';
import { planReplay } from '../replay/recording-frames.ts';
import { replayFrames } from '../replay/serial-replay.ts';
import { registerCameras } from './cameras.command.ts';
import { configFileOrDefault, READ_CONFIG_HELP } from './config-path.ts';
import { registerDevices } from './devices.command.ts';
import { EXIT } from './exit-codes.ts';
import { registerInit } from './init.command.ts';
import { CliExit } from './local-agent.ts';
import { registerLogs } from './logs.command.ts';
import { registerPair } from './pair.command.ts';
import { registerService } from './service.command.ts';
import { registerStatus } from './status.command.ts';
import { registerTest } from './test.command.ts';

export { EXIT };

const positiveNumber = (name: string) => (v: string) => {
  const n = Number(v === 'max' ? Number.POSITIVE_INFINITY : v);
  if (!(n > 0)) throw new InvalidArgumentError(`${name} must be a positive number (got "${v}")`);
  return n;
};
const nonNegativeInt = (name: string) => (v: string) => {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 0)
    throw new InvalidArgumentError(`${name} must be a whole number ≥ 0 (got "${v}")`);
  return n;
};

export function buildCli(): Command {
  const program = new Command('anju-gw')
    .description('Anju home gateway agent: reads the wristband, detects falls, delivers events to the cloud.')
    .showHelpAfterError('(run with --help for usage)')
    .exitOverride();

  program
    .command('run')
    .description('run the gateway agent until SIGINT/SIGTERM')
    .option('-c, --config <file>', READ_CONFIG_HELP)
    .option('--data-dir <dir>', 'where the outbox lives (overrides dataDir)')
    .option('--cloud-url <url>', 'cloud MQTT URL, mqtt:// or mqtts:// (overrides cloud.url)')
    .option('--wristband-path <path>', 'serial port of the wristband receiver (overrides wristband.path)')
    .option(
      '--local-port <port>',
      'port of the local broker (overrides localBroker.port)',
      nonNegativeInt('--local-port'),
    )
    .option(
      '--confirm-window-ms <ms>',
      'time to press "I\'m OK" before a fall alarm goes out',
      nonNegativeInt('--confirm-window-ms'),
    )
    .option('--scorer <name>', 'fall scorer (overrides fall.scorer)')
    .addHelpText(
      'after',
      '\nEnvironment overrides: ANJU_GATEWAY_ID, ANJU_RESIDENT_ID, ANJU_DATA_DIR, ANJU_LOG_FILE, ANJU_CLOUD_URL,\n' +
        'ANJU_CLOUD_SECRET, ' +
        'ANJU_WRISTBAND_PATH, ANJU_LOCAL_BROKER_PORT, ANJU_CONFIRM_WINDOW_MS, ANJU_FALL_SCORER, LOG_LEVEL.',
    )
    .action(async (opts: Record<string, string | number | undefined>) => {
      const config = loadGatewayConfig(configFileOrDefault(opts.config as string | undefined), process.env, {
        dataDir: opts.dataDir,
        'cloud.url': opts.cloudUrl,
        'wristband.path': opts.wristbandPath,
        'localBroker.port': opts.localPort,
        'fall.confirmWindowMs': opts.confirmWindowMs,
        'fall.scorer': opts.scorer,
      });
      const log = createLogger('anju-gw', undefined, config.logFile).child({ gatewayId: config.gatewayId });
      const gateway = await startGateway(config, log);
      log.info(
        // runtime: dist or tsx, as chosen by bin/anju-gw.js (bin/runtime.js)
        {
          localBrokerPort: gateway.bus.port,
          pending: gateway.outbox.size(),
          runtime: process.env.ANJU_RUNTIME,
        },
        'gateway ready',
      );
      await new Promise<void>((resolveStop) => {
        const stop = (signal: string) => {
          log.info({ signal }, 'stopping');
          resolveStop();
        };
        process.once('SIGINT', stop);
        process.once('SIGTERM', stop);
      });
      await gateway.stop();
      log.info('stopped');
    });

  program
    .command('replay')
    .description(
      'play a recorded accelerometer file (falls dataset format) into a serial port as wristband frames',
    )
    .argument('<recording>', 'a .csv or .csv.gz with header t_ms,ax,ay,az (acceleration in g)')
    .requiredOption('-p, --port <path>', 'serial port to write (e.g. one end of a socat pty pair)')
    .option(
      '-s, --speed <x>',
      'playback speed: 1 real time, 10 ten times faster, "max" as fast as possible',
      positiveNumber('--speed'),
      1,
    )
    .option('--baud <rate>', 'baud rate', nonNegativeInt('--baud'), 115_200)
    .option('--ok-after-impact <s>', 'press "I\'m OK" this many seconds after the impact', Number)
    .option('--sos-at <s>', 'press SOS this many seconds into the recording', Number)
    .option(
      '--ok-after-prompt <s>',
      'press "I\'m OK" this many seconds after the gateway\'s "I\'m OK" prompt reaches the band',
      Number,
    )
    .addHelpText(
      'after',
      '\nExample:\n  anju-gw replay ../shared/datasets/falls/umafall/Subject_01_Fall_backwardFall_1.csv.gz --port /tmp/band --speed 2',
    )
    .action(
      async (
        recording: string,
        opts: {
          port: string;
          speed: number;
          baud: number;
          okAfterImpact?: number;
          sosAt?: number;
          okAfterPrompt?: number;
        },
      ) => {
        const file = resolve(recording);
        if (!existsSync(file)) throw new InvalidArgumentError(`no such recording: ${file}`);
        const plan = planReplay(file, { okAfterImpactS: opts.okAfterImpact, sosAtS: opts.sosAt });
        const seconds = (plan.durationMs / 1000 / opts.speed).toFixed(1);
        console.error(
          `replaying ${plan.frames.length} frames (${(plan.durationMs / 1000).toFixed(1)} s recorded, impact at ${(plan.impactMs / 1000).toFixed(1)} s) into ${opts.port} at ×${opts.speed}: ~${seconds} s`,
        );
        await replayFrames(plan.frames, {
          path: opts.port,
          baudRate: opts.baud,
          speed: opts.speed,
          onProgress: (sent, total) =>
            process.stderr.isTTY && process.stderr.write(`\r  ${sent}/${total} frames`),
          onDownlink: (f) =>
            console.error(
              f.type === 'prompt'
                ? f.action === 'start'
                  ? `band: VIBRATE + BEEP for up to ${f.seconds} s — "Are you OK?" / 手环振动+蜂鸣："您还好吗？"`
                  : 'band: prompt stopped / 手环停止提醒'
                : `band: vibrate (${f.pattern}) / 手环振动`,
            ),
          ...(opts.okAfterPrompt === undefined ? {} : { okAfterPromptS: opts.okAfterPrompt }),
        });
        if (process.stderr.isTTY) process.stderr.write('\n');
        console.error('replay done');
      },
    );

  registerInit(program, nonNegativeInt('--local-port'));
  registerPair(program);
  registerCameras(program, nonNegativeInt('--local-port'));
  registerStatus(program, nonNegativeInt('--local-port'));
  registerTest(program, nonNegativeInt('--local-port'));
  registerDevices(program, nonNegativeInt('--local-port'));
  registerService(program);
  registerLogs(program);

  return program;
}

export async function main(argv: string[]): Promise<number> {
  const program = buildCli();
  try {
    await program.parseAsync(argv);
    return EXIT.ok;
  } catch (err) {
    if (err instanceof CliExit) {
      if (err.message) console.error(`anju-gw: ${err.message}`);
      return err.exitCode;
    }
    const e = err as { code?: string; exitCode?: number; message?: string };
    if (e.code === 'commander.helpDisplayed' || e.code === 'commander.version' || e.code === 'commander.help')
      return EXIT.ok;
    if (e.code?.startsWith('commander.')) return EXIT.usage;
    if (err instanceof ConfigError || err instanceof InvalidArgumentError) {
      console.error(`anju-gw: ${e.message}`);
      return EXIT.usage;
    }
    console.error(`anju-gw: ${e.message ?? String(err)}`);
    return EXIT.failed;
  }
}
