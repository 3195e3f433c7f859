import { z } from "zod";
import { ORG_ROLES } from "../permissions/mod.ts";

/** Kinds of channel an alert can go out on (in-app is chosen per rule, not a channel). */
export const CHANNEL_KINDS = ["email", "webhook", "slack", "teams", "sms"] as const;
/** A phone number in E.164: `+`, the country code and the number, 8 to 16 characters. */
export const phoneSchema = z.string().trim().regex(
  /^\+[1-9]\d{6,14}$/,
  "must be an E.164 phone number such as +14155550123",
);
/** What a rule can alert on. */
export const RULE_EVENTS = [
  "findings.new",
  "score.drop",
  "job.failed",
  "report.ready",
  "framework.readiness_below",
  "instance.unreachable",
  "suppression.expiring",
  "security.event",
] as const;
export type RuleEvent = (typeof RULE_EVENTS)[number];

/** A channel as members see it: never the webhook secret; Slack/Teams URLs masked. */
export const channelSchema = z.object({
  id: z.uuid(),
  org_id: z.uuid(),
  name: z.string(),
  kind: z.enum(CHANNEL_KINDS),
  url: z.string().nullable(),
  emails: z.array(z.string()),
  phones: z.array(z.string()),
  enabled: z.boolean(),
  /** Failed delivery attempts in a row, and since when (null when the last one went through). */
  consecutive_failures: z.number().int(),
  failing_since: z.string().nullable(),
  /** Set when the channel was disabled after sustained failure; cleared by re-enabling. */
  disabled_at: z.string().nullable(),
  disabled_reason: z.string().nullable(),
  created_at: z.string(),
});
export type Channel = z.infer<typeof channelSchema>;

/** A channel just created or with a new secret: the secret, shown this once. */
export const channelWithSecretSchema = channelSchema.extend({ secret: z.string().nullable() });

export const createChannelSchema = z.object({
  name: z.string().trim().min(1).max(100),
  kind: z.enum(CHANNEL_KINDS),
  url: z.string().trim().min(1).max(2000).optional(),
  emails: z.array(z.email().max(320)).max(50).optional(),
  phones: z.array(phoneSchema).max(20).optional(),
}).strict();
export type CreateChannelInput = z.infer<typeof createChannelSchema>;

export const updateChannelSchema = z.object({
  name: z.string().trim().min(1).max(100).optional(),
  url: z.string().trim().min(1).max(2000).optional(),
  emails: z.array(z.email().max(320)).max(50).optional(),
  phones: z.array(phoneSchema).max(20).optional(),
  enabled: z.boolean().optional(),
}).strict();
export type UpdateChannelInput = z.infer<typeof updateChannelSchema>;

export const ruleSchema = z.object({
  id: z.uuid(),
  org_id: z.uuid(),
  name: z.string(),
  event: z.enum(RULE_EVENTS),
  min_severity: z.enum(["critical", "high"]),
  threshold: z.number().int(),
  framework: z.string().nullable(),
  days: z.number().int(),
  actions: z.array(z.string()),
  channel_ids: z.array(z.uuid()),
  in_app_role: z.enum(ORG_ROLES).nullable(),
  throttle_minutes: z.number().int(),
  enabled: z.boolean(),
  created_at: z.string(),
});
export type Rule = z.infer<typeof ruleSchema>;

const ruleFields = {
  name: z.string().trim().min(1).max(100),
  event: z.enum(RULE_EVENTS),
  /** findings.new: count findings of this severity or worse. */
  min_severity: z.enum(["critical", "high"]),
  /** score.drop: points the overall score must fall by; framework.readiness_below: the score under which it fires. */
  threshold: z.number().int().min(1).max(100),
  /** framework.readiness_below: the framework watched (catalog id); null: any. */
  framework: z.string().regex(/^[a-z0-9_.-]{1,64}$/).nullable(),
  /** suppression.expiring: announce an expiry this many days ahead. */
  days: z.number().int().min(1).max(90),
  /** security.event: audit actions that fire it (`members.*` for a prefix); empty: any. */
  actions: z.array(
    z.string().trim().regex(
      /^[a-z0-9_]+(\.[a-z0-9_]+)*(\.\*)?$/,
      "must be an audit action such as members.change_role, or a prefix such as members.*",
    ).max(100),
  ).max(20),
  channel_ids: z.array(z.uuid()).max(20),
  /** Members with at least this role get an in-app notification; null: nobody. */
  in_app_role: z.enum(ORG_ROLES).nullable(),
  /** At most one alert per rule in this many minutes; 0 turns throttling off. */
  throttle_minutes: z.number().int().min(0).max(10080),
  enabled: z.boolean(),
};
export const createRuleSchema = z.object({
  ...ruleFields,
  min_severity: ruleFields.min_severity.optional(),
  threshold: ruleFields.threshold.optional(),
  framework: ruleFields.framework.optional(),
  days: ruleFields.days.optional(),
  actions: ruleFields.actions.optional(),
  channel_ids: ruleFields.channel_ids.optional(),
  in_app_role: ruleFields.in_app_role.optional(),
  throttle_minutes: ruleFields.throttle_minutes.optional(),
  enabled: ruleFields.enabled.optional(),
}).strict();
export type CreateRuleInput = z.infer<typeof createRuleSchema>;
export const updateRuleSchema = z.object(ruleFields).partial().strict();
export type UpdateRuleInput = z.infer<typeof updateRuleSchema>;

export const inAppNotificationSchema = z.object({
  id: z.uuid(),
  org_id: z.uuid(),
  event: z.string(),
  title: z.string(),
  body: z.string(),
  link: z.string().nullable(),
  read_at: z.string().nullable(),
  created_at: z.string(),
});
export type InAppNotification = z.infer<typeof inAppNotificationSchema>;

export const inboxSchema = z.object({
  data: z.array(inAppNotificationSchema),
  /** Unread notifications, counted up to 100 (100 means 100 or more). */
  unread: z.number().int().describe("Unread notifications, counted up to 100 (100 or more)"),
});

export const inboxQuerySchema = z.object({
  unread_only: z.enum(["true", "false"]).optional(),
  limit: z.coerce.number().int().min(1).max(100).default(30),
}).strict();

export const deliverySchema = z.object({
  id: z.uuid(),
  rule_id: z.uuid().nullable(),
  channel_id: z.uuid().nullable(),
  channel_kind: z.string(),
  cause_key: z.string(),
  status: z.enum(["sent", "failed", "throttled"]),
  response_code: z.number().int().nullable(),
  error: z.string().nullable(),
  message_id: z.string().nullable(),
  /** 1 for the first try on a channel, 2… for its retries. */
  attempt: z.number().int(),
  created_at: z.string(),
});
export type NotificationDelivery = z.infer<typeof deliverySchema>;

/** Query of the delivery log: a status filter and keyset pages (newest first). */
export const deliveriesQuerySchema = z.object({
  status: deliverySchema.shape.status.optional(),
  limit: z.coerce.number().int().min(1).max(100).default(25),
  cursor: z.string().max(200).optional(),
}).strict();
export type DeliveriesQuery = z.output<typeof deliveriesQuerySchema>;

/**
 * A channel as the list shows it: with its latest delivery (null when nothing
 * was sent yet, or when the caller may not read the delivery log).
 */
export const channelListItemSchema = channelSchema.extend({
  last_delivery: z.object({
    status: deliverySchema.shape.status,
    response_code: z.number().int().nullable(),
    error: z.string().nullable(),
    created_at: z.string(),
  }).nullable(),
});
export type ChannelListItem = z.infer<typeof channelListItemSchema>;
