// The stale-job reaper: finds jobs nobody has touched for a while and asks the
// queue where their message is. Still pending (delayed or between retries):
// leave it. Dead-lettered without the endpoint recording it (the endpoint was
// unreachable): fail the job, visibly. Gone (the publish or the continuation was
// lost): publish the job's current segment again. It runs as a QStash cron
// schedule (see `ensureSystemSchedules`), so it works the same hosted and local.
import { type Database, workerClaims } from "../db/mod.ts";
import type { Logger } from "../log/mod.ts";
import type { TaskTransport } from "./transport.ts";

/** What one reaper pass did. */
export interface ReapReport {
  /** Stale jobs looked at. */
  checked: number;
  /** Jobs whose message was lost, published again. */
  republished: number;
  /** Jobs whose message was dead-lettered, now failed. */
  failed: number;
  /** Jobs whose message is still waiting in the queue. */
  pending: number;
  /** Old delivery records deleted. */
  pruned: number;
}

/** Options for {@linkcode reapStaleJobs}. */
export interface ReaperOptions {
  db: Database;
  log: Logger;
  transport: TaskTransport;
  /** Jobs untouched for this long are checked. */
  staleAfterMs: number;
  /** Most jobs handled in one pass (default 100). */
  limit?: number;
  /** Delivery records of finished work older than this are deleted (default 30 days). */
  keepDeliveriesDays?: number;
}

interface StaleJob {
  id: string;
  org_id: string;
  kind: string;
  segment: number;
  max_retries: number;
  message_id: string | null;
}

/**
 * Re-enqueues work whose delivery was lost and fails work whose delivery died.
 * Reading across organizations is system work (service role); every change is
 * made under worker claims for the job's own organization.
 *
 * @param options database, transport and thresholds
 */
export async function reapStaleJobs(options: ReaperOptions): Promise<ReapReport> {
  const { db, log, transport } = options;
  const report: ReapReport = { checked: 0, republished: 0, failed: 0, pending: 0, pruned: 0 };
  const stale = await db.asService((tx) =>
    tx<StaleJob[]>`
      select id, org_id, kind, segment, max_retries, message_id
      from public.jobs
      where status in ('queued', 'running')
        and updated_at < now() - ${options.staleAfterMs} * interval '1 millisecond'
        and (lease_until is null or lease_until < now())
      order by updated_at
      limit ${options.limit ?? 100}`
  );
  for (const job of stale) {
    report.checked++;
    try {
      const state = job.message_id ? await transport.messageState(job.message_id) : "gone";
      if (state === "pending") {
        report.pending++;
        continue;
      }
      const claims = workerClaims(job.org_id);
      if (state === "dead") {
        const failed = await db.asTenant(
          claims,
          (tx) =>
            tx`update public.jobs set status = 'failed',
               error = 'Delivery failed after every retry: the task endpoint did not accept it',
               error_code = 'delivery_failed', finished_at = now(),
               lease_token = null, lease_until = null
             where id = ${job.id} and segment = ${job.segment}
               and status in ('queued', 'running')
               and (lease_until is null or lease_until < now())
             returning 1 as ok`,
        );
        if (failed.length) {
          report.failed++;
          log.warn("reaper failed a job whose delivery was dead-lettered", { jobId: job.id });
        }
        continue;
      }
      const { messageId } = await transport.publish({
        body: {
          v: 1,
          type: "job",
          jobId: job.id,
          orgId: job.org_id,
          kind: job.kind,
          segment: job.segment,
          maxRetries: job.max_retries,
        },
        dedupId: `job-${job.id}-${job.segment}-reaped-${Date.now()}`,
        retries: job.max_retries,
      });
      await db.asTenant(
        claims,
        (tx) =>
          tx`update public.jobs set message_id = ${messageId}, heartbeat_at = now()
           where id = ${job.id} and segment = ${job.segment}`,
      );
      report.republished++;
      log.warn("reaper re-enqueued a job whose delivery was lost", {
        jobId: job.id,
        segment: job.segment,
      });
    } catch (error) {
      log.error("reaper could not check a stale job", { jobId: job.id, error });
    }
  }
  const pruned = await db.asService((tx) =>
    tx`delete from public.job_deliveries
       where finished_at < now() - ${options.keepDeliveriesDays ?? 30} * interval '1 day'`
  );
  report.pruned = pruned.count;
  if (report.checked > 0) log.info("reaper pass", { ...report });
  return report;
}
