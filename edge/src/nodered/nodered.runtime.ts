import type { EventEmitter } from 'node:events';
import { once } from 'node:events';
import { mkdirSync, writeFileSync } from 'node:fs';
import { createServer, type RequestListener, type Server } from 'node:http';
import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';
import { join, resolve } from 'node:path';
import { homeTopics } from '../../../contracts/src/index.ts';
import { PACKAGE_ROOT } from '../../../contracts/src/package-root.ts';
import { UserError } from '../errors.ts';
import type { Logger } from '../log/logger.ts';
import { type BusPort, createAnjuBridge, type RaiseFn } from './anju.bridge.ts';
import { assertEditorSecure } from './editor.guard.ts';
import { loadShippedFlows } from './flows.loader.ts';
import type { NodeRedConfig } from './nodered.config.ts';
import { nodeRedSettings } from './nodered.settings.ts';

/** The part of the `node-red` package we use (it ships no types). */
interface NodeRedModule {
  init(server: Server | null, settings: Record<string, unknown>): void;
  start(): Promise<void>;
  stop(): Promise<void>;
  readonly httpAdmin: RequestListener;
  readonly events: EventEmitter;
}

/** The repository's `flows/` (shipped flows) and its custom nodes. */
export const SHIPPED_FLOWS_DIR = join(PACKAGE_ROOT, 'flows');
export const ANJU_NODES_DIR = join(PACKAGE_ROOT, 'flows', 'nodes', 'anju');
const FLOWS_START_TIMEOUT_MS = 30_000;

export interface StartNodeRedOptions {
  /** `nodeRed:` from the gateway config, defaults applied (NodeRedConfigSchema). */
  config: NodeRedConfig;
  /** The gateway's data folder: `userDir` defaults to `<dataDir>/node-red`. */
  dataDir: string;
  /** The local broker: `anju in` subscribes and `anju publish` publishes in-process. */
  bus: BusPort;
  /** Raises an event through the outbox (the gateway's `createRaiseEvent`); resolves once it is on disk. */
  raise: RaiseFn;
  log: Logger;
  now?: () => number;
}

export interface NodeRedHandle {
  /** The editor's port, or undefined when the editor is off (nothing listens). */
  readonly port: number | undefined;
  readonly url: string | undefined;
  /** How many nodes (tabs included) the runtime loaded. */
  readonly nodeCount: number;
  /** Stops the flows and the editor. Final: Node-RED cannot be started again in this process. */
  stop(): Promise<void>;
}

let started = false;

/**
 * Embeds Node-RED in the gateway process: the shipped flows (or `flowsFile`), the `anju` nodes wired to the
 * local broker and the outbox, and the editor when enabled. Resolves once the flows are running; refuses
 * (UserError) an unprotected network editor, bad flows or unknown node types before anything listens.
 * Returns undefined when `config.enabled` is false. One Node-RED per process (a limit of Node-RED itself).
 */
export async function startNodeRed(opts: StartNodeRedOptions): Promise<NodeRedHandle | undefined> {
  const { config } = opts;
  const log = opts.log.child({ component: 'node-red' });
  if (!config.enabled) {
    log.info('node-red disabled');
    return undefined;
  }
  assertEditorSecure(config.editor);
  if (started) throw new UserError('EDGE_NODERED_TWICE', 'Node-RED can only be started once per process');

  const userDir = resolve(config.userDir ?? join(opts.dataDir, 'node-red'));
  mkdirSync(userDir, { recursive: true, mode: 0o700 });
  let flowFile: string;
  let nodeCount: number | undefined;
  if (config.flowsFile !== undefined) {
    flowFile = resolve(config.flowsFile);
    if (Object.keys(config.flowEnv).length > 0)
      log.warn({ flowFile }, 'nodeRed.flowEnv applies to the shipped flows only; ignored with flowsFile');
  } else {
    // Regenerated at every start: the shipped flows are the source of truth (see flows/README.md).
    const flows = loadShippedFlows(config.flowsDir ?? SHIPPED_FLOWS_DIR, config.flowEnv);
    nodeCount = flows.length;
    flowFile = join(userDir, 'flows.json');
    writeFileSync(flowFile, `${JSON.stringify(flows, null, 2)}\n`, { mode: 0o600 });
  }

  const now = opts.now ?? Date.now;
  const bridge = createAnjuBridge({
    bus: opts.bus,
    raise: opts.raise,
    eventsTopic: homeTopics.events,
    now,
    log,
  });
  const settings = nodeRedSettings({
    userDir,
    flowFile,
    nodesDir: ANJU_NODES_DIR,
    credentialSecret: config.credentialSecret,
    editor: config.editor,
    bridge,
    log,
  });

  const RED = createRequire(import.meta.url)('node-red') as NodeRedModule;
  started = true;
  const t0 = performance.now();
  const server = config.editor.enabled ? createServer() : null;
  RED.init(server, settings);
  if (server) server.on('request', RED.httpAdmin);
  const flowsRunning = waitForFlows(RED.events);
  try {
    await RED.start();
    const loaded = await flowsRunning;
    nodeCount ??= loaded;
    if (server) {
      server.listen(config.editor.port, config.editor.host);
      await once(server, 'listening');
    }
  } catch (err) {
    await RED.stop().catch((e: unknown) => log.warn({ err: e }, 'node-red stop after a failed start'));
    server?.close();
    throw err;
  }

  const port = server ? (server.address() as AddressInfo).port : undefined;
  const host = config.editor.host.includes(':') ? `[${config.editor.host}]` : config.editor.host;
  const url = port === undefined ? undefined : `http://${host}:${port}/`;
  log.info(
    { startMs: Math.round(performance.now() - t0), nodes: nodeCount, editor: url ?? 'off', flowFile },
    'node-red flows running',
  );

  let stopping: Promise<void> | undefined;
  return {
    port,
    url,
    nodeCount,
    stop() {
      stopping ??= (async () => {
        if (server) {
          server.closeAllConnections();
          await new Promise<void>((res) => server.close(() => res()));
        }
        await RED.stop();
        log.info('node-red stopped');
      })();
      return stopping;
    },
  };
}

/** Node-RED's start() resolves before the flows run: wait for `flows:started`, or fail on missing types. */
function waitForFlows(events: EventEmitter): Promise<number> {
  return new Promise<number>((res, rej) => {
    const timer = setTimeout(
      () => done(new Error('node-red flows did not start within 30 s')),
      FLOWS_START_TIMEOUT_MS,
    );
    const onStarted = (e: {
      config?: { flows?: Record<string, unknown>; allNodes?: Record<string, unknown> };
    }) => done(undefined, Object.keys(e.config?.allNodes ?? {}).length);
    const onRuntime = (e: {
      id?: string;
      payload?: { error?: string; types?: string[]; modules?: unknown };
    }) => {
      if (e.id !== 'runtime-state' || !e.payload?.error) return;
      const what = e.payload.types ? `: ${e.payload.types.join(', ')}` : '';
      done(new UserError('EDGE_NODERED_FLOWS', `node-red cannot run the flows (${e.payload.error}${what})`));
    };
    function done(err: Error | undefined, count = 0) {
      clearTimeout(timer);
      events.off('flows:started', onStarted);
      events.off('runtime-event', onRuntime);
      if (err) rej(err);
      else res(count);
    }
    events.on('flows:started', onStarted);
    events.on('runtime-event', onRuntime);
  });
}
