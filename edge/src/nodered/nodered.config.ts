import { type Static, Type } from '@sinclair/typebox';

/**
 * `nodeRed:` in the gateway config: the embedded Node-RED that runs the installer's rules and reminders
 * (flows in `flows/`). Every option is optional; `{}` gives a running Node-RED with the shipped flows and
 * no editor. Env overrides are listed in `NODERED_ENV_OVERRIDES`.
 */
export const NodeRedConfigSchema = Type.Object(
  {
    /** Run Node-RED at all. Off: no flows, no reminders, nothing listens. Env ANJU_NODERED_ENABLED. */
    enabled: Type.Boolean({ default: true }),
    /**
     * Folder of the shipped flows: every `*.json` in it (one tab per file) is merged into one flow file at
     * start. Default: the repository's `flows/`.
     */
    flowsDir: Type.Optional(Type.String({ minLength: 1 })),
    /**
     * One flow file to load instead of the shipped ones (e.g. an installer's export). Relative paths are
     * resolved against the working directory. Env ANJU_NODERED_FLOWS_FILE.
     */
    flowsFile: Type.Optional(Type.String({ minLength: 1 })),
    /** Node-RED's own folder (context, credentials, runtime settings). Default `<dataDir>/node-red`. */
    userDir: Type.Optional(Type.String({ minLength: 1 })),
    /**
     * Installer parameters of the shipped flows, by name (e.g. `MEDICATION_TIMES: "08:00,19:30"`,
     * `QUIET_START: "21:30"`): each replaces the tab env variable of that name in every flow that declares
     * it. A name that no flow declares is refused (a typo would silently keep the default).
     */
    flowEnv: Type.Record(
      Type.String({ pattern: '^[A-Z][A-Z0-9_]*$', maxLength: 64 }),
      Type.Union([Type.String({ maxLength: 500 }), Type.Number(), Type.Boolean()]),
      { default: {} },
    ),
    /**
     * Encrypts the credentials of flows in `<userDir>/flows_cred.json`. Env ANJU_NODERED_CREDENTIAL_SECRET.
     * Unset: Node-RED generates one and keeps it in `<userDir>/.config.runtime.json`.
     */
    credentialSecret: Type.Optional(Type.String({ minLength: 16 })),
    editor: Type.Object(
      {
        /** The flow editor and its admin API. Off by default: nothing listens. Env ANJU_NODERED_EDITOR_ENABLED. */
        enabled: Type.Boolean({ default: false }),
        /**
         * An IP address of this gateway (loopback by default; reach it over an SSH tunnel). A LAN address
         * (10/8, 172.16/12, 192.168/16, 169.254/16, fc00::/7, fe80::/10) or 0.0.0.0/:: needs a password;
         * public addresses and host names are refused. Env ANJU_NODERED_EDITOR_HOST.
         */
        host: Type.String({ default: '127.0.0.1' }),
        port: Type.Integer({ minimum: 0, maximum: 65535, default: 1880 }),
        username: Type.String({ minLength: 1, maxLength: 64, default: 'installer' }),
        /**
         * bcrypt hash of the editor password (`node-red admin hash-pw`, or any bcrypt tool). Required when
         * the host is not loopback. Env ANJU_NODERED_PASSWORD_HASH.
         */
        passwordHash: Type.Optional(Type.String({ pattern: '^\\$2[aby]\\$\\d{2}\\$[./A-Za-z0-9]{53}$' })),
        /** How long an editor login lasts. */
        sessionExpirySeconds: Type.Integer({ minimum: 60, maximum: 7 * 86_400, default: 8 * 3600 }),
      },
      { default: {} },
    ),
  },
  { additionalProperties: false, default: {} },
);
export type NodeRedConfig = Static<typeof NodeRedConfigSchema>;
export type EditorConfig = NodeRedConfig['editor'];

/** Environment variables that override `nodeRed.*` keys (paths relative to the gateway config root). */
export const NODERED_ENV_OVERRIDES: Record<string, string> = {
  ANJU_NODERED_ENABLED: 'nodeRed.enabled',
  ANJU_NODERED_FLOWS_FILE: 'nodeRed.flowsFile',
  ANJU_NODERED_CREDENTIAL_SECRET: 'nodeRed.credentialSecret',
  ANJU_NODERED_EDITOR_ENABLED: 'nodeRed.editor.enabled',
  ANJU_NODERED_EDITOR_HOST: 'nodeRed.editor.host',
  ANJU_NODERED_EDITOR_PORT: 'nodeRed.editor.port',
  ANJU_NODERED_PASSWORD_HASH: 'nodeRed.editor.passwordHash',
};
