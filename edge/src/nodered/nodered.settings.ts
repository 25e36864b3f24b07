import type { Logger } from '../log/logger.ts';
import type { AnjuBridge } from './anju.bridge.ts';
import type { EditorConfig } from './nodered.config.ts';

/** Node-RED's log message (from @node-red/util log). */
interface NodeRedLogMessage {
  level: number;
  msg?: unknown;
  type?: string;
  id?: string;
  name?: string;
  z?: string;
}

// @node-red/util log levels → pino; audit (98) to debug, metrics (99) dropped (they are off anyway).
const LEVELS: Record<number, 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace'> = {
  10: 'fatal',
  20: 'error',
  30: 'warn',
  40: 'info',
  50: 'debug',
  60: 'trace',
  98: 'debug',
};

/** A Node-RED `logging` handler writing to our pino child logger: one log stream for the whole gateway. */
export function pinoLogHandler(log: Logger) {
  return () => (m: NodeRedLogMessage) => {
    const level = LEVELS[m.level];
    if (!level) return;
    const node = m.type ? { nodeType: m.type, nodeId: m.id, nodeName: m.name, flowId: m.z } : {};
    if (m.msg instanceof Error) log[level]({ ...node, err: m.msg }, m.msg.message);
    else log[level](node, typeof m.msg === 'string' ? m.msg : JSON.stringify(m.msg));
  };
}

export interface SettingsInput {
  userDir: string;
  flowFile: string;
  nodesDir: string;
  credentialSecret?: string | undefined;
  editor: EditorConfig;
  bridge: AnjuBridge;
  log: Logger;
}

/**
 * The settings object Node-RED is initialised with. Everything that could reach outside the home or change
 * the gateway's code is off: no palette manager, no npm installs (nodes or function modules), no projects,
 * no telemetry or update checks, no HTTP-in endpoints. The editor and admin API exist only when enabled,
 * and then behind adminAuth when a password hash is set.
 */
export function nodeRedSettings(s: SettingsInput): Record<string, unknown> {
  const editorOn = s.editor.enabled;
  return {
    userDir: s.userDir,
    flowFile: s.flowFile,
    flowFilePretty: true,
    nodesDir: [s.nodesDir],
    ...(s.credentialSecret === undefined ? {} : { credentialSecret: s.credentialSecret }),
    httpAdminRoot: editorOn ? '/' : false,
    disableEditor: !editorOn,
    httpNodeRoot: false,
    ...(editorOn && s.editor.passwordHash !== undefined
      ? {
          adminAuth: {
            type: 'credentials',
            sessionExpiryTime: s.editor.sessionExpirySeconds,
            users: [{ username: s.editor.username, password: s.editor.passwordHash, permissions: '*' }],
          },
        }
      : {}),
    // Function nodes see an empty global context: the bridge travels in settings, out of their reach.
    functionGlobalContext: {},
    exportGlobalContextKeys: false,
    functionExternalModules: false,
    externalModules: {
      autoInstall: false,
      palette: { allowInstall: false, allowUpload: false },
      modules: { allowInstall: false },
    },
    editorTheme: {
      header: { title: 'Anju · Node-RED' },
      projects: { enabled: false },
      palette: { catalogues: [] },
      tours: false,
      userMenu: true,
    },
    telemetry: { enabled: false, updateNotification: false },
    diagnostics: { enabled: false, ui: false },
    runtimeState: { enabled: false, ui: false },
    logging: { anju: { level: 'info', metrics: false, audit: false, handler: pinoLogHandler(s.log) } },
    anjuBridge: s.bridge,
  };
}
