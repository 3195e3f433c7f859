/**
 * Notifications: alert channels (email, signed webhooks, Slack, Teams), alert
 * rules, the delivery log and each member's in-app inbox. docs/notifications.md.
 *
 * @module
 */
export * from "./schemas.ts";
export * from "./store.ts";
export * from "./channels.ts";
export * from "./dispatch.ts";
export * from "./setup.ts";
export { sendTestAlert } from "./test_send.ts";
export { dailyScheduleId, ensureDailySchedule, notificationsDailyTask } from "./daily_task.ts";
export * from "./preferences.ts";
export { applyUnsubscribe, signUnsubscribeToken, verifyUnsubscribeToken } from "./unsubscribe.ts";
export { emailMembers, sendDigests, unsubscribeUrl } from "./member_email.ts";
