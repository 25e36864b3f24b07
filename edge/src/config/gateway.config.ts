import { type Static, Type } from '@sinclair/typebox';
import { DEFAULT_IN_FLIGHT_WINDOW } from '../forwarder/delivery-window.ts';
import { NODERED_ENV_OVERRIDES, NodeRedConfigSchema } from '../nodered/nodered.config.ts';
import { DEFAULT_OUTBOX_LIMITS } from '../outbox/outbox-limits.ts';
import { SupervisionConfigSchema } from '../supervision/supervision.config.ts';

const Id = Type.String({ minLength: 1, maxLength: 64, pattern: '^[A-Za-z0-9][A-Za-z0-9_.-]*$' });

/**
 * The gateway's one config file (YAML or JSON). Every option says its unit in its name; the env var that
 * overrides it is listed in `ENV_OVERRIDES`. Secrets come from the file (mode 0600) or the environment.
 */
export const GatewayConfigSchema = Type.Object(
  {
    gatewayId: Id,
    residentId: Id,
    dataDir: Type.String({ minLength: 1, description: 'where the outbox and state live' }),
    logFile: Type.Optional(
      Type.String({ minLength: 1, description: 'also append the JSON log here (read by `anju-gw logs`)' }),
    ),
    localBroker: Type.Object(
      {
        host: Type.String({
          default: '127.0.0.1',
          description: 'loopback by default: readings stay in the home',
        }),
        port: Type.Integer({ minimum: 0, maximum: 65535, default: 1885 }),
      },
      { default: {} },
    ),
    cloud: Type.Object({
      url: Type.String({ pattern: '^mqtts?://', description: 'mqtt://host:port or mqtts://host:port' }),
      /** The MQTT password; `anju-gw init` keeps it out of this file, in `secretFile` (mode 0600). */
      secret: Type.String({ minLength: 8 }),
      secretFile: Type.Optional(
        Type.String({
          minLength: 1,
          description: 'credentials file written by `anju-gw init` (mode 0600); read when `secret` is unset',
        }),
      ),
      caFile: Type.Optional(Type.String({ description: 'PEM CA bundle for mqtts' })),
      reconnectMinMs: Type.Integer({ minimum: 10, default: 500 }),
      reconnectMaxMs: Type.Integer({ minimum: 100, default: 30_000 }),
      heartbeatIntervalS: Type.Integer({ minimum: 5, maximum: 3600, default: 60 }),
      mqttVersion: Type.Union([Type.Literal('auto'), Type.Literal(4), Type.Literal(5)], {
        default: 'auto',
        description:
          'MQTT protocol level: 5 (its PUBACK says when no cloud consumer took an event), 4 (3.1.1), or ' +
          'auto: 5, falling back to 3.1.1 for the run when the broker refuses 5 (the embedded cloud broker)',
      }),
      inFlightWindow: Type.Integer({
        minimum: 1,
        maximum: 1024,
        default: DEFAULT_IN_FLIGHT_WINDOW,
        description: 'events on the wire at once while the outbox drains (1 = one at a time)',
      }),
      // Below the cloud's default per-gateway limit (limits.gatewayMessagesPerS 50, gatewayBurst 200):
      // behind an external broker the cloud can only shed what comes faster (telemetry-pacer.ts).
      telemetryPerS: Type.Integer({
        minimum: 0,
        maximum: 10_000,
        default: 40,
        description:
          'telemetry-class events per second at most while the outbox drains (0 = unpaced); urgent events are never paced',
      }),
      telemetryBurst: Type.Integer({
        minimum: 1,
        maximum: 10_000,
        default: 100,
        description: 'telemetry-class events that may go at once before the pace applies',
      }),
    }),
    /**
     * Bound of the durable outbox (a gateway offline for days must not fill its disk). Past it, or when
     * the disk is full, telemetry-class events go first, oldest first, counted; urgent events never do.
     */
    outbox: Type.Object(
      {
        maxEntries: Type.Integer({ minimum: 10, default: DEFAULT_OUTBOX_LIMITS.maxEntries }),
        maxBytes: Type.Integer({ minimum: 64 * 1024, default: DEFAULT_OUTBOX_LIMITS.maxBytes }),
      },
      { default: {}, additionalProperties: false },
    ),
    wristband: Type.Optional(
      Type.Object({
        device: Id,
        path: Type.String({ minLength: 1, description: 'serial port of the wristband receiver' }),
        baudRate: Type.Integer({ minimum: 1200, maximum: 4_000_000, default: 115_200 }),
        reopenMinMs: Type.Integer({ minimum: 10, default: 250 }),
        reopenMaxMs: Type.Integer({ minimum: 100, default: 10_000 }),
      }),
    ),
    fall: Type.Object(
      {
        scorer: Type.String({
          default: 'fall-model',
          description: 'fall-model (TensorFlow.js, models/fall) or fall-baseline (threshold)',
        }),
        threshold: Type.Optional(Type.Number({ minimum: 0, maximum: 1 })),
        modelDir: Type.Optional(Type.String()),
        // Long enough to press a button after getting up; short enough that help is not late.
        confirmWindowMs: Type.Integer({ minimum: 0, maximum: 300_000, default: 30_000 }),
        dedupeMs: Type.Integer({ minimum: 0, default: 60_000 }),
      },
      { default: {} },
    ),
    /**
     * Home sensors and meters: one entry per driver instance, `type` naming the driver (zigbee2mqtt,
     * modbus-rtu, dlt645, pulse-counter) and the rest its own config (see each driver's README).
     */
    devices: Type.Array(Type.Object({ type: Type.String() }, { additionalProperties: true }), {
      default: [],
    }),
    /**
     * Cameras, one per room (`anju-gw pair camera`). `enabled: false` is the privacy switch (`anju-gw
     * cameras off <room>`): the agent does not open that camera at all. Read by edge/src/camera (docs/camera.md):
     * http(s) snapshot URL, rtsp:// or v4l2:///dev/videoN through ffmpeg, file:///dir a folder of JPEGs.
     */
    cameras: Type.Array(
      Type.Object(
        {
          room: Type.String({ minLength: 1, maxLength: 64, pattern: '^[A-Za-z0-9][A-Za-z0-9_.-]*$' }),
          url: Type.String({
            pattern: '^(rtsp|https?|v4l2|file)://',
            description: 'RTSP stream, HTTP snapshot URL, v4l2:///dev/videoN or file:///folder/of/jpegs',
          }),
          enabled: Type.Boolean({ default: true, description: 'false: privacy on, the camera is not read' }),
        },
        { additionalProperties: false },
      ),
      { default: [] },
    ),
    /** How cameras are read (docs/camera.md). Frames stay in memory; only a daily affect summary leaves. */
    camera: Type.Object(
      {
        frameIntervalMs: Type.Integer({ minimum: 200, maximum: 600_000, default: 2000 }),
        timeoutMs: Type.Integer({ minimum: 500, maximum: 60_000, default: 5000 }),
        /** A snapshot larger than this is refused unread (a camera misconfigured to full-size stills). */
        maxImageBytes: Type.Integer({ minimum: 10_000, maximum: 50_000_000, default: 4_000_000 }),
        maxPixels: Type.Integer({ minimum: 10_000, maximum: 40_000_000, default: 8_300_000 }),
        /** RTSP/V4L2 frames are scaled (letterboxed) to this size by ffmpeg. */
        width: Type.Integer({ minimum: 160, maximum: 1920, default: 640 }),
        height: Type.Integer({ minimum: 120, maximum: 1080, default: 480 }),
        backoffMinMs: Type.Integer({ minimum: 100, default: 2000 }),
        backoffMaxMs: Type.Integer({ minimum: 100, default: 300_000 }),
        /** Read cameras and score affect; false keeps the cameras closed whatever their switch says. */
        emotion: Type.Boolean({ default: true }),
        /**
         * An empty room whose picture has not changed skips the face detector, but is analysed at least this
         * often (camera/still-scene.ts); 0 analyses every frame.
         */
        stillSceneMaxSkipMs: Type.Integer({ minimum: 0, maximum: 3_600_000, default: 60_000 }),
      },
      { default: {} },
    ),
    /** Embedded Node-RED with the installer's rules (flows/); see edge/src/nodered/README.md. */
    nodeRed: NodeRedConfigSchema,
    home: Type.Object(
      {
        /** Learn the home's routine from its sensors and raise unusual silences and safety events. */
        enabled: Type.Boolean({ default: true }),
        stateSaveIntervalMs: Type.Integer({ minimum: 10_000, default: 600_000 }),
      },
      { default: {} },
    ),
    /** Supervision of the band, receiver, sensors and meters, and the heart-rate limits (issue 16). */
    supervision: SupervisionConfigSchema,
  },
  { additionalProperties: false },
);
export type GatewayConfig = Static<typeof GatewayConfigSchema>;

