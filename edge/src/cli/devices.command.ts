import { existsSync, readdirSync, realpathSync } from 'node:fs';
import { join } from 'node:path';
import type { Command } from 'commander';
import { SerialPort } from 'serialport';
import type { GatewayConfig } from '../config/gateway.config.ts';
import { configFileOrDefault, READ_CONFIG_HELP } from './config-path.ts';
import { connectLocal, locateAgent } from './local-agent.ts';

interface PortRow {
  path: string;
  target?: string | undefined;
  vendorId?: string | undefined;
  productId?: string | undefined;
  note?: string | undefined;
}

const resolveLink = (p: string) => {
  try {
    const real = realpathSync(p);
    return real === p ? undefined : real;
  } catch {
    return undefined;
  }
};

/** Device nodes, where udev (which SerialPort.list() needs) is absent: by-id links, USB and ACM ttys. */
export function deviceNodes(): PortRow[] {
  const rows: PortRow[] = [];
  const byId = '/dev/serial/by-id';
  if (existsSync(byId))
    for (const name of readdirSync(byId))
      rows.push({ path: join(byId, name), target: resolveLink(join(byId, name)) });
  for (const name of existsSync('/dev') ? readdirSync('/dev') : [])
    if (/^tty(USB|ACM)\d+$/.test(name)) rows.push({ path: join('/dev', name) });
  return rows;
}

/** Serial paths the config names (the wristband's, and any driver's `path`/`port`), e.g. socat ptys. */
function configuredPaths(config: Readonly<GatewayConfig> | undefined): { what: string; path: string }[] {
  if (!config) return [];
  const out: { what: string; path: string }[] = [];
  if (config.wristband)
    out.push({ what: `wristband ${config.wristband.device}`, path: config.wristband.path });
  for (const d of config.devices) {
    const entry = d as Record<string, unknown>;
    for (const key of ['path', 'port'])
      if (typeof entry[key] === 'string' && String(entry[key]).startsWith('/'))
        out.push({ what: `${d.type} ${String(entry.id ?? '')}`.trim(), path: String(entry[key]) });
  }
  return out;
}

/** What each topic carried: its count and a short form of its last payload. */
export function summarizePayload(payload: Buffer, max = 80): string {
  const text = payload.toString('utf8').replace(/\s+/g, ' ');
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}

export function registerDevices(program: Command, localPort: (v: string) => number): void {
  program
    .command('devices')
    .description('list serial ports and what is publishing on the local broker')
    .option(
      '-c, --config <file>',
      `${READ_CONFIG_HELP}: adds its serial paths and listens on its local broker`,
    )
    .option('--local-port <port>', 'port of the local broker (overrides localBroker.port)', localPort)
    .option('--listen-s <s>', 'how long to listen on the local broker', Number, 3)
    .addHelpText(
      'after',
      '\nWithout a config only serial ports are listed.\nExit codes:\n  0  listed\n  1  the agent (its local broker) is not reachable\n  2  bad arguments or config',
    )
    .action(async (opts: { config?: string; localPort?: number; listenS: number }) => {
      const configFile = configFileOrDefault(opts.config);
      const agent =
        configFile || opts.localPort !== undefined ? locateAgent(configFile, opts.localPort) : undefined;

      console.log('Serial ports:');
      let rows: PortRow[];
      try {
        rows = (await SerialPort.list()).map((p) => ({
          path: p.path,
          vendorId: p.vendorId,
          productId: p.productId,
          note: [p.manufacturer, p.serialNumber].filter(Boolean).join(' ') || undefined,
        }));
      } catch (err) {
        console.log(
          `  (the serial port listing needs udev, which is absent here: ${(err as Error).message}; listing device nodes instead)`,
        );
        rows = deviceNodes();
      }
      for (const { what, path } of configuredPaths(agent?.config)) {
        const present = existsSync(path);
        rows.push({
          path,
          target: resolveLink(path),
          note: `configured for ${what}${present ? '' : ' — MISSING'}`,
        });
      }
      if (rows.length === 0) console.log('  none found');
      for (const r of rows) {
        const ids = r.vendorId || r.productId ? `  ${r.vendorId ?? '?'}:${r.productId ?? '?'}` : '';
        console.log(`  ${r.path}${r.target ? ` → ${r.target}` : ''}${ids}${r.note ? `  ${r.note}` : ''}`);
      }
      if (!agent) return;

      const client = await connectLocal(agent.url, 5000);
      const seen = new Map<string, { count: number; last: Buffer }>();
      try {
        client.on('message', (topic, payload) => {
          const s = seen.get(topic) ?? { count: 0, last: payload };
          s.count++;
          s.last = payload;
          seen.set(topic, s);
        });
        await client.subscribeAsync('home/#', { qos: 0 });
        await new Promise((r) => setTimeout(r, opts.listenS * 1000));
      } finally {
        await client.endAsync(true);
      }
      console.log(`\nLocal broker ${agent.url}, home/# for ${opts.listenS} s:`);
      if (seen.size === 0) console.log('  nothing published');
      const width = Math.max(0, ...[...seen.keys()].map((t) => t.length));
      for (const [topic, s] of [...seen].sort(([a], [b]) => a.localeCompare(b)))
        console.log(`  ${topic.padEnd(width)}  ${String(s.count).padStart(5)}  ${summarizePayload(s.last)}`);
    });
}
