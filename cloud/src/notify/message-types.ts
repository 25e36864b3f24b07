/**
 * What a text is, stored with it (notifications.message_type). A provider that only sends templates
 * registered in advance (Aliyun) picks the template and its parameters by it; the others send the body.
 */
export const MESSAGE_TYPES = [
  'guardian_alert',
  'guardian_emergency',
  'worker_dispatch',
  'supervisor_escalation',
  'duty_desk_emergency',
  'survey',
  'duty_desk_device_fault',
  'duty_desk_no_visit',
] as const;
export type MessageType = (typeof MESSAGE_TYPES)[number];

/** Rows written before migration 006 have no type: their recipient role tells what they were. */
export function messageTypeOf(type: string | null, role: string): MessageType {
  if (type !== null && (MESSAGE_TYPES as readonly string[]).includes(type)) return type as MessageType;
  switch (role) {
    case 'worker':
      return 'worker_dispatch';
    case 'supervisor':
      return 'supervisor_escalation';
    case 'duty_desk':
      return 'duty_desk_emergency';
    default:
      return 'guardian_alert';
  }
}
