import type { GatewayConfig } from '../config/gateway.config.ts';
import type { Logger } from '../log/logger.ts';
import { agentTopics } from './agent-status.ts';

/**
 * The camera privacy switch inside the agent. The config file holds it across restarts (`cameras[].enabled`,
 * written by `anju-gw cameras on|off`); the same command tells the running agent on its local broker, and the
 * agent applies it at once and reports it in its status. The camera readers (edge/src/camera) ask
 * `isEnabled(room)` before each read and close a camera switched off.
 */
export function startCameraPrivacy(o: {
  cameras: GatewayConfig['cameras'];
  bus: { subscribe(pattern: string, handler: (topic: string, payload: unknown) => void): () => void };
  log: Logger;
  /** The switch changed: publish the status now, so `anju-gw cameras` sees it applied. */
  onChange: () => void;
}) {
  const enabled = new Map(o.cameras.map((c) => [c.room, c.enabled]));
  const off = o.bus.subscribe(agentTopics.camerasSet, (_topic, payload) => {
    const p = payload as { room?: unknown; enabled?: unknown } | undefined;
    if (typeof p?.room !== 'string' || typeof p.enabled !== 'boolean') {
      o.log.warn('camera switch without a room and enabled: true|false ignored');
      return;
    }
    if (!enabled.has(p.room)) {
      o.log.warn({ room: p.room }, 'camera switch for a room with no camera ignored');
      return;
    }
    enabled.set(p.room, p.enabled);
    o.log.info(
      { room: p.room, enabled: p.enabled },
      p.enabled ? 'camera privacy off: camera may be read' : 'camera privacy on: camera not read',
    );
    o.onChange();
  });
  return {
    isEnabled: (room: string) => enabled.get(room) === true,
    list: () => [...enabled].map(([room, on]) => ({ room, enabled: on })),
    stop: off,
  };
}
