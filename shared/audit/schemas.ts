import { z } from "zod";

/** Who acted: the kinds the audit trail distinguishes. */
export const ACTOR_KINDS = [
  "user",
  "worker",
  "api_key",
  "billing_webhook",
  "anonymous",
  "service",
  "system",
] as const;

/** One field that changed, as the detail view shows it. */
export const auditChangeSchema = z.object({
  field: z.string(),
  before: z.unknown(),
  after: z.unknown(),
}).strict();

/** One entry of the audit trail, as the API answers it. */
export const auditEntrySchema = z.object({
  id: z.uuid(),
  org_id: z.uuid(),
  seq: z.number().int(),
  occurred_at: z.string(),
  actor_kind: z.enum(ACTOR_KINDS),
  actor_id: z.string().nullable(),
  actor_email: z.string().nullable(),
  on_behalf_of: z.uuid().nullable(),
  action: z.string(),
  category: z.enum(["change", "security"]),
  operation: z.enum(["insert", "update", "delete", "event", "snapshot"]),
  target_table: z.string(),
  target_id: z.string().nullable(),
  request_id: z.string().nullable(),
  ip: z.string().nullable(),
  user_agent: z.string().nullable(),
  route: z.string().nullable(),
  hash: z.string(),
}).strict();
export type AuditEntry = z.infer<typeof auditEntrySchema>;

/** An entry with what changed, for the detail view. */
export const auditEntryDetailSchema = auditEntrySchema.extend({
  prev_hash: z.string(),
  before: z.record(z.string(), z.unknown()).nullable(),
  after: z.record(z.string(), z.unknown()).nullable(),
  changes: z.array(auditChangeSchema),
}).strict();
export type AuditEntryDetail = z.infer<typeof auditEntryDetailSchema>;

const isoTime = z.iso.datetime({ offset: true });

/** Filters of the audit list and its CSV export. */
export const auditFilterSchema = z.object({
  org_id: z.uuid(),
  actor: z.string().trim().min(1).max(200).optional(),
  action: z.string().trim().min(1).max(200).optional(),
  target_table: z.string().trim().min(1).max(100).optional(),
  target_id: z.string().trim().min(1).max(200).optional(),
  category: z.enum(["change", "security"]).optional(),
  from: isoTime.optional(),
  to: isoTime.optional(),
}).strict();
export type AuditFilter = z.infer<typeof auditFilterSchema>;

/** Query of the audit list: filters, page size and cursor. */
export const auditListQuerySchema = auditFilterSchema.extend({
  limit: z.coerce.number().int().min(1).max(200).default(50),
  cursor: z.string().max(200).optional(),
}).strict();
export type AuditListQuery = z.infer<typeof auditListQuerySchema>;

/** Where an organization's retained audit history starts (its latest retention purge). */
export const historyStartSchema = z.object({
  /** The first retained entry: verification starts here. */
  seq: z.number().int(),
  /** When that entry was written: nothing older is kept. */
  starts_at: z.string(),
  purged_at: z.string(),
}).strict();

/** The chain's verification result. */
export const auditVerificationSchema = z.object({
  ok: z.boolean(),
  entries: z.number().int(),
  head_seq: z.number().int().nullable(),
  head_hash: z.string().nullable(),
  broken_seq: z.number().int().nullable(),
  broken_id: z.uuid().nullable(),
  reason: z.string().nullable(),
  checked_at: z.string(),
  anchor: z.object({ seq: z.number().int(), hash: z.string(), anchored_at: z.string() })
    .nullable(),
  /** Where the retained history starts after retention purges (null: at entry 1). */
  history_start: historyStartSchema.nullable(),
}).strict();
export type AuditVerification = z.infer<typeof auditVerificationSchema>;

/** Query of the access review. */
export const accessReviewQuerySchema = z.object({
  org_id: z.uuid(),
  from: isoTime,
  to: isoTime,
}).strict().refine((q) => new Date(q.from) <= new Date(q.to), {
  message: "`from` must not be after `to`",
  path: ["from"],
});
export type AccessReviewQuery = z.infer<typeof accessReviewQuerySchema>;

/** One period during which a person held one role. */
export const accessPeriodSchema = z.object({
  user_id: z.string(),
  email: z.string().nullable(),
  role: z.string(),
  /** When the role was granted (null: before the audit trail began). */
  granted_at: z.string().nullable(),
  granted_by: z.string().nullable(),
  granted_by_email: z.string().nullable(),
  /** When it ended (null: still held at the end of the period). */
  ended_at: z.string().nullable(),
  ended_by: z.string().nullable(),
  ended_by_email: z.string().nullable(),
  /** How it ended: `role_changed`, `removed`, or null. */
  ended_how: z.enum(["role_changed", "removed"]).nullable(),
}).strict();
export type AccessPeriod = z.infer<typeof accessPeriodSchema>;

/** The access review: role periods, and when the audit history they come from starts. */
export const accessReviewSchema = z.object({
  data: z.array(accessPeriodSchema),
  /** Entries before this were purged under the plan's retention (null: nothing purged). */
  history_starts_at: z.string().nullable(),
}).strict();
export type AccessReview = z.infer<typeof accessReviewSchema>;

/** Query of the sign-in events. */
export const signInQuerySchema = z.object({
  org_id: z.uuid(),
  from: isoTime.optional(),
  to: isoTime.optional(),
  limit: z.coerce.number().int().min(1).max(500).default(100),
}).strict();
export type SignInQuery = z.infer<typeof signInQuerySchema>;

/** One sign-in event of a member or former member (from Supabase Auth's log). */
export const signInEventSchema = z.object({
  at: z.string(),
  action: z.string(),
  user_id: z.uuid(),
  email: z.string().nullable(),
  ip: z.string().nullable(),
}).strict();
export type SignInEvent = z.infer<typeof signInEventSchema>;
