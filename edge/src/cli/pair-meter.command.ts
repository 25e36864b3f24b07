import { basename, resolve } from 'node:path';
import { type Command, InvalidArgumentError, Option } from 'commander';
import { isMap, isSeq, type YAMLMap, type YAMLSeq } from 'yaml';
import { editConfigFile } from '../config/config-document.ts';
import { DEFAULT_CONFIG_FILE } from './config-path.ts';
import { EXIT, exitHelp } from './exit-codes.ts';
import { CliExit } from './local-agent.ts';
import { METER_TYPES, type MeterType, probeMeter } from './meter-probe.ts';

/** Where each driver keeps its meters, and what names one meter in that list. */
const LIST_KEY: Record<MeterType, string> = {
  'modbus-rtu': 'slaves',
  dlt645: 'meters',
  'pulse-counter': 'channels',
};

/** `--register reading=electricity_kwh,register=0x0100,type=u32,scale=0.01[,function=4][,wordOrder=low_first]` */
function parseRegister(spec: string, previous: Record<string, unknown>[] = []): Record<string, unknown>[] {
  const reg: Record<string, unknown> = {};
  for (const part of spec.split(',')) {
    const [k, v] = part.split('=');
    if (!k || v === undefined) throw new InvalidArgumentError(`--register: "${part}" is not key=value`);
    reg[k.trim()] = ['register', 'scale', 'function'].includes(k.trim()) ? Number(v) : v.trim();
  }
  return [...previous, reg];
}

interface MeterOptions {
  type: MeterType;
  port: string;
  device: string;
  room: string;
  role: string;
  id?: string;
  baud?: number;
  parity?: 'none' | 'even' | 'odd';
  unitId?: number;
  register?: Record<string, unknown>[];
  address?: string;
  channel?: number;
  quantity?: 'water_l' | 'gas_m3';
  litresPerPulse?: number;
  readings: number;
  timeoutS: number;
  config: string;
}

/** The one meter, as its driver's list item, from the flags; a missing type-specific flag is a usage error. */
function meterItem(o: MeterOptions): Record<string, unknown> {
  const meta = { device: o.device, room: o.room, role: o.role };
  const need = (value: unknown, flag: string) => {
    if (value === undefined) throw new CliExit(EXIT.usage, `pair meter --type ${o.type} needs ${flag}`);
    return value;
  };
  switch (o.type) {
    case 'modbus-rtu':
      return { unitId: need(o.unitId, '--unit-id'), ...meta, registers: need(o.register, '--register') };
    case 'dlt645':
      return { address: need(o.address, '--address'), ...meta };
    case 'pulse-counter':
      return {
        channel: need(o.channel, '--channel'),
        ...meta,
        quantity: need(o.quantity, '--quantity'),
        litresPerPulse: need(o.litresPerPulse, '--litres-per-pulse'),
      };
  }
}

