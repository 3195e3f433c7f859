// Response schemas of jobs and deliveries (the wire format the API answers with).
import { z } from "zod";

const timestamp = z.iso.datetime({ offset: true });

/** A job as its organization sees it. */
export const jobSchema = z.object({
  id: z.uuid(),
  org_id: z.uuid(),
  kind: z.string(),
  subject: z.string().nullable(),
  status: z.enum(["queued", "running", "succeeded", "failed", "cancelled"]),
  progress: z.number().min(0).max(1),
  progress_message: z.string(),
  counters: z.record(z.string(), z.number()),
  result: z.unknown(),
  error: z.string().nullable(),
  error_code: z.string().nullable(),
  attempts: z.number().int(),
  max_retries: z.number().int(),
  segment: z.number().int(),
  actor_user_id: z.uuid().nullable(),
  cancelled_by: z.uuid().nullable(),
  created_at: timestamp,
  updated_at: timestamp,
  started_at: timestamp.nullable(),
  finished_at: timestamp.nullable(),
}).strict();

/** One delivery that ran part of a job. */
export const jobDeliverySchema = z.object({
  message_id: z.string(),
  segment: z.number().int(),
  retried: z.number().int(),
  attempts: z.number().int(),
  status: z.enum(["running", "succeeded", "failed", "duplicate"]),
  error: z.string().nullable(),
  received_at: timestamp,
  finished_at: timestamp.nullable(),
}).strict();

/** How a QStash delivery ended (2xx answers). */
export const deliveryOutcomeSchema = z.object({
  status: z.enum([
    "succeeded",
    "continued",
    "cancelled",
    "duplicate",
    "skipped",
    "lease_lost",
    "rejected",
    "reaped",
    "anchored",
    "dispatched",
  ]),
  jobId: z.uuid().nullable().optional(),
  reason: z.string().optional(),
  error: z.string().optional(),
  report: z.record(z.string(), z.unknown()).optional(),
}).strict();
