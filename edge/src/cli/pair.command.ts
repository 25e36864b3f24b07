import { resolve } from 'node:path';
import { type Command, InvalidArgumentError } from 'commander';
import { SerialPort } from 'serialport';
import { isMap, isSeq, type YAMLMap, type YAMLSeq } from 'yaml';
import { editConfigFile } from '../config/config-document.ts';
import { probeCamera } from './camera-probe.ts';
import { DEFAULT_CONFIG_FILE } from './config-path.ts';
import { deviceNodes } from './devices.command.ts';
import { EXIT, exitHelp } from './exit-codes.ts';
import { CliExit } from './local-agent.ts';
import { registerPairMeter } from './pair-meter.command.ts';
import { registerPairSensor } from './pair-sensor.command.ts';
import {
  detectWristband,
  formatWristbandProbe,
  PortOpenError,
  probeWristband,
  type WristbandProbe,
} from './wristband-probe.ts';

const ID = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/;
const idArg = (flag: string) => (v: string) => {
  if (!ID.test(v)) throw new InvalidArgumentError(`${flag}: letters, digits and _.- only (got "${v}")`);
  return v;
};
const positiveInt = (flag: string) => (v: string) => {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1)
    throw new InvalidArgumentError(`${flag} must be a whole number ≥ 1 (got "${v}")`);
  return n;
};
const RESTART =
  '重启网关程序后生效 / Restart the agent to use it: systemctl restart anju-gw (or anju-gw run again)';

/** Serial ports worth trying when --port is not given: what SerialPort.list() finds, else USB/ACM device nodes. */
async function candidatePorts(): Promise<string[]> {
  let listed: string[] = [];
  try {
    listed = (await SerialPort.list()).map((p) => p.path);
  } catch {
    /* no udev: device nodes below */
  }
  return [...new Set([...listed, ...deviceNodes().map((r) => r.path)])];
}

/** How long the band has to answer the "I'm OK" prompt check (it buzzes and beeps for 2 s). */
const PROMPT_CHECK_MS = 3_000;

function judge(p: WristbandProbe, wanted: number): void {
  if (p.verdict === 'ok') return;
  if (p.verdict === 'no_answer')
    throw new CliExit(
      EXIT.deviceNoAnswer,
      `${p.path} 上的手环在发送数据，但没有响应"我没事"提醒（振动+蜂鸣）：跌倒确认窗口内老人将收不到提醒。请检查接收器固件。 / The band on ${p.path} streams, but did not answer the "I'm OK" prompt (vibrate + beep): during a fall's confirm window the elder would not be told. Check the receiver's firmware. Nothing was saved.`,
    );
  if (p.verdict === 'garbage')
    throw new CliExit(
      EXIT.deviceGarbage,
      `${p.path} 上的数据不是手环接收器的协议（${p.bytes} 字节，没有一帧有效）：波特率不对，或这不是手环接收器。 / ${p.path} sent ${p.bytes} bytes but not one valid wristband frame: wrong baud rate, or not a wristband receiver. Nothing was saved.`,
    );
  throw new CliExit(
    EXIT.deviceSilent,
    p.verdict === 'silent'
      ? `${p.path} 在 ${(p.listenedMs / 1000).toFixed(0)} 秒内没有数据：接收器插好了吗？手环在附近并有电吗？ / ${p.path} sent nothing in ${(p.listenedMs / 1000).toFixed(0)} s: is the receiver plugged in, and the band near it and charged? Nothing was saved.`
      : `${p.path} 只收到 ${p.frames}/${wanted} 帧：信号弱或手环太远。 / Only ${p.frames} of ${wanted} frames from ${p.path} in ${(p.listenedMs / 1000).toFixed(0)} s: weak signal or the band is too far. Nothing was saved.`,
  );
}

