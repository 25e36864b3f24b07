/**
 * The topic map: which schema travels on which topic. Gateway → cloud topics live under `gw/<gatewayId>/`,
 * and a gateway may publish only under its own prefix (enforced by the cloud broker).
 */
export const topics = {
  events: (gatewayId: string) => `gw/${gatewayId}/events`,
  health: (gatewayId: string) => `gw/${gatewayId}/health`,
  daily: (gatewayId: string) => `gw/${gatewayId}/daily`,
  command: (gatewayId: string) => `gw/${gatewayId}/cmd`,
  /** Gateway → cloud: the outcome of a command (CommandResult). */
  commandResult: (gatewayId: string) => `gw/${gatewayId}/cmd_result`,
} as const;

export type CloudTopicKind = 'events' | 'health' | 'daily' | 'cmd' | 'cmd_result';

/** Subscriptions the cloud uses to consume every gateway. */
export const cloudSubscriptions = {
  events: 'gw/+/events',
  health: 'gw/+/health',
  daily: 'gw/+/daily',
} as const;

const GATEWAY_TOPIC = /^gw\/([A-Za-z0-9][A-Za-z0-9_.-]{0,63})\/(events|health|daily|cmd|cmd_result)$/;

/** Splits `gw/<id>/<kind>`; undefined for anything else. */
export function parseGatewayTopic(topic: string): { gatewayId: string; kind: CloudTopicKind } | undefined {
  const m = GATEWAY_TOPIC.exec(topic);
  if (!m) return undefined;
  return { gatewayId: m[1]!, kind: m[2] as CloudTopicKind };
}

/** Local (in-home) topics on the gateway's own broker: `home/<device>/<metric>`. */
export const homeTopics = {
  accel: (device: string) => `home/${device}/accel`,
  heartRate: (device: string) => `home/${device}/heart_rate`,
  battery: (device: string) => `home/${device}/battery`,
  button: (device: string) => `home/${device}/button`,
  /** Ask a wristband to vibrate: `{ pattern: 'reminder' | 'alert' | 'ack', source? }` (flows/quiet-hours). */
  vibrate: (device: string) => `home/${device}/vibrate`,
  /**
   * The "I'm OK" prompt on a wristband during a fall's confirm window: `{ action: 'start', seconds }` makes
   * it vibrate and beep until `{ action: 'stop' }`, the elder's "I'm OK", or the seconds run out.
   */
  prompt: (device: string) => `home/${device}/prompt`,
  /** Events the agent raised, for local consumers (Node-RED). */
  events: 'home/agent/events',
} as const;
