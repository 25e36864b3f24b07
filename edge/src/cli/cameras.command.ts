import { resolve } from 'node:path';
import { type Command, InvalidArgumentError } from 'commander';
import { isMap, isSeq, type YAMLMap } from 'yaml';
import { type AgentStatus, agentTopics } from '../agent/agent-status.ts';
import { editConfigFile } from '../config/config-document.ts';
import { DEFAULT_CONFIG_FILE } from './config-path.ts';
import { EXIT, exitHelp } from './exit-codes.ts';
import { CliExit, connectLocal, locateAgent } from './local-agent.ts';

/**
 * Waits for a status in which the agent reports `room` with `enabled`; the retained one first, then the
 * fresh one the agent publishes as soon as it applied the switch.
 */
function waitForSwitch(
  client: Awaited<ReturnType<typeof connectLocal>>,
  room: string,
  enabled: boolean,
  timeoutMs: number,
): Promise<boolean> {
  return new Promise((resolvePromise) => {
    const timer = setTimeout(() => done(false), timeoutMs);
    const onMessage = (topic: string, payload: Buffer) => {
      if (topic !== agentTopics.status) return;
      try {
        const s = JSON.parse(payload.toString()) as AgentStatus;
        if (s.cameras?.some((c) => c.room === room && c.enabled === enabled)) done(true);
      } catch {
        /* not a status */
      }
    };
    const done = (ok: boolean) => {
      clearTimeout(timer);
      client.off('message', onMessage);
      resolvePromise(ok);
    };
    client.on('message', onMessage);
  });
}

export function registerCameras(program: Command, localPort: (v: string) => number): void {
  program
    .command('cameras')
    .description(
      "privacy switch: stop (off) or allow (on) reading a room's camera; saved and applied at once",
    )
    .argument('<on|off>', 'off: the agent must not read the camera; on: it may', (v: string) => {
      if (v !== 'on' && v !== 'off') throw new InvalidArgumentError(`say on or off (got "${v}")`);
      return v;
    })
    .argument('<room>', 'the room of the camera (as in `anju-gw pair camera --room`)')
    .option('-c, --config <file>', 'gateway config (env ANJU_CONFIG)', DEFAULT_CONFIG_FILE)
    .option('--local-port <port>', 'port of the local broker (overrides localBroker.port)', localPort)
    .option('--timeout-s <s>', 'how long to wait for the agent to confirm', Number, 5)
    .addHelpText(
      'after',
      '\nThe switch is saved in the config (cameras[].enabled), so it holds across restarts, and sent to the\n' +
        'running agent over its local broker; `anju-gw status` shows it. If the agent is not running, it\n' +
        'applies the saved switch when it starts. (The agent has no camera pipeline yet: no camera is read.)\n' +
        exitHelp('ok', 'failed', 'usage'),
    )
    .action(
      async (
        state: 'on' | 'off',
        room: string,
        opts: { config: string; localPort?: number; timeoutS: number },
      ) => {
        const enabled = state === 'on';
        const configFile = resolve(opts.config);
        editConfigFile(configFile, (doc) => {
          const cameras = doc.get('cameras');
          const items = isSeq(cameras) ? cameras.items : [];
          const at = items.findIndex((c) => isMap(c) && (c as YAMLMap).get('room') === room);
          if (at < 0) {
            const rooms = items.filter(isMap).map((c) => String((c as YAMLMap).get('room')));
            throw new CliExit(
              EXIT.usage,
              `没有 ${room} 的摄像头 / No camera for room "${room}" in ${configFile}${rooms.length ? ` (rooms: ${rooms.join(', ')})` : ' (none configured: anju-gw pair camera)'}`,
            );
          }
          doc.setIn(['cameras', at, 'enabled'], enabled);
        });
        const what = enabled ? '摄像头已开启 / camera ON' : '摄像头已关闭（隐私）/ camera OFF (privacy)';
        console.log(`${room}: ${what}, saved in ${configFile}`);

        const { url } = locateAgent(configFile, opts.localPort);
        let client: Awaited<ReturnType<typeof connectLocal>>;
        try {
          client = await connectLocal(url, 3000);
        } catch {
          console.log(
            '网关程序未运行，启动时会应用。 / The agent is not running: it applies the switch when it starts.',
          );
          return;
        }
        try {
          await client.subscribeAsync(agentTopics.status, { qos: 0 });
          const confirmed = waitForSwitch(client, room, enabled, opts.timeoutS * 1000);
          await client.publishAsync(agentTopics.camerasSet, JSON.stringify({ room, enabled }), { qos: 0 });
          if (!(await confirmed))
            throw new CliExit(
              EXIT.failed,
              `saved, but the agent at ${url} did not confirm within ${opts.timeoutS} s (an older agent?): restart it to apply / 已保存，但网关程序未确认，请重启它`,
            );
          console.log(
            `网关程序已应用 / The running agent applied it (status reports camera ${room} ${state.toUpperCase()}).`,
          );
        } finally {
          await client.endAsync(true);
        }
      },
    );
}
