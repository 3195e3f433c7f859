/**
 * Scheduled reports: a saved report with a schedule (daily, weekly, monthly)
 * has a QStash schedule `report-<definition id>`. Each firing runs the
 * `reports.scheduled` task, which records one export of the saved report
 * (trigger `schedule`) and queues its `reports.export` job; once the file is
 * generated, `reports.deliver` sends it to the recipients and the webhook.
 *
 * @module
 */

import { z } from "zod";
import type { Database, TenantClaims } from "../db/mod.ts";
import { HttpError } from "../http/errors.ts";
import { requirePermission } from "../organizations/mod.ts";
import { defineTask, type Job, type TaskClient } from "../tasks/mod.ts";
import { loadReportsConfig } from "./config.ts";
import { reportSpecSchema } from "./model.ts";
import { spreadMinute } from "./retention.ts";
import { reportExportTask } from "./task.ts";

/** How often a saved report is generated. */
export type ReportSchedule = "daily" | "weekly" | "monthly";

/** The QStash schedule id of a saved report. */
export function reportScheduleId(definitionId: string): string {
  return `report-${definitionId}`;
}

/**
 * The cron of a schedule, in UTC: 06:mm every day, on Mondays, or on the first
 * of the month, the minute spread by the saved report's id.
 */
export function reportScheduleCron(schedule: ReportSchedule, definitionId: string): string {
  const minute = spreadMinute(definitionId);
  switch (schedule) {
    case "daily":
      return `${minute} 6 * * *`;
    case "weekly":
      return `${minute} 6 * * 1`;
    case "monthly":
      return `${minute} 6 1 * *`;
  }
}

/** The `reports.scheduled` task: one firing of a saved report's schedule. */
export const reportScheduledTask = defineTask({
  kind: "reports.scheduled",
  // `now`: "send now" from the API, which needs no schedule, only somewhere to send.
  payload: z.object({ definitionId: z.uuid(), now: z.boolean().optional() }),
  retries: 2,
  async handler(ctx, { definitionId, now }) {
    const retention = loadReportsConfig().REPORTS_RETENTION_DAYS;
    const created = await ctx.tx(async (tx) => {
      const [definition] = await tx<
        { org_id: string; spec: unknown; format: string; created_by: string | null }[]
      >`select org_id, spec, format, created_by from public.report_definitions
        where id = ${definitionId} and (schedule is not null or ${now ?? false})`;
      if (!definition) return null;
      const spec = reportSpecSchema.parse(definition.spec);
      // One export per firing: a retried delivery of this job finds the one it made.
      await tx`
        insert into public.report_exports (org_id, definition_id, title, spec, format, trigger,
          requested_by, expires_at, schedule_job_id)
        values (${definition.org_id}, ${definitionId}, ${spec.title}, ${tx.json(spec as never)},
          ${definition.format}, 'schedule', ${definition.created_by},
          now() + make_interval(days => ${retention}), ${ctx.job.id})
        on conflict (schedule_job_id) do nothing`;
      const [row] = await tx<{ id: string }[]>`
        select id from public.report_exports where schedule_job_id = ${ctx.job.id}`;
      return row!;
    });
    if (!created) return ctx.done({ skipped: "no longer scheduled" });
    const job = await ctx.enqueue(reportExportTask, { exportId: created.id }, {
      subject: created.id,
      dedupId: created.id,
    });
    await ctx.tx((tx) =>
      tx`update public.report_exports set job_id = ${job.id}
         where id = ${created.id} and job_id is null`
    );
    return ctx.done({ exportId: created.id, jobId: job.id });
  },
});

/** Creates or replaces a saved report's QStash schedule. */
export async function upsertReportSchedule(
  tasks: TaskClient,
  definition: { id: string; org_id: string; schedule: ReportSchedule },
  actorUserId: string | null,
): Promise<string> {
  const id = reportScheduleId(definition.id);
  await tasks.schedules.upsert({
    id,
    task: reportScheduledTask,
    payload: { definitionId: definition.id },
    cron: reportScheduleCron(definition.schedule, definition.id),
    orgId: definition.org_id,
    subject: definition.id,
    skipIfRunning: true,
    actorUserId,
  });
  return id;
}

/** Deletes a saved report's QStash schedule (none is fine). */
export async function removeReportSchedule(tasks: TaskClient, definitionId: string): Promise<void> {
  await tasks.schedules.remove(reportScheduleId(definitionId));
}

/**
 * Generates a saved report now and delivers it as a firing of its schedule
 * would (admin or owner: it sends data out). The saved report needs
 * recipients or a webhook.
 *
 * @returns the job of the `reports.scheduled` task
 * @throws {HttpError} 404 unknown, 403 not an admin, 409 nowhere to send
 */
export async function deliverNow(
  services: { db: Database; tasks: TaskClient },
  claims: TenantClaims,
  definitionId: string,
): Promise<Job> {
  const definition = await services.db.asTenant(claims, async (tx) => {
    const [row] = await tx<{ org_id: string; recipients: string[]; webhook_url: string | null }[]>`
      select org_id, recipients, webhook_url from public.report_definitions where id = ${definitionId}`;
    if (!row) throw new HttpError(404, "Saved report not found");
    await requirePermission(tx, row.org_id, "reports.schedule");
    return row;
  });
  if (definition.recipients.length === 0 && !definition.webhook_url) {
    throw new HttpError(409, "The saved report has no recipients and no webhook to send to");
  }
  return await services.tasks.enqueue(reportScheduledTask, { definitionId, now: true }, {
    orgId: definition.org_id,
    subject: definitionId,
    actorUserId: claims.sub,
  });
}
