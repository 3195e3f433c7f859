// Response schemas of the reports API (the wire format it answers with):
// timestamps are ISO 8601 text, as the JSON body carries them.
import { z } from "zod";
import { reportSpecSchema } from "./model.ts";
import { EXPORT_FORMATS } from "./service.ts";

const timestamp = z.iso.datetime({ offset: true });
const schedule = z.enum(["daily", "weekly", "monthly"]);

/** A saved report. */
export const definitionApiSchema = z.object({
  id: z.uuid(),
  org_id: z.uuid(),
  name: z.string(),
  spec: reportSpecSchema,
  format: z.enum(EXPORT_FORMATS),
  schedule: schedule.nullable(),
  schedule_id: z.string().nullable(),
  recipients: z.array(z.string()),
  webhook_url: z.string().nullable(),
  created_by: z.uuid().nullable(),
  created_at: timestamp,
  updated_at: timestamp,
}).strict();

/** A generated file, with its job's progress while it runs. */
export const exportApiSchema = z.object({
  id: z.uuid(),
  org_id: z.uuid(),
  definition_id: z.uuid().nullable(),
  title: z.string(),
  format: z.enum(EXPORT_FORMATS),
  trigger: z.enum(["manual", "schedule"]),
  status: z.enum(["queued", "running", "succeeded", "failed", "cancelled"]),
  job_id: z.uuid().nullable(),
  progress: z.number().min(0).max(1),
  progress_message: z.string(),
  filename: z.string().nullable(),
  content_type: z.string().nullable(),
  byte_size: z.number().nullable(),
  sha256: z.string().nullable(),
  rows: z.number().nullable(),
  error: z.string().nullable(),
  requested_by: z.uuid().nullable(),
  created_at: timestamp,
  finished_at: timestamp.nullable(),
  expires_at: timestamp,
}).strict();

/** A link as listed (never its token). */
export const linkApiSchema = z.object({
  id: z.uuid(),
  export_id: z.uuid(),
  kind: z.enum(["download", "share"]),
  label: z.string().nullable(),
  created_by: z.uuid().nullable(),
  created_at: timestamp,
  expires_at: timestamp,
  revoked_at: timestamp.nullable(),
  last_used_at: timestamp.nullable(),
  use_count: z.number().int(),
  active: z.boolean(),
}).strict();

/** One delivery of a generated report by email or webhook. */
export const deliveryApiSchema = z.object({
  id: z.uuid(),
  export_id: z.uuid().nullable(),
  definition_id: z.uuid().nullable(),
  channel: z.enum(["email", "webhook"]),
  target: z.string(),
  mode: z.enum(["link", "attachment"]).nullable(),
  status: z.enum(["pending", "sent", "failed"]),
  response_code: z.number().int().nullable(),
  error: z.string().nullable(),
  attempts: z.number().int(),
  message_id: z.string().nullable(),
  created_at: timestamp,
  sent_at: timestamp.nullable(),
}).strict();