export function registerPairMeter(
  pair: Command,
  h: {
    idArg: (flag: string) => (v: string) => string;
    positiveInt: (flag: string) => (v: string) => number;
    restart: string;
  },
): void {
  pair
    .command('meter')
    .description('read a meter a few times through its real driver and save it into the config')
    .addOption(new Option('--type <type>', 'driver').choices(METER_TYPES).makeOptionMandatory())
    .requiredOption('-p, --port <path>', 'serial port (RS-485 adapter or pulse board)')
    .requiredOption('--device <id>', 'device id for its readings (home/<device>/…)', h.idArg('--device'))
    .requiredOption('--room <room>', 'room, e.g. kitchen', h.idArg('--room'))
    .requiredOption(
      '--role <role>',
      'what it measures, e.g. electricity_main, water_main, gas_main',
      h.idArg('--role'),
    )
    .option('--id <id>', 'driver id of the line (default <type>-<port name>)', h.idArg('--id'))
    .option('--baud <rate>', "baud rate (default: the driver's)", h.positiveInt('--baud'))
    .addOption(
      new Option('--parity <parity>', "parity (default: the driver's)").choices(['none', 'even', 'odd']),
    )
    .option('--unit-id <n>', 'modbus-rtu: slave address', h.positiveInt('--unit-id'))
    .option(
      '--register <spec>',
      'modbus-rtu, repeatable: reading=electricity_kwh,register=0x0100,type=u32,scale=0.01[,function=4]',
      parseRegister,
    )
    .option('--address <12 digits>', 'dlt645: meter address')
    .option('--channel <n>', 'pulse-counter: channel', h.positiveInt('--channel'))
    .addOption(
      new Option('--quantity <q>', 'pulse-counter: what a pulse counts').choices(['water_l', 'gas_m3']),
    )
    .option('--litres-per-pulse <x>', 'pulse-counter: litres per pulse', Number)
    .option('--readings <n>', 'readings to see before saving', h.positiveInt('--readings'), 2)
    .option('--timeout-s <s>', 'how long to wait for them', Number, 15)
    .option('-c, --config <file>', 'gateway config to save into (env ANJU_CONFIG)', DEFAULT_CONFIG_FILE)
    .addHelpText(
      'after',
      '\nExamples:\n  anju-gw pair meter --type dlt645 --port /dev/ttyUSB1 --address 000012345678 --device meter-main --room hall --role electricity_main\n' +
        '  anju-gw pair meter --type modbus-rtu --port /dev/ttyUSB1 --unit-id 1 --register reading=electricity_kwh,register=0,type=u32,scale=0.01 \\\n' +
        '      --device meter-main --room hall --role electricity_main\n' +
        '  anju-gw pair meter --type pulse-counter --port /dev/ttyACM0 --channel 1 --quantity water_l --litres-per-pulse 1 \\\n' +
        '      --device water-main --room kitchen --role water_main\n' +
        'Stop the agent first if it already reads that port.\n' +
        exitHelp('ok', 'failed', 'usage', 'deviceSilent', 'deviceGarbage'),
    )
    .action(async (o: MeterOptions) => {
      const item = meterItem(o);
      const id = o.id ?? `${o.type}-${basename(o.port)}`.replace(/[^A-Za-z0-9_.-]/g, '-');
      const line = {
        id,
        path: o.port,
        ...(o.baud === undefined ? {} : { baudRate: o.baud }),
        ...(o.parity === undefined ? {} : { parity: o.parity }),
      };
      // Fast polling only for the probe; the saved entry keeps the driver's defaults.
      const fast = o.type === 'pulse-counter' ? { unchangedPublishMs: 1000 } : { pollIntervalMs: 1000 };
      console.log(
        `reading ${o.device} through the ${o.type} driver on ${o.port} for up to ${o.timeoutS} s / 正在读取…`,
      );
      const probe = await probeMeter(
        o.type,
        { ...line, ...fast, [LIST_KEY[o.type]]: [item] },
        {
          readings: o.readings,
          timeoutMs: o.timeoutS * 1000,
        },
      );
      for (const r of probe.readings.slice(0, 5)) console.log(`  ${r.topic}  ${JSON.stringify(r.payload)}`);
      const counters = Object.entries(probe.health.counters)
        .map(([k, v]) => `${k}=${v}`)
        .join(' ');
      console.log(
        `  driver ${probe.health.state}${probe.health.detail ? ` (${probe.health.detail})` : ''}  ${counters}`,
      );
      if (probe.verdict === 'garbage')
        throw new CliExit(
          EXIT.deviceGarbage,
          `${o.port} 有回应但不是 ${o.type} 协议（或地址/参数不对）。 / Something answered on ${o.port}, but no valid ${o.type} reading came (check the type, address, baud rate and parity). Nothing was saved.`,
        );
      if (probe.verdict === 'silent')
        throw new CliExit(
          EXIT.deviceSilent,
          `${o.device} 在 ${o.timeoutS} 秒内没有读数：检查接线、地址和电源。 / No reading from ${o.device} in ${o.timeoutS} s (${probe.readings.length} of ${o.readings}): check the wiring, the address and the power. Nothing was saved.`,
        );

      const configFile = resolve(o.config);
      editConfigFile(configFile, (doc) => {
        let devices = doc.get('devices');
        if (!isSeq(devices)) {
          doc.set('devices', doc.createNode([]));
          devices = doc.get('devices');
        }
        const seq = devices as YAMLSeq;
        const lineAt = seq.items.findIndex(
          (d) => isMap(d) && (d as YAMLMap).get('type') === o.type && (d as YAMLMap).get('path') === o.port,
        );
        if (lineAt < 0) {
          seq.add(doc.createNode({ type: o.type, ...line, [LIST_KEY[o.type]]: [item] }));
          return;
        }
        const list = doc.getIn(['devices', lineAt, LIST_KEY[o.type]]);
        const items = isSeq(list) ? (list as YAMLSeq).items : [];
        const at = items.findIndex((m) => isMap(m) && (m as YAMLMap).get('device') === o.device);
        if (at >= 0) doc.setIn(['devices', lineAt, LIST_KEY[o.type], at], doc.createNode(item));
        else doc.addIn(['devices', lineAt, LIST_KEY[o.type]], doc.createNode(item));
      });
      console.log(`已保存 / Saved ${o.type} meter ${o.device} (line ${id}) to ${configFile}\n${h.restart}`);
    });
}
