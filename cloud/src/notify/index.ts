export type { CaseTimelinePort } from './case-timeline.port.ts';
export {
  caseRef,
  formatTime,
  type GuardianAlertInput,
  renderGuardianAlert,
} from './guardian-alert.template.ts';
export { createNotificationSender, type NotificationSender } from './notification.sender.ts';
export {
  createNotificationsRepository,
  type NewNotification,
  type NotificationsRepository,
} from './notifications.repository.ts';
export { notificationsRoutes } from './notifications.routes.ts';
export { Notification, NotificationStatus, RecipientRole } from './notifications.schemas.ts';
export { builtInNotifiers, createNotifierRegistry, type NotifierRegistry } from './notifier.registry.ts';
export {
  type DeliveryReceipt,
  maskPhone,
  type Notifier,
  type NotifierFactory,
  type OutboundMessage,
} from './notifier.ts';
export { heldTextsJob, pendingTextsJob } from './notify.jobs.ts';
export { type Queued, sendable } from './pending-text.ts';
export { createSmsLogNotifier } from './sms-log.notifier.ts';
export {
  renderDutyDeskDeviceFault,
  renderDutyDeskEmergency,
  renderDutyDeskNoVisit,
  renderGuardianEmergency,
  renderSupervisorEscalation,
  renderWorkerDispatch,
  type StaffAlertInput,
  shareableAddress,
} from './staff-alert.template.ts';
