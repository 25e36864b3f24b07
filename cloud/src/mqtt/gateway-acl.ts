import { topics } from '../../../contracts/src/index.ts';

/**
 * What a gateway may do on the cloud broker (pure, so it is tested without sockets): publish only to
 * `gw/<its id>/events`, `gw/<its id>/health` and `gw/<its id>/daily`, `gw/<its id>/cmd_result`, subscribe only to `gw/<its id>/cmd`. Everything else,
 * including wildcards and `$SYS/`, is refused.
 */
export function mayPublish(gatewayId: string, topic: string): boolean {
  return (
    topic === topics.events(gatewayId) ||
    topic === topics.health(gatewayId) ||
    topic === topics.daily(gatewayId) ||
    topic === topics.commandResult(gatewayId)
  );
}

export function maySubscribe(gatewayId: string, topicFilter: string): boolean {
  return topicFilter === topics.command(gatewayId);
}

/**
 * The client id a gateway's session gets on the embedded broker: the id it asked for, inside its own
 * namespace `<gatewayId>/<requested>`. A client id is thereby bound to the gateway that logged in, as
 * Mosquitto's `use_username_as_clientid` binds it to the user in distributed mode: whatever id a gateway
 * asks for — another gateway's id, or `gw-<other id>` as the forwarder names its links — it can only
 * ever take over a session of its own (MQTT-3.1.4-2 applies within the namespace). `/` cannot occur in a
 * gateway id (the broker's GATEWAY_ID), so no two gateways' namespaces overlap: gateway `x` asking for
 * `gw-x` and gateway `gw-x` asking for `gw-x` get `x/gw-x` and `gw-x/gw-x`. Issue 18.
 */
export function sessionClientId(gatewayId: string, requested: string): string {
  return `${gatewayId}/${requested}`;
}
