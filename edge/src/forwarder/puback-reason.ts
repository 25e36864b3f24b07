import type { MqttClient, Packet } from 'mqtt';

/** MQTT 5 PUBACK 0x10: the broker took the message and dropped it, because nobody was subscribed. */
export const NO_MATCHING_SUBSCRIBERS = 0x10;

/**
 * Whether a PUBACK reason code means the message did NOT reach a consumer: 0x10 (no matching
 * subscribers) and every failure code (≥ 0x80, [MQTT-3.4.2.1]). MQTT 3.1.1 PUBACKs carry no code (0).
 */
export const isNotDelivered = (reasonCode: number): boolean =>
  reasonCode === NO_MATCHING_SUBSCRIBERS || reasonCode >= 0x80;

/** PUBACK reason codes by message id, as they arrive on each connection (see `publishQos1`). */
const reasonsByClient = new WeakMap<MqttClient, Map<number, number>>();

function pubackReasons(client: MqttClient): Map<number, number> {
  let reasons = reasonsByClient.get(client);
  if (!reasons) {
    const map = new Map<number, number>();
    // MQTT.js emits 'packetreceive' synchronously before it settles the publish, so the code is here by
    // the time the publish callback runs; it frees the message id only after that callback.
    client.on('packetreceive', (p: Packet) => {
      if (p.cmd === 'puback' && p.messageId !== undefined) map.set(p.messageId, p.reasonCode ?? 0);
    });
    // A stray PUBACK (one MQTT.js ignores) must not answer the next PUBLISH that reuses its id.
    client.on('packetsend', (p: Packet) => {
      if (p.cmd === 'publish' && p.messageId !== undefined) map.delete(p.messageId);
    });
    reasonsByClient.set(client, map);
    reasons = map;
  }
  return reasons;
}

/**
 * Publishes at QoS 1 and resolves with the PUBACK's reason code (0 on MQTT 3.1.1). MQTT.js reports
 * 0x10 as plain success and hands the callback the stored PUBLISH, not the PUBACK, so the code is read
 * from the packet stream. Rejects when no PUBACK came (link lost, client ended).
 */
export function publishQos1(client: MqttClient, topic: string, payload: string | Buffer): Promise<number> {
  const reasons = pubackReasons(client);
  return new Promise((resolve, reject) => {
    client.publish(topic, payload, { qos: 1 }, (err, packet) => {
      const id = packet && 'messageId' in packet ? packet.messageId : undefined;
      const reason = id === undefined ? undefined : reasons.get(id);
      if (id !== undefined) reasons.delete(id);
      // A refusal (≥ 0x80) comes as an error with the PUBACK behind it: an answer, not a lost link.
      if (reason !== undefined) resolve(reason);
      else if (err) reject(err);
      else resolve(0);
    });
  });
}
