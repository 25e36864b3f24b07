import type { Command } from 'commander';
import { type AgentStatus, agentTopics } from '../agent/agent-status.ts';
import { READ_CONFIG_HELP } from './config-path.ts';
import {
  CliExit,
  connectLocal,
  EXIT_DEGRADED,
  firstMessage,
  locateAgent,
  notRunning,
} from './local-agent.ts';

const ago = (iso: string | undefined, nowMs: number) =>
  iso ? `${iso} (${Math.max(0, Math.round((nowMs - Date.parse(iso)) / 1000))} s ago)` : 'never';

/** The status as an installer reads it: one line per thing to check. */
export function formatStatus(s: AgentStatus, nowMs = Date.now()): string {
  const rows: [string, string][] = [
    ['gateway', `${s.gatewayId} (agent ${s.agentVersion}, pid ${s.pid}, up ${s.uptimeS} s)`],
    ...s.drivers.map((d): [string, string] => [
      `driver ${d.id}`,
      `${d.state.toUpperCase()}${d.detail ? ` (${d.detail})` : ''}  ${Object.entries(d.counters)
        .map(([k, v]) => `${k}=${v}`)
        .join(' ')}`,
    ]),
    ...(s.drivers.length === 0 ? [['drivers', 'none configured'] as [string, string]] : []),
    ...(s.cameras ?? []).map((c): [string, string] => [`camera ${c.room}`, formatCamera(c)]),
    ...(s.supervision ? homeRows(s.supervision) : []),
    ...(s.homeLearning
      ? [
          [
            'home routine',
            `LEARNING day ${s.homeLearning.day} of ${s.homeLearning.days}: inactivity alerts are conservative until then / 正在学习作息（第 ${s.homeLearning.day}/${s.homeLearning.days} 天）`,
          ] as [string, string],
        ]
      : []),
    ['models', s.models.map((m) => `${m.name}@${m.version}`).join(', ') || 'none'],
    ['outbox', `${s.outbox.depth} waiting${s.outbox.growing ? ' (GROWING)' : ''}${outboxPressure(s.outbox)}`],
    [
      'cloud link',
      `${s.cloud.connected ? 'CONNECTED' : 'DOWN'}${s.cloud.mqttVersion ? ` (MQTT ${s.cloud.mqttVersion === 5 ? '5' : '3.1.1'})` : ''}, ${s.cloud.delivered} delivered, last ${ago(s.cloud.lastDeliveredAt, nowMs)}${
        s.cloud.notDelivered ? `, ${s.cloud.notDelivered} not taken by the broker (resent)` : ''
      }`,
    ],
    ['last heartbeat', ago(s.lastHeartbeatSentAt, nowMs)],
    ['disk used', s.diskUsedPct === undefined ? 'unknown' : `${s.diskUsedPct} %`],
    ['cpu / rss', `${s.cpuPct} % / ${s.rssMb} MB`],
    ['status at', ago(s.publishedAt, nowMs)],
    ['overall', s.problems.length === 0 ? 'OK' : `DEGRADED: ${s.problems.join('; ')}`],
  ];
  const width = Math.max(...rows.map(([k]) => k.length));
  return rows.map(([k, v]) => `${k.padEnd(width)}  ${v}`).join('\n');
}

export function registerStatus(program: Command, localPort: (v: string) => number): void {
  program
    .command('status')
    .description("ask the running agent how it is (over its local broker's retained status)")
    .option('-c, --config <file>', READ_CONFIG_HELP)
    .option('--local-port <port>', 'port of the local broker (overrides localBroker.port)', localPort)
    .option('--json', 'print the status as JSON')
    .option('--timeout-s <s>', 'how long to wait for the status', Number, 5)
    .addHelpText(
      'after',
      '\nExit codes:\n  0  all well\n  1  the agent is not running (no status on its local broker)\n' +
        '  2  bad arguments or config\n  3  degraded: a driver down, the cloud link down, the outbox growing, or an urgent event not written',
    )
    .action(async (opts: { config?: string; localPort?: number; json?: boolean; timeoutS: number }) => {
      const { url } = locateAgent(opts.config, opts.localPort);
      const client = await connectLocal(url, opts.timeoutS * 1000);
      let status: AgentStatus | undefined;
      try {
        status = (await firstMessage(client, agentTopics.status, opts.timeoutS * 1000)) as
          | AgentStatus
          | undefined;
      } finally {
        await client.endAsync(true);
      }
      if (!status) throw notRunning(url, `nothing within ${opts.timeoutS} s`);
      console.log(opts.json ? JSON.stringify(status, null, 2) : formatStatus(status));
      if (status.problems.length > 0) throw new CliExit(EXIT_DEGRADED);
    });
}

