import { writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Command } from 'commander';
import { PACKAGE_ROOT } from '../../../contracts/src/package-root.ts';
import { AGENT_NODE_FLAGS } from '../agent/node-flags.ts';
import { loadGatewayConfig } from '../config/load-config.ts';
import { CliExit } from './local-agent.ts';

const BIN = join(PACKAGE_ROOT, 'bin', 'anju-gw.js');

/** systemd's quoting for one ExecStart word. */
const word = (s: string) => (/[\s"'\\]/.test(s) ? `"${s.replace(/(["\\])/g, '\\$1')}"` : s);

/** The systemd unit that runs the agent with this config, restarted when it fails. */
export function systemdUnit(o: { configFile: string; user: string; node?: string }): string {
  const exec = [o.node ?? process.execPath, ...AGENT_NODE_FLAGS, BIN, 'run', '--config', o.configFile]
    .map(word)
    .join(' ');
  return `[Unit]
Description=Anju home gateway agent (anju-gw)
After=network-online.target
Wants=network-online.target

[Service]
Type=simple
User=${o.user}
WorkingDirectory=${PACKAGE_ROOT.replace(/\/$/, '')}
ExecStart=${exec}
Restart=on-failure
RestartSec=5
# SIGTERM: the agent stops its drivers and closes the cloud link; the outbox is already on disk.
KillSignal=SIGTERM
TimeoutStopSec=20

[Install]
WantedBy=multi-user.target
`;
}

export function registerService(program: Command): void {
  const service = program.command('service').description('run the agent as a system service');
  service
    .command('install')
    .description('write a systemd unit that runs `anju-gw run --config <file>` (Restart=on-failure)')
    .requiredOption('-c, --config <file>', 'gateway config the service runs with (checked now)')
    .option('--user <name>', 'user the agent runs as (needs the serial ports: group dialout)', 'anju')
    .option('-o, --output <file>', 'where to write the unit', '/etc/systemd/system/anju-gw.service')
    .option('--dry-run', 'print the unit instead of writing it')
    .addHelpText(
      'after',
      '\nThen: systemctl daemon-reload && systemctl enable --now anju-gw\n' +
        'Exit codes:\n  0  written (or printed)\n  1  could not write the unit\n  2  bad arguments or config',
    )
    .action((opts: { config: string; user: string; output: string; dryRun?: boolean }) => {
      const configFile = resolve(opts.config);
      loadGatewayConfig(configFile, process.env); // a service that cannot start is worse than an error now
      if (!/^[a-z_][a-z0-9_-]*\$?$/i.test(opts.user))
        throw new CliExit(2, `--user must be a user name (got "${opts.user}")`);
      const unit = systemdUnit({ configFile, user: opts.user });
      if (opts.dryRun) {
        process.stdout.write(unit);
        return;
      }
      const output = resolve(opts.output);
      try {
        writeFileSync(output, unit, { mode: 0o644 });
      } catch (err) {
        throw new CliExit(
          1,
          `cannot write ${output}: ${(err as Error).message} (run as root, or choose --output, or --dry-run)`,
        );
      }
      console.log(`wrote ${output}\nnext: systemctl daemon-reload && systemctl enable --now anju-gw`);
    });
}
