import { z } from "zod";
import type { Database, TenantClaims, Tx } from "../db/mod.ts";
import { HttpError } from "../http/errors.ts";
import { PAGE_PLANNER, readGuardedPage } from "../organizations/mod.ts";
import { type Job, JOB_COLUMNS, normalize } from "./_jobs.ts";

/** Query string of `GET /tasks/jobs`. */
export const listJobsQuerySchema = z.object({
  org_id: z.uuid(),
  status: z.enum(["queued", "running", "succeeded", "failed", "cancelled", "active"]).optional(),
  kind: z.string().min(1).max(100).optional(),
  subject: z.string().min(1).max(200).optional(),
  limit: z.coerce.number().int().min(1).max(100).default(25),
  /** `next_cursor` of the previous page. */
  cursor: z.string().regex(/^[0-9]+_[0-9a-f-]{36}$/, "use next_cursor from the previous page")
    .optional(),
}).strict();

/** A page of jobs, newest first. */
export interface JobPage {
  data: Job[];
  next_cursor: string | null;
}

/**
 * An organization's jobs, newest first, filtered by status (or "active" for
 * queued and running), kind and subject.
 *
 * @param db the database
 * @param claims the caller's claims (RLS scopes the rows)
 * @param query organization, filters and page
 * @throws {HttpError} 404 when the caller is not a member of the organization
 */
export async function listJobs(
  db: Database,
  claims: TenantClaims,
  query: z.output<typeof listJobsQuerySchema>,
): Promise<JobPage> {
  const [afterMicros, afterId] = query.cursor ? query.cursor.split("_") : [null, null];
  const statuses = query.status === "active"
    ? ["queued", "running"]
    : query.status
    ? [query.status]
    : null;
  const pageStatement = (tx: Tx) =>
    tx<(Job & { cursor_micros: string })[]>`
      select ${tx(JOB_COLUMNS)},
             (extract(epoch from created_at) * 1000000)::bigint::text as cursor_micros
      from public.jobs
      where org_id = ${query.org_id}
        and (${statuses}::public.job_status[] is null or status = any (${statuses}::public.job_status[]))
        and (${query.kind ?? null}::text is null or kind = ${query.kind ?? null})
        and (${query.subject ?? null}::text is null or subject = ${query.subject ?? null})
        and (${afterMicros}::bigint is null
             or (created_at, id) < ('epoch'::timestamptz + ${afterMicros}::bigint * interval '1 microsecond',
                                 ${afterId}::uuid))
      order by created_at desc, id desc
      limit ${query.limit + 1}`;
  // Server work (worker claims) lists its organization's jobs without a role.
  const rows = claims.ciq_actor === "worker"
    ? await db.readAsTenant(claims, pageStatement, PAGE_PLANNER)
    : (await readGuardedPage(db, claims, { orgId: query.org_id }, "jobs.read", pageStatement))
      .rows;
  const page = rows.slice(0, query.limit);
  const last = page.at(-1);
  return {
    data: page.map(({ cursor_micros: _, ...job }) => normalize(job as Job)),
    next_cursor: rows.length > query.limit && last ? `${last.cursor_micros}_${last.id}` : null,
  };
}

/**
 * One job the caller may see.
 *
 * @param db the database
 * @param claims the caller's claims
 * @param jobId the job
 * @throws {HttpError} 404 when it does not exist or belongs to another organization
 */
export async function getJob(db: Database, claims: TenantClaims, jobId: string): Promise<Job> {
  const [row] = await db.readAsTenant(
    claims,
    (tx) => tx<Job[]>`select ${tx(JOB_COLUMNS)} from public.jobs where id = ${jobId}`,
  );
  if (!row) throw new HttpError(404, "Job not found");
  return normalize(row);
}

/** A delivery of a job, as its organization sees it. */
export interface JobDelivery {
  message_id: string;
  segment: number;
  retried: number;
  attempts: number;
  status: "running" | "succeeded" | "failed" | "duplicate";
  error: string | null;
  received_at: Date;
  finished_at: Date | null;
}

/**
 * The deliveries that ran parts of a job, oldest first: what retried, what failed.
 *
 * @param db the database
 * @param claims the caller's claims
 * @param jobId the job
 */
export async function listJobDeliveries(
  db: Database,
  claims: TenantClaims,
  jobId: string,
): Promise<JobDelivery[]> {
  return await db.readAsTenant(claims, (tx) =>
    tx<JobDelivery[]>`
      select message_id, segment, retried, attempts, status, error, received_at, finished_at
      from public.job_deliveries where job_id = ${jobId}
      order by received_at, message_id`);
}