/** Dropped telemetry and unwritable urgent events, when there are any. */
function outboxPressure(o: AgentStatus['outbox']): string {
  const d = o.dropped;
  const parts = [
    ...(o.unwritable ? [`${o.unwritable} URGENT NOT WRITTEN`] : []),
    ...(d && d.bound + d.diskFull + d.daily > 0
      ? [`dropped telemetry: ${d.bound} bound, ${d.diskFull} disk full, ${d.daily} daily`]
      : []),
  ];
  return parts.length ? `; ${parts.join('; ')}` : '';
}

const onOff = (v: boolean | undefined, yes: string, no: string) =>
  v === undefined ? 'unknown' : v ? yes : no;

/** The home's equipment at a glance: band, receiver, each sensor and meter, the vital limits, open faults. */
function homeRows(h: NonNullable<AgentStatus['supervision']>): [string, string][] {
  const rows: [string, string][] = [];
  if (h.band) {
    const b = h.band;
    rows.push([`receiver ${b.device}`, b.receiver === 'up' ? 'UP' : 'GONE (port closed or unplugged)']);
    rows.push([
      `band ${b.device}`,
      [
        onOff(b.worn, 'worn', 'NOT WORN (no wear motion)'),
        onOff(b.inRange, 'in range', 'OUT OF RANGE (no frames)'),
        `battery ${b.batteryPct === undefined ? 'unknown' : `${b.batteryPct} %`}`,
        ...(b.lastFrameAgoS === undefined ? [] : [`last frame ${b.lastFrameAgoS} s ago`]),
      ].join(', '),
    ]);
  }
  for (const s of h.sensors)
    rows.push([
      `sensor ${s.device}`,
      `${onOff(s.online, 'online', 'OFFLINE')}, battery ${s.batteryPct === undefined ? 'n/a' : `${s.batteryPct} %`}`,
    ]);
  for (const m of h.meters)
    rows.push([
      `meter ${m.device}`,
      `${onOff(m.answering, 'answering', 'SILENT')}${m.lastReadingAgoS === undefined ? '' : `, last reading ${m.lastReadingAgoS} s ago`}`,
    ]);
  if (h.vitals)
    rows.push([
      'heart rate',
      `limits ${h.vitals.low}–${h.vitals.high} bpm for ${h.vitals.sustainedS} s (${h.vitals.source})${h.vitals.lastBpm === undefined ? '' : `, last ${h.vitals.lastBpm} bpm`}`,
    ]);
  rows.push([
    'open faults',
    h.faults.length ? h.faults.map((f) => `${f.fault} ${f.device} (since ${f.since})`).join('; ') : 'none',
  ]);
  return rows;
}

/** One camera: the switch, whether frames come, how many frames and faces, errors by cause, the last one. */
export function formatCamera(c: NonNullable<AgentStatus['cameras']>[number]): string {
  if (!c.enabled) return 'OFF (privacy: not opened)';
  if (c.state === undefined) return 'ON (agent without the camera pipeline: not read)';
  const errors = Object.entries(c.errors ?? {});
  const total = errors.reduce((n, [, v]) => n + (v ?? 0), 0);
  return [
    `ON, ${c.state.toUpperCase()}`,
    `frames=${c.frames ?? 0} faces=${c.faces ?? 0} errors=${total}`,
    ...(total > 0 ? [`(${errors.map(([k, v]) => `${k} ${v}`).join(', ')})`] : []),
    ...(c.lastError ? [`last error: ${c.lastError} at ${c.lastErrorAt}`] : []),
  ].join('  ');
}