export function registerPair(program: Command): void {
  const pair = program
    .command('pair')
    .description('find a device, read a few samples from it, and save it into the gateway config');

  pair
    .command('wristband')
    .description('listen to the wristband receiver, show what it sends, and save it as the wristband')
    .option('-c, --config <file>', 'gateway config to save into (env ANJU_CONFIG)', DEFAULT_CONFIG_FILE)
    .option('-p, --port <path>', 'serial port of the receiver; without it, every serial port is tried')
    .option('--baud <rate>', 'baud rate', positiveInt('--baud'), 115_200)
    .option(
      '--device <id>',
      'device id for its readings (home/<device>/…); the band does not send one',
      idArg('--device'),
      'band1',
    )
    .option('--frames <n>', 'valid frames to see before saving', positiveInt('--frames'), 10)
    .option('--timeout-s <s>', 'how long to listen on each port', Number, 10)
    .addHelpText(
      'after',
      '\nStop the agent first if it is already reading the port. Nothing is saved unless the frames are valid.\n' +
        exitHelp('ok', 'failed', 'usage', 'deviceSilent', 'deviceGarbage', 'deviceNoAnswer'),
    )
    .action(
      async (opts: {
        config: string;
        port?: string;
        baud: number;
        device: string;
        frames: number;
        timeoutS: number;
      }) => {
        if (!(opts.timeoutS > 0)) throw new CliExit(EXIT.usage, '--timeout-s must be a positive number');
        const probeOne = async (path: string) => {
          try {
            return await probeWristband(path, {
              baudRate: opts.baud,
              frames: opts.frames,
              timeoutMs: opts.timeoutS * 1000,
              promptCheckMs: PROMPT_CHECK_MS,
            });
          } catch (err) {
            if (err instanceof PortOpenError)
              throw new CliExit(err.missing ? EXIT.usage : EXIT.failed, err.message);
            throw err;
          }
        };
        let probe: WristbandProbe;
        if (opts.port) {
          console.log(
            `listening on ${opts.port} at ${opts.baud} baud for up to ${opts.timeoutS} s / 正在监听…`,
          );
          probe = await probeOne(opts.port);
          console.log(formatWristbandProbe(probe));
          judge(probe, opts.frames);
        } else {
          const candidates = await candidatePorts();
          if (candidates.length === 0)
            throw new CliExit(
              EXIT.deviceSilent,
              '没有找到串口，请插入手环接收器或用 --port 指定。 / No serial ports found: plug in the receiver, or name it with --port.',
            );
          const found = await detectWristband(
            candidates,
            {
              baudRate: opts.baud,
              frames: opts.frames,
              timeoutMs: opts.timeoutS * 1000,
              promptCheckMs: PROMPT_CHECK_MS,
            },
            (path, result) =>
              console.log(
                `tried ${path} / 尝试 ${path}: ${result instanceof PortOpenError ? result.message : `${result.verdict}, ${result.frames} frames, ${result.bytes} bytes`}`,
              ),
          );
          if (!found)
            throw new CliExit(
              EXIT.deviceSilent,
              `没有串口送出手环数据 / No serial port sent wristband frames (tried ${candidates.join(', ')}). Nothing was saved.`,
            );
          probe = found;
          console.log(formatWristbandProbe(probe));
          judge(probe, opts.frames);
        }
        const configFile = resolve(opts.config);
        editConfigFile(configFile, (doc) => {
          const existing = doc.get('wristband');
          if (isMap(existing)) {
            doc.setIn(['wristband', 'device'], opts.device);
            doc.setIn(['wristband', 'path'], probe.path);
            doc.setIn(['wristband', 'baudRate'], opts.baud);
          } else {
            doc.set(
              'wristband',
              doc.createNode({ device: opts.device, path: probe.path, baudRate: opts.baud }),
            );
          }
        });
        console.log(
          `已保存手环 / Saved wristband ${opts.device} on ${probe.path} to ${configFile}\n${RESTART}`,
        );
      },
    );

  pair
    .command('camera')
    .description(
      'check that a camera answers (HTTP snapshot or RTSP OPTIONS; no video is decoded) and save it for a room',
    )
    .requiredOption('--room <room>', 'the room it watches, e.g. livingroom', idArg('--room'))
    .requiredOption('--url <url>', 'rtsp://[user:pass@]host[:554]/path or http(s)://…/snapshot.jpg')
    .option('-c, --config <file>', 'gateway config to save into (env ANJU_CONFIG)', DEFAULT_CONFIG_FILE)
    .option('--timeout-s <s>', 'how long to wait for the camera', Number, 5)
    .addHelpText(
      'after',
      '\nA camera already saved for the room keeps its privacy switch (anju-gw cameras on|off <room>).\n' +
        'The agent has no camera pipeline yet: it keeps the entry and its switch and reports them in `status`.\n' +
        exitHelp('ok', 'failed', 'usage', 'unreachable', 'deviceGarbage'),
    )
    .action(async (opts: { room: string; url: string; config: string; timeoutS: number }) => {
      if (!/^(rtsp|https?):\/\/[^/]/.test(opts.url))
        throw new CliExit(EXIT.usage, `--url must be rtsp://, http:// or https:// (got "${opts.url}")`);
      const probe = await probeCamera(opts.url, opts.timeoutS * 1000);
      const shown = opts.url.replace(/\/\/[^@/]*@/, '//***@');
      if (!probe.ok)
        throw new CliExit(
          probe.unreachable ? EXIT.unreachable : EXIT.deviceGarbage,
          probe.unreachable
            ? `无法连接摄像头 / Cannot reach the camera at ${shown}: ${probe.detail}. Nothing was saved.`
            : `摄像头的回答不对 / ${shown} answered, but not as a camera should: ${probe.detail}. Nothing was saved.`,
        );
      console.log(`camera ${opts.room}: ${probe.detail}`);
      const configFile = resolve(opts.config);
      editConfigFile(configFile, (doc) => {
        let cameras = doc.get('cameras');
        if (!isSeq(cameras)) {
          doc.set('cameras', doc.createNode([]));
          cameras = doc.get('cameras');
        }
        const seq = cameras as YAMLSeq;
        const at = seq.items.findIndex((c) => isMap(c) && (c as YAMLMap).get('room') === opts.room);
        if (at >= 0) doc.setIn(['cameras', at, 'url'], opts.url);
        else seq.add(doc.createNode({ room: opts.room, url: opts.url, enabled: true }));
      });
      console.log(`已保存摄像头 / Saved camera for room ${opts.room} to ${configFile}\n${RESTART}`);
    });

  registerPairMeter(pair, { idArg, positiveInt, restart: RESTART });
  registerPairSensor(pair, { idArg, restart: RESTART });
}
