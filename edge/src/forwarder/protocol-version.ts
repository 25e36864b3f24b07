/** `cloud.mqttVersion`: 4 = MQTT 3.1.1, 5 = MQTT 5, auto = 5 unless the broker refuses it. */
export type MqttVersionSetting = 'auto' | 4 | 5;
export type MqttProtocolVersion = 4 | 5;

/**
 * CONNACK codes that mean "not this protocol level": 0x01 is MQTT 3.1.1's "unacceptable protocol
 * version" (what a 3.1.1-only broker such as aedes answers a v5 CONNECT with), 0x84 MQTT 5's
 * "unsupported protocol version".
 */
const PROTOCOL_REFUSED = new Set([0x01, 0x84]);

export const isProtocolRefusal = (err: unknown): boolean =>
  typeof (err as { code?: unknown })?.code === 'number' &&
  PROTOCOL_REFUSED.has((err as { code: number }).code);

/**
 * Picks the protocol level for each connect. In auto mode MQTT 5 is tried first (its PUBACK says when
 * an event reached no consumer); a broker that refuses the level makes it 3.1.1 for the rest of the
 * process — a broker is not swapped under a running gateway often enough to probe again.
 */
export class ProtocolVersionChoice {
  private fellBack = false;
  private settled: MqttProtocolVersion | undefined;

  constructor(readonly setting: MqttVersionSetting) {}

  /** The level to connect with next. */
  next(): MqttProtocolVersion {
    if (this.setting !== 'auto') return this.setting;
    return this.fellBack ? 4 : 5;
  }

  /** After a CONNACK 0: the level in use, and whether it is the first time it is known. */
  connected(version: MqttProtocolVersion): { version: MqttProtocolVersion; first: boolean } {
    const first = this.settled === undefined;
    this.settled = version;
    return { version, first };
  }

  /** A failed connect: true when auto mode falls back to 3.1.1 because of it (connect again at once). */
  refused(version: MqttProtocolVersion, err: unknown): boolean {
    if (this.setting !== 'auto' || version !== 5 || !isProtocolRefusal(err)) return false;
    this.fellBack = true;
    return true;
  }

  /** The level last connected with, if any. */
  get inUse(): MqttProtocolVersion | undefined {
    return this.settled;
  }
}
