import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import mqtt, { type MqttClient } from 'mqtt';
import { type AgentRuntime, RUNTIME_FILE } from '../agent/agent-status.ts';
import type { GatewayConfig } from '../config/gateway.config.ts';
import { loadGatewayConfig } from '../config/load-config.ts';
import { configFileOrDefault } from './config-path.ts';

/** Exit codes of the installer commands: 0 all well, 1 failed / agent not reachable, 2 usage, 3 degraded. */
export const EXIT_DEGRADED = 3;

/** Ends a command with this exit code (and message on stderr, if any) instead of 0. */
export class CliExit extends Error {
  constructor(
    readonly exitCode: number,
    message = '',
  ) {
    super(message);
  }
}

export interface LocalAgent {
  config: Readonly<GatewayConfig>;
  url: string;
}

/**
 * Where the running agent's local broker is: `--local-port`, else the config's `localBroker.port`, else
 * (port 0: chosen by the OS) the port the agent wrote into `<dataDir>/agent.runtime.json`.
 */
export function locateAgent(configFile: string | undefined, localPort: number | undefined): LocalAgent {
  const config = loadGatewayConfig(configFileOrDefault(configFile), process.env);
  const host = config.localBroker.host === '0.0.0.0' ? '127.0.0.1' : config.localBroker.host;
  let port = localPort ?? config.localBroker.port;
  if (port === 0) {
    const file = join(config.dataDir, RUNTIME_FILE);
    try {
      port = (JSON.parse(readFileSync(file, 'utf8')) as AgentRuntime).localBrokerPort;
    } catch {
      throw new CliExit(
        1,
        `the agent is not running (localBroker.port is 0 and there is no ${file}: the agent writes it at start)`,
      );
    }
  }
  return { config, url: `mqtt://${host}:${port}` };
}

const notRunning = (url: string, why: string) =>
  new CliExit(1, `the agent is not running (no status on the local broker at ${url}: ${why})`);

/** Connects to the agent's local broker, or says the agent is not running. */
export async function connectLocal(url: string, timeoutMs = 5000): Promise<MqttClient> {
  const client = mqtt.connect(url, {
    clientId: `anju-gw-cli-${process.pid}-${Date.now()}`,
    reconnectPeriod: 0,
    connectTimeout: timeoutMs,
    clean: true,
  });
  try {
    await new Promise<void>((resolve, reject) => {
      client.once('connect', () => resolve());
      client.once('error', (err) => reject(err));
      client.once('close', () => reject(new Error('connection closed')));
    });
  } catch (err) {
    client.end(true);
    throw notRunning(url, (err as Error).message);
  }
  client.on('error', () => {});
  return client;
}

/** The first message on `topic` (retained or live), parsed as JSON, or undefined after `timeoutMs`. */
export async function firstMessage(
  client: MqttClient,
  topic: string,
  timeoutMs: number,
): Promise<unknown | undefined> {
  return new Promise((resolve) => {
    const timer = setTimeout(() => done(undefined), timeoutMs);
    const onMessage = (t: string, payload: Buffer) => {
      if (t !== topic) return;
      try {
        done(JSON.parse(payload.toString()));
      } catch {
        /* not ours */
      }
    };
    const done = (v: unknown) => {
      clearTimeout(timer);
      client.off('message', onMessage);
      resolve(v);
    };
    client.on('message', onMessage);
    client.subscribe(topic, { qos: 0 });
  });
}

export { notRunning };
