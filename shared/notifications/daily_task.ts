/**
 * The organization's daily notifications task. The task itself only counts
 * what is due; the alerts go out where every job's end is handled
 * (`notifyJobEnded`, which has the channels): suppressions expiring within a
 * rule's days. Scheduled once per organization through QStash when it first
 * needs it (a `suppression.expiring` rule).
 *
 * @module
 */
import { z } from "zod";
import { defineTask, type TaskClient } from "../tasks/mod.ts";

/** Kind of the daily notifications task. */
export const DAILY_KIND = "notifications.daily";

/** The `notifications.daily` task. */
export const notificationsDailyTask = defineTask({
  kind: DAILY_KIND,
  payload: z.object({}).strict(),
  retries: 2,
  async handler(ctx) {
    const [row] = await ctx.tx((tx) =>
      tx<{ n: number }[]>`
        select count(*)::int as n from public.analysis_suppressions
        where org_id = ${ctx.job.orgId} and revoked_at is null
          and expires_at > now() and expires_at <= now() + interval '90 days'`
    );
    return ctx.done({ expiring_suppressions: row?.n ?? 0 });
  },
});

/** The id of an organization's daily notifications schedule. */
export function dailyScheduleId(orgId: string): string {
  return `notifications-daily-${orgId}`;
}

/** Creates (or keeps) the organization's daily schedule, at 06:mm UTC. */
export async function ensureDailySchedule(tasks: TaskClient, orgId: string): Promise<void> {
  const minute = parseInt(orgId.replace(/[^0-9a-f]/gi, "").slice(0, 8) || "0", 16) % 60;
  await tasks.schedules.upsert({
    id: dailyScheduleId(orgId),
    task: notificationsDailyTask,
    payload: {},
    cron: `${minute} 6 * * *`,
    orgId,
    skipIfRunning: true,
  });
}
