import { Cron } from "croner";
import { z } from "zod";
import { instanceCredentialsSchema } from "./credentials.ts";

/** Least time between two scheduled syncs of one instance. */
export const MIN_SYNC_INTERVAL_MINUTES = 15;

/** A parsed sync schedule. */
export interface SyncSchedule {
  /** Five-field cron expression (minute hour day-of-month month day-of-week). */
  cron: string;
  /** IANA time zone the expression is read in. */
  timezone: string;
}

/**
 * Reads a stored `sync_cron` value (`CRON_TZ=<zone> <cron>` or a bare cron in UTC).
 *
 * @param stored the column value
 */
export function parseStoredSchedule(stored: string | null): SyncSchedule | null {
  if (!stored) return null;
  const match = /^CRON_TZ=(\S+)\s+(.+)$/.exec(stored);
  return match ? { timezone: match[1]!, cron: match[2]! } : { timezone: "UTC", cron: stored };
}

/**
 * The `sync_cron` value for a schedule, in the form QStash's `Upstash-Cron` takes.
 *
 * @param schedule cron and time zone
 */
export function formatStoredSchedule(schedule: SyncSchedule): string {
  return schedule.timezone === "UTC"
    ? schedule.cron
    : `CRON_TZ=${schedule.timezone} ${schedule.cron}`;
}

/**
 * The next `count` times a schedule fires.
 *
 * @param schedule cron and time zone
 * @param count how many
 * @param from start looking after this instant
 */
export function nextRuns(schedule: SyncSchedule, count: number, from = new Date()): Date[] {
  const job = new Cron(schedule.cron, {
    mode: "5-part",
    timezone: schedule.timezone,
    paused: true,
  });
  try {
    return job.nextRuns(count, from);
  } finally {
    job.stop();
  }
}

/**
 * When an instance's next scheduled sync starts: the schedule's next time after
 * `after`, plus the instance's fixed share of the spread (at most half the gap
 * between two firings, so a frequent schedule keeps its rhythm).
 *
 * @param schedule cron and time zone
 * @param instanceId the instance (its offset is a hash of the id)
 * @param spreadSeconds the configured spread
 * @param after the instant to look after
 */
export function nextSyncAt(
  schedule: SyncSchedule,
  instanceId: string,
  spreadSeconds: number,
  after: Date,
): Date | null {
  const [first, second] = nextRuns(schedule, 2, after);
  if (!first) return null;
  const gapMs = second ? second.getTime() - first.getTime() : 86_400_000;
  const windowMs = Math.min(spreadSeconds * 1000, gapMs / 2);
  return new Date(first.getTime() + Math.floor(spreadFraction(instanceId) * windowMs));
}

/** A stable number in [0, 1) from an id (FNV-1a). */
function spreadFraction(id: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < id.length; i++) {
    hash ^= id.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash / 0x1_0000_0000;
}

function validTimeZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat("en", { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}

/** A sync schedule as the API takes it: a five-field cron and an optional time zone. */
export const scheduleSchema = z.object({
  cron: z.string().trim().min(9).max(120),
  timezone: z.string().trim().max(64).default("UTC"),
}).strict().superRefine((value, ctx) => {
  if (!validTimeZone(value.timezone)) {
    ctx.addIssue({ code: "custom", path: ["timezone"], message: "Unknown time zone" });
    return;
  }
  if (value.cron.split(/\s+/).length !== 5) {
    ctx.addIssue({
      code: "custom",
      path: ["cron"],
      message: "Use five fields: minute hour day-of-month month day-of-week",
    });
    return;
  }
  let runs: Date[];
  try {
    runs = nextRuns({ cron: value.cron, timezone: value.timezone }, 25);
  } catch (error) {
    ctx.addIssue({
      code: "custom",
      path: ["cron"],
      message: `Not a valid cron expression: ${error instanceof Error ? error.message : error}`,
    });
    return;
  }
  if (runs.length === 0) {
    ctx.addIssue({ code: "custom", path: ["cron"], message: "This schedule never runs" });
    return;
  }
  for (let i = 1; i < runs.length; i++) {
    if (runs[i]!.getTime() - runs[i - 1]!.getTime() < MIN_SYNC_INTERVAL_MINUTES * 60_000) {
      ctx.addIssue({
        code: "custom",
        path: ["cron"],
        message: `Syncs may run at most every ${MIN_SYNC_INTERVAL_MINUTES} minutes`,
      });
      return;
    }
  }
});

const name = z.string().trim().min(1, "Enter a name").max(100);
const url = z.string().trim().min(1, "Enter the instance URL or name").max(300);

/** Body of `POST /instances`. */
export const createInstanceSchema = z.object({
  org_id: z.uuid(),
  name,
  url,
  credentials: instanceCredentialsSchema,
  schedule: scheduleSchema.nullable().optional(),
  /** Start the first full sync (and the analysis after it) once the credentials work. */
  start_sync: z.boolean().default(true),
}).strict();

/** Body of `PATCH /instances/:id`; credentials are replaced whole when given. */
export const updateInstanceSchema = z.object({
  name: name.optional(),
  url: url.optional(),
  credentials: instanceCredentialsSchema.optional(),
}).strict().refine((v) => Object.keys(v).length > 0, "Send at least one field to change");

/** Body of `POST /instances/test-connection`: settings not saved yet. */
export const testConnectionSchema = z.object({
  org_id: z.uuid(),
  url,
  credentials: instanceCredentialsSchema,
}).strict();

/**
 * Body of `POST /instances/:id/test`: optionally try changed settings before
 * saving them; what is omitted comes from the saved instance.
 */
export const testSavedConnectionSchema = z.object({
  url: url.optional(),
  credentials: instanceCredentialsSchema.optional(),
}).strict();

/** Body of `PUT /instances/:id/schedule`: a schedule, or null to stop scheduled syncs. */
export const putScheduleSchema = z.object({ schedule: scheduleSchema.nullable() }).strict();

/** Body of `POST /instances/:id/sync`. */
export const startSyncSchema = z.object({
  mode: z.enum(["incremental", "full"]).default("incremental"),
}).strict();

/** Query of `GET /instances`: a page in name order (100 by default, at most 500). */
export const listInstancesQuerySchema = z.object({
  org_id: z.uuid(),
  limit: z.coerce.number().int().min(1).max(500).default(100),
  cursor: z.string().max(1000).optional(),
}).strict();

/** Query of `GET /instances/:id/syncs`. */
export const listSyncsQuerySchema = z.object({
  limit: z.coerce.number().int().min(1).max(100).default(20),
  cursor: z.string().max(200).optional(),
}).strict();
