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
 * an event reached no consumer). A broker that refuses the level (CONNACK 0x01/0x84) makes it 3.1.1 for
 * the rest of the process, and one that accepts 5 keeps 5: a broker is not swapped under a running
 * gateway often enough to probe again. Some brokers (and proxies) instead close a connection at a level
 * they do not speak without a readable CONNACK: then the next attempt uses the other level, so auto mode
 * cannot stay stuck on one the broker never answers; a link that came up on 3.1.1 that way tries 5
 * again on its next connect (the silence may have been an overloaded broker, not the level).
 */
export class ProtocolVersionChoice {
  private refusedFive = false;
  private acceptedFive = false;
  private probing: MqttProtocolVersion = 5;
  private settled: MqttProtocolVersion | undefined;

  constructor(readonly setting: MqttVersionSetting) {}

  /** The level to connect with next. */
  next(): MqttProtocolVersion {
    if (this.setting !== 'auto') return this.setting;
    if (this.refusedFive) return 4;
    if (this.acceptedFive) return 5;
    return this.probing;
  }

  /** After a CONNACK 0: whether this is the first link (for one log line saying which level). */
  connected(version: MqttProtocolVersion): { first: boolean } {
    const first = this.settled === undefined;
    this.settled = version;
    if (version === 5) this.acceptedFive = true;
    else this.probing = 5;
    return { first };
  }

  /** The TCP (or TLS) connection came up and closed again before any CONNACK. */
  unanswered(version: MqttProtocolVersion): void {
    this.probing = version === 5 ? 4 : 5;
  }

  /** A failed connect: true when auto mode falls back to 3.1.1 because of it (connect again at once). */
  refused(version: MqttProtocolVersion, err: unknown): boolean {
    if (this.setting !== 'auto' || version !== 5 || !isProtocolRefusal(err)) return false;
    this.refusedFive = true;
    return true;
  }
}
