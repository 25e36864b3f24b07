import { resolve } from 'node:path';
import { type Command, InvalidArgumentError, Option } from 'commander';
import { isMap, isSeq, type YAMLMap, type YAMLSeq } from 'yaml';
import { editConfigFile } from '../config/config-document.ts';
import { DEFAULT_CONFIG_FILE } from './config-path.ts';
import { exitHelp } from './exit-codes.ts';

/**
 * Roles a zigbee2mqtt sensor can have, as the inactivity scorer and the safety rules read them (issue 15):
 * the scorer knows a sensor only by its role and room, never by its name.
 */
export const SENSOR_ROLES = [
  'motion',
  'front_door',
  'door',
  'cupboard',
  'bed',
  'seat',
  'toilet_flush',
  'cooker',
  'heater',
  'kitchen_appliance',
  'tv',
  'fridge',
  'periodic_appliance',
  'water_leak',
] as const;

const ROLE_HELP =
  'motion (PIR/mmWave), front_door (the entrance: silence after it means out), door (interior), cupboard ' +
  '(incl. fridge door), bed / seat (pressure mat), toilet_flush, cooker, heater, kitchen_appliance, tv ' +
  '(plugs a person switches), fridge / periodic_appliance (plugs that cycle by themselves), water_leak';

interface SensorOptions {
  friendlyName: string;
  device: string;
  room: string;
  role: (typeof SENSOR_ROLES)[number];
  baseTopic?: string;
  config: string;
}

const FRIENDLY = /^[^#+]{1,128}$/;

/**
 * `anju-gw pair sensor`: records a zigbee2mqtt device (already joined in zigbee2mqtt) with the role and room
 * the installer gives it, into the gateway config's zigbee2mqtt driver (created if there is none). The config
 * is validated by the agent's own loader before it replaces the file; comments are kept.
 */
export function registerPairSensor(
  pair: Command,
  h: { idArg: (flag: string) => (v: string) => string; restart: string },
): void {
  pair
    .command('sensor')
    .description('record a zigbee2mqtt sensor with its role and room in the gateway config')
    .requiredOption(
      '--friendly-name <name>',
      "its friendly name in zigbee2mqtt (e.g. 'kitchen/pir')",
      (v: string) => {
        if (!FRIENDLY.test(v))
          throw new InvalidArgumentError(`--friendly-name: 1-128 characters, no # or + (got "${v}")`);
        return v;
      },
    )
    .requiredOption('--device <id>', 'device id for its readings (home/<device>/…)', h.idArg('--device'))
    .requiredOption('--room <room>', 'room, e.g. bathroom, kitchen, bedroom, hall', h.idArg('--room'))
    .addOption(new Option('--role <role>', ROLE_HELP).choices(SENSOR_ROLES).makeOptionMandatory())
    .option(
      '--base-topic <topic>',
      "zigbee2mqtt's mqtt.base_topic, when a new driver entry is made (default zigbee2mqtt)",
    )
    .option('-c, --config <file>', 'gateway config to save into (env ANJU_CONFIG)', DEFAULT_CONFIG_FILE)
    .addHelpText(
      'after',
      '\nExamples:\n  anju-gw pair sensor --friendly-name hall/door --device door-entrance --room hall --role front_door\n' +
        '  anju-gw pair sensor --friendly-name bath/pir --device pir-bath --room bathroom --role motion\n' +
        '  anju-gw pair sensor --friendly-name bed/mat --device mat-bed --room bedroom --role bed\n' +
        'The same --friendly-name or --device again replaces that entry.\n' +
        exitHelp('ok', 'failed', 'usage'),
    )
    .action((o: SensorOptions) => {
      const item = { friendlyName: o.friendlyName, device: o.device, room: o.room, role: o.role };
      const configFile = resolve(o.config);
      let replaced = false;
      editConfigFile(configFile, (doc) => {
        let devices = doc.get('devices');
        if (!isSeq(devices)) {
          doc.set('devices', doc.createNode([]));
          devices = doc.get('devices');
        }
        const seq = devices as YAMLSeq;
        const at = seq.items.findIndex((d) => isMap(d) && (d as YAMLMap).get('type') === 'zigbee2mqtt');
        if (at < 0) {
          seq.add(
            doc.createNode({
              type: 'zigbee2mqtt',
              ...(o.baseTopic ? { baseTopic: o.baseTopic } : {}),
              devices: [item],
            }),
          );
          return;
        }
        const list = doc.getIn(['devices', at, 'devices']);
        const items = isSeq(list) ? (list as YAMLSeq).items : [];
        const same = items.findIndex(
          (m) =>
            isMap(m) &&
            ((m as YAMLMap).get('friendlyName') === o.friendlyName ||
              (m as YAMLMap).get('device') === o.device),
        );
        replaced = same >= 0;
        if (replaced) doc.setIn(['devices', at, 'devices', same], doc.createNode(item));
        else if (isSeq(list)) doc.addIn(['devices', at, 'devices'], doc.createNode(item));
        else doc.setIn(['devices', at, 'devices'], doc.createNode([item]));
      });
      console.log(
        `已保存 / ${replaced ? 'Replaced' : 'Saved'} zigbee2mqtt sensor ${o.device} ('${o.friendlyName}') as ${o.role} in ${o.room}, in ${configFile}\n${h.restart}`,
      );
    });
}