/** Environment variables that override config keys (for containers and the installer CLI). */
export const ENV_OVERRIDES: Record<string, string> = {
  ...NODERED_ENV_OVERRIDES,
  ANJU_GATEWAY_ID: 'gatewayId',
  ANJU_RESIDENT_ID: 'residentId',
  ANJU_DATA_DIR: 'dataDir',
  ANJU_LOG_FILE: 'logFile',
  ANJU_LOCAL_BROKER_PORT: 'localBroker.port',
  ANJU_CLOUD_URL: 'cloud.url',
  ANJU_CLOUD_SECRET: 'cloud.secret',
  ANJU_CLOUD_MQTT_VERSION: 'cloud.mqttVersion',
  ANJU_CLOUD_IN_FLIGHT_WINDOW: 'cloud.inFlightWindow',
  ANJU_CLOUD_TELEMETRY_PER_S: 'cloud.telemetryPerS',
  ANJU_OUTBOX_MAX_ENTRIES: 'outbox.maxEntries',
  ANJU_OUTBOX_MAX_BYTES: 'outbox.maxBytes',
  ANJU_WRISTBAND_PATH: 'wristband.path',
  ANJU_CONFIRM_WINDOW_MS: 'fall.confirmWindowMs',
  ANJU_FALL_SCORER: 'fall.scorer',
};
