// Response schemas of instances and syncs (the wire format the API answers with).
import { z } from "zod";
import { jobSchema } from "../tasks/mod.ts";

const timestamp = z.iso.datetime({ offset: true });
const tableAccess = z.enum(["readable", "not_readable", "not_found", "error"]);

/** A connection test's report. */
export const healthReportSchema = z.object({
  status: z.enum(["healthy", "degraded", "unreachable", "auth_failed"]),
  reachable: z.boolean(),
  authenticated: z.boolean(),
  latency_ms: z.number().nullable(),
  build_tag: z.string().nullable(),
  tables: z.array(z.object({ table: z.string(), access: tableAccess }).strict()),
  error: z.object({ code: z.string(), message: z.string() }).strict().nullable(),
  checked_at: timestamp,
}).strict();

/** A sync run in a list (totals only). */
export const syncRunSummarySchema = z.object({
  id: z.uuid(),
  mode: z.enum(["full", "incremental"]),
  trigger: z.enum(["manual", "schedule", "setup"]),
  status: z.enum(["queued", "running", "succeeded", "partial", "failed", "cancelled"]),
  job_id: z.uuid().nullable(),
  started_at: timestamp.nullable(),
  finished_at: timestamp.nullable(),
  duration_ms: z.number().nullable(),
  records_fetched: z.number().int(),
  records_upserted: z.number().int(),
  records_deleted: z.number().int(),
  records_expired: z.number().int(),
  tables_not_readable: z.number().int(),
  error: z.string().nullable(),
  requested_by: z.uuid().nullable(),
  created_at: timestamp,
}).strict();

/** One sync run with its per-table figures. */
export const syncRunDetailSchema = syncRunSummarySchema.extend({
  instance_id: z.uuid(),
  tables: z.array(
    z.object({
      table_name: z.string(),
      status: z.enum(["pending", "running", "succeeded", "not_readable", "not_found", "failed"]),
      records_fetched: z.number().int(),
      records_upserted: z.number().int(),
      records_deleted: z.number().int(),
      records_expired: z.number().int(),
      duration_ms: z.number().nullable(),
      high_watermark: timestamp.nullable(),
      error: z.string().nullable(),
    }).strict(),
  ),
}).strict();

/** An instance as members see it; credentials never leave the server. */
export const instanceSchema = z.object({
  id: z.uuid(),
  org_id: z.uuid(),
  name: z.string(),
  url: z.string(),
  auth_type: z.enum(["basic", "oauth_client_credentials", "oauth_password"]),
  credentials: z.object({ configured: z.literal(true) }).strict(),
  status: z.enum(["pending", "healthy", "degraded", "unreachable", "auth_failed"]),
  build_tag: z.string().nullable(),
  last_health_check_at: timestamp.nullable(),
  /** The last connection test's report; a list leaves out `tables` (GET /instances/:id has them). */
  last_health: healthReportSchema.extend({ tables: healthReportSchema.shape.tables.optional() })
    .nullable(),
  schedule: z.object({
    cron: z.string(),
    timezone: z.string(),
    next_runs: z.array(timestamp),
    /** When the next scheduled sync starts: a next run plus this instance's share of the spread. */
    next_sync_at: timestamp.nullable(),
  }).strict().nullable(),
  last_sync_at: timestamp.nullable(),
  last_sync_status: z.enum(["succeeded", "partial", "failed"]).nullable(),
  last_sync: syncRunSummarySchema.nullable(),
  active_sync: syncRunSummarySchema.nullable(),
  created_by: z.uuid().nullable(),
  created_at: timestamp,
  updated_at: timestamp,
}).strict();

/** What an instance's table looks like to the sync. */
export const instanceTableSchema = z.object({
  table_name: z.string(),
  readable: z.boolean(),
  last_error: z.string().nullable(),
  high_watermark: timestamp.nullable(),
  last_full_sync_at: timestamp.nullable(),
  last_key_scan_at: timestamp.nullable(),
  record_count: z.number().int(),
  updated_at: timestamp,
}).strict();

/** A queued sync: its run and the job that runs it. */
export const queuedSyncSchema = z.object({ run: syncRunSummarySchema, job: jobSchema }).strict();
