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
