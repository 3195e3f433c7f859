// The JSON bodies QStash carries to the tasks endpoint. They are signed by QStash
// (which only we can publish to), and validated again on arrival.
import { z } from "zod";

/** Run (or continue) segment `segment` of an existing job. */
export const jobMessageSchema = z.object({
  v: z.literal(1),
  type: z.literal("job"),
  jobId: z.uuid(),
  orgId: z.uuid(),
  kind: z.string().min(1).max(100),
  segment: z.number().int().min(0),
  maxRetries: z.number().int().min(0),
});

/** A cron firing: create a job for `kind` and run its first segment. */
export const scheduleMessageSchema = z.object({
  v: z.literal(1),
  type: z.literal("schedule"),
  scheduleId: z.string().min(1).max(100),
  orgId: z.uuid(),
  kind: z.string().min(1).max(100),
  subject: z.string().max(200).nullable(),
  payload: z.unknown(),
  maxRetries: z.number().int().min(0),
  /** Skip a firing while a job of the same kind and subject is queued or running. */
  skipIfRunning: z.boolean(),
  actorUserId: z.uuid().nullable(),
});

/** Housekeeping that acts for no organization. */
export const systemMessageSchema = z.object({
  v: z.literal(1),
  type: z.literal("system"),
  action: z.enum(["reap", "audit_anchor", "dispatch_syncs", "security_alerts"]),
});

/** Any message the tasks endpoint accepts. */
export const taskMessageSchema = z.discriminatedUnion("type", [
  jobMessageSchema,
  scheduleMessageSchema,
  systemMessageSchema,
]);

/** A job message. */
export type JobMessage = z.infer<typeof jobMessageSchema>;
/** A schedule message. */
export type ScheduleMessage = z.infer<typeof scheduleMessageSchema>;
/** A system message. */
export type SystemMessage = z.infer<typeof systemMessageSchema>;
/** Any message the tasks endpoint accepts. */
export type TaskMessage = z.infer<typeof taskMessageSchema>;

/** What the endpoint knows about a delivery besides its body. */
export interface DeliveryMeta {
  /** `Upstash-Message-Id`. */
  messageId: string;
  /** `Upstash-Retried`: 0 on the first attempt. */
  retried: number;
  /** `Upstash-Schedule-Id`, for cron firings. */
  scheduleId?: string | null;
}
