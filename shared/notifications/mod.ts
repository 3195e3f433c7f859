/**
 * Notifications: alert channels (email, SMS, signed webhooks, Slack, Teams), alert
 * rules, the delivery log and each member's in-app inbox. docs/notifications.md.
 *
 * @module
 */
export * from "./schemas.ts";
export * from "./store.ts";
export * from "./channels.ts";
export * from "./dispatch.ts";
export * from "./setup.ts";
export * from "./sms.ts";
export {
  DELIVERY_RETRIES,
  DISABLE_AFTER_FAILURES,
  DISABLE_AFTER_HOURS,
  notificationDeliverTask,
  RETRIED_KINDS,
} from "./retry.ts";
export { sendTestAlert } from "./test_send.ts";
export { dailyScheduleId, ensureDailySchedule, notificationsDailyTask } from "./daily_task.ts";
export * from "./preferences.ts";
export { applyUnsubscribe, signUnsubscribeToken, verifyUnsubscribeToken } from "./unsubscribe.ts";
export { emailMembers, sendDigests, unsubscribeUrl } from "./member_email.ts";
export { actionMatches, dispatchSecurityEvents, SECURITY_BATCH } from "./security_events.ts";
