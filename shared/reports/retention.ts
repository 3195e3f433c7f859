/**
 * Retention: generated files are deleted once their retention period is over
 * (the stored bytes, then the export row with its links), each recorded as
 * `expired`. The `reports.retention` task does it every day for an
 * organization, under that organization's row-level security; its QStash
 * schedule is created when the organization first generates a report.
 *
 * @module
 */

import { z } from "zod";
import { defineTask, type TaskClient } from "../tasks/mod.ts";
import { currentReportStorage, type ReportStorage, type TxRunner } from "./storage.ts";

/** Files deleted in one pass at most; the next pass takes the rest. */
const PURGE_BATCH = 100;

/**
 * Deletes the files past their retention that `run` can see: as the service,
 * every organization's; in the retention task, the job's organization's.
 *
 * @returns how many files were deleted
 */
export async function purgeExpiredFiles(run: TxRunner, storage: ReportStorage): Promise<number> {
  const expired = await run((tx) =>
    tx<{ id: string; org_id: string; storage_key: string | null; content_type: string | null }[]>`
      select id, org_id, storage_key, content_type from public.report_exports
      where expires_at <= now() order by expires_at limit ${PURGE_BATCH}`
  );
  for (const e of expired) {
    if (e.storage_key) {
      await storage.remove(run, {
        id: e.id,
        org_id: e.org_id,
        storage_key: e.storage_key,
        content_type: e.content_type ?? "",
      });
    }
    await run(async (tx) => {
      await tx`delete from public.report_exports where id = ${e.id}`;
      await tx`insert into public.report_events (org_id, export_id, action)
               values (${e.org_id}, ${e.id}, 'expired')`;
    });
  }
  return expired.length;
}

/** The `reports.retention` task: deletes an organization's expired files. */
export const reportRetentionTask = defineTask({
  kind: "reports.retention",
  payload: z.object({}).strict(),
  retries: 2,
  async handler(ctx) {
    const run: TxRunner = (fn) => ctx.tx(fn);
    let deleted = 0;
    for (;;) {
      const n = await purgeExpiredFiles(run, currentReportStorage());
      deleted += n;
      if (n < PURGE_BATCH || ctx.shouldYield()) break;
    }
    return ctx.done({ deleted });
  },
});

/** The id of an organization's retention schedule. */
export function retentionScheduleId(orgId: string): string {
  return `reports-retention-${orgId}`;
}

/** Creates (or keeps) an organization's daily retention schedule, at 03:mm UTC. */
export async function ensureRetentionSchedule(tasks: TaskClient, orgId: string): Promise<void> {
  await tasks.schedules.upsert({
    id: retentionScheduleId(orgId),
    task: reportRetentionTask,
    payload: {},
    cron: `${spreadMinute(orgId)} 3 * * *`,
    orgId,
    skipIfRunning: true,
  });
}

/** A minute of the hour derived from an id, so schedules do not all fire at once. */
export function spreadMinute(id: string): number {
  return parseInt(id.replace(/[^0-9a-f]/gi, "").slice(0, 8) || "0", 16) % 60;
}
