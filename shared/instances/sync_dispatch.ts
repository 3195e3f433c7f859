// The sync dispatcher: one pass a minute (a QStash system schedule) starts the
// scheduled syncs that are due, instead of one QStash schedule per instance
// firing on its own. A pass holds a transaction-scoped advisory lock, picks the
// due instances round-robin across organizations within a global and a
// per-organization cap on running syncs, creates their jobs and moves their
// next sync time in the same transaction, then publishes the jobs.
import type { Database, Tx } from "../db/mod.ts";
import type { Config } from "../env/mod.ts";
import type { Logger } from "../log/mod.ts";
import { type QueuedJob, queueJob, type TaskClient } from "../tasks/mod.ts";
import { nextSyncAt, parseStoredSchedule, type SyncSchedule } from "./schemas.ts";
import { syncTask } from "./sync_task.ts";

/** The dispatcher's caps and spread (SYNC_MAX_CONCURRENT, SYNC_MAX_PER_ORG, SYNC_SPREAD_SECONDS). */
export interface SyncDispatchLimits {
  /** Syncs queued or running at once, every organization together. */
  maxConcurrent: number;
  /** Syncs queued or running at once in one organization. */
  maxPerOrg: number;
  /** Scheduled syncs start up to this many seconds after their cron time. */
  spreadSeconds: number;
}

/**
 * The sync dispatcher's caps and spread from the configuration.
 *
 * @param config validated configuration
 */
export function syncDispatchLimits(config: Config): SyncDispatchLimits {
  return {
    maxConcurrent: config.SYNC_MAX_CONCURRENT,
    maxPerOrg: config.SYNC_MAX_PER_ORG,
    spreadSeconds: config.SYNC_SPREAD_SECONDS,
  };
}

/** What one pass did. */
export interface SyncDispatchReport {
  /** Another pass held the lock: this one did nothing. */
  skipped: boolean;
  /** Scheduled instances due at the start of the pass. */
  due: number;
  /** Syncs started. */
  started: number;
  /** Due instances whose previous sync was still going: this time is skipped. */
  skipped_running: number;
  /** Due instances left for a later pass (a cap was reached). */
  waiting: number;
  /** Syncs queued or running after the pass. */
  active: number;
  /** Seconds the longest-waiting due instance is late, before the pass. */
  max_lag_seconds: number;
  /** Jobs whose publish failed (the reaper publishes them again). */
  publish_failed: number;
  /** Instances whose next sync time was filled in or legacy QStash schedule removed. */
  repaired: number;
}

/** What a pass needs. */
export interface SyncDispatchDeps {
  db: Database;
  log: Logger;
  tasks: TaskClient;
}

const LOCK_KEY = "ciq-sync-dispatch";
const REPAIR_BATCH = 500;

interface DueInstance {
  id: string;
  org_id: string;
  sync_cron: string;
  next_sync_at: Date;
}

/**
 * Runs one dispatcher pass.
 *
 * @param deps database, logger and task client
 * @param limits caps and spread
 * @param now the pass's time (a simulation passes its own clock)
 */
export async function dispatchDueSyncs(
  deps: SyncDispatchDeps,
  limits: SyncDispatchLimits,
  now: Date = new Date(),
): Promise<SyncDispatchReport> {
  const repaired = await repairSchedules(deps, limits, now);
  const claimed = await deps.db.asService((tx) => claimDue(tx, deps.tasks, limits, now));
  if (!claimed) return { ...emptyReport(), skipped: true, repaired };
  let publishFailed = 0;
  for (const job of claimed.jobs) {
    try {
      await deps.tasks.publishQueued(job);
    } catch (error) {
      publishFailed++;
      deps.log.warn("a scheduled sync could not be queued", { jobId: job.row.id, error });
    }
  }
  const report: SyncDispatchReport = {
    ...claimed.report,
    publish_failed: publishFailed,
    repaired,
  };
  if (report.due > 0) deps.log.info("sync dispatcher pass", { ...report });
  return report;
}

/**
 * Runs a pass as soon as a sync has ended, so the slot it freed goes to the
 * next due instance now rather than at the next minute's pass. Errors are
 * logged, not thrown: the minute pass starts whatever this one could not.
 *
 * @param deps database, logger and task client
 * @param limits caps and spread
 * @param kind the kind of the job that ended
 * @param now the pass's time
 * @returns the pass's report, or null when the job was not a sync or the pass failed
 */
export async function dispatchAfterSyncEnded(
  deps: SyncDispatchDeps,
  limits: SyncDispatchLimits,
  kind: string,
  now: Date = new Date(),
): Promise<SyncDispatchReport | null> {
  if (kind !== syncTask.kind) return null;
  try {
    return await dispatchDueSyncs(deps, limits, now);
  } catch (error) {
    deps.log.warn("the sync dispatcher pass after a sync ended failed", { error });
    return null;
  }
}

function emptyReport(): SyncDispatchReport {
  return {
    skipped: false,
    due: 0,
    started: 0,
    skipped_running: 0,
    waiting: 0,
    active: 0,
    max_lag_seconds: 0,
    publish_failed: 0,
    repaired: 0,
  };
}

async function claimDue(
  tx: Tx,
  tasks: TaskClient,
  limits: SyncDispatchLimits,
  now: Date,
): Promise<{ jobs: QueuedJob[]; report: SyncDispatchReport } | null> {
  const [lock] = await tx<{ locked: boolean }[]>`
    select pg_try_advisory_xact_lock(hashtext(${LOCK_KEY})) as locked`;
  if (!lock!.locked) return null;
  const kind = syncTask.kind;
  const [state] = await tx<{ due: number; active: number; lag: number }[]>`
    select (select count(*)::int from public.instances
             where sync_cron is not null and next_sync_at <= ${now}) as due,
           (select count(*)::int from public.jobs
             where kind = ${kind} and status in ('queued', 'running')) as active,
           coalesce(extract(epoch from ${now}::timestamptz - (
             select min(next_sync_at) from public.instances
             where sync_cron is not null and next_sync_at <= ${now})), 0)::float8 as lag`;
  const busy = await tx<DueInstance[]>`
    select i.id, i.org_id, i.sync_cron, i.next_sync_at
    from public.instances i
    where i.sync_cron is not null and i.next_sync_at <= ${now}
      and exists (select 1 from public.jobs j
                  where j.org_id = i.org_id and j.kind = ${kind} and j.subject = i.id::text
                    and j.status in ('queued', 'running'))
    limit ${REPAIR_BATCH}`;
  const picked = await pickFairly(tx, kind, limits, state!.active, now);
  const jobs: QueuedJob[] = [];
  for (const instance of picked) {
    jobs.push(
      await queueJob(tx, syncTask, {
        instanceId: instance.id,
        mode: "incremental",
        trigger: "schedule",
      }, {
        orgId: instance.org_id,
        subject: instance.id,
        dedupId: `schedule:${instance.id}:${instance.next_sync_at.toISOString()}`,
      }, tasks.defaultRetries),
    );
  }
  await moveNextSync(tx, [...picked, ...busy], limits, now);
  const started = jobs.filter((j) => j.created).length;
  return {
    jobs,
    report: {
      ...emptyReport(),
      due: state!.due,
      started,
      skipped_running: busy.length,
      waiting: Math.max(state!.due - picked.length - busy.length, 0),
      active: state!.active + started,
      max_lag_seconds: Math.round(state!.lag),
    },
  };
}

/**
 * The due instances to start now: each organization's longest-waiting first,
 * round-robin (every organization's first before anyone's second), within the
 * free room of the organization's cap and of the global cap.
 */
function pickFairly(
  tx: Tx,
  kind: string,
  limits: SyncDispatchLimits,
  active: number,
  now: Date,
): Promise<DueInstance[]> {
  const room = Math.max(limits.maxConcurrent - active, 0);
  return tx<DueInstance[]>`
    with running as (
      select org_id, count(*)::int as n from public.jobs
      where kind = ${kind} and status in ('queued', 'running')
      group by org_id
    ), ranked as (
      select i.id, i.org_id, i.sync_cron, i.next_sync_at,
             row_number() over (partition by i.org_id order by i.next_sync_at, i.id) as rank
      from public.instances i
      where i.sync_cron is not null and i.next_sync_at <= ${now}
        and not exists (select 1 from public.jobs j
                        where j.org_id = i.org_id and j.kind = ${kind}
                          and j.subject = i.id::text and j.status in ('queued', 'running'))
    )
    select r.id, r.org_id, r.sync_cron, r.next_sync_at
    from ranked r left join running a on a.org_id = r.org_id
    where r.rank <= ${limits.maxPerOrg} - coalesce(a.n, 0)
    order by r.rank, r.next_sync_at, r.id
    limit ${room}`;
}

async function moveNextSync(
  tx: Tx,
  instances: DueInstance[],
  limits: SyncDispatchLimits,
  now: Date,
): Promise<void> {
  if (instances.length === 0) return;
  const ids: string[] = [];
  const times: (string | null)[] = [];
  for (const instance of instances) {
    const schedule = parseStoredSchedule(instance.sync_cron);
    ids.push(instance.id);
    times.push(nextTime(schedule, instance.id, limits, now)?.toISOString() ?? null);
  }
  await tx`
    update public.instances i set next_sync_at = m.next::timestamptz
    from unnest(${ids}::uuid[], ${times}::text[]) as m(id, next)
    where i.id = m.id`;
}

function nextTime(
  schedule: SyncSchedule | null,
  id: string,
  limits: SyncDispatchLimits,
  now: Date,
): Date | null {
  if (!schedule) return null;
  try {
    return nextSyncAt(schedule, id, limits.spreadSeconds, now);
  } catch {
    return null;
  }
}

/**
 * Fills in the next sync time of scheduled instances that have none (saved
 * before the dispatcher existed) and removes their per-instance QStash
 * schedules, a batch per pass.
 */
async function repairSchedules(
  deps: SyncDispatchDeps,
  limits: SyncDispatchLimits,
  now: Date,
): Promise<number> {
  const stale = await deps.db.asService((tx) =>
    tx<{ id: string; sync_cron: string | null; sync_schedule_id: string | null }[]>`
      select id, sync_cron, sync_schedule_id from public.instances
      where (sync_cron is not null and next_sync_at is null) or sync_schedule_id is not null
      limit ${REPAIR_BATCH}`
  );
  if (stale.length === 0) return 0;
  for (const row of stale) {
    if (!row.sync_schedule_id) continue;
    await deps.tasks.schedules.remove(row.sync_schedule_id).catch((error) =>
      deps.log.warn("cannot remove a per-instance sync schedule", {
        scheduleId: row.sync_schedule_id,
        error,
      })
    );
  }
  const ids = stale.map((r) => r.id);
  const times = stale.map((r) =>
    nextTime(parseStoredSchedule(r.sync_cron), r.id, limits, now)?.toISOString() ?? null
  );
  await deps.db.asService((tx) =>
    tx`
      update public.instances i
      set next_sync_at = m.next::timestamptz, sync_schedule_id = null
      from unnest(${ids}::uuid[], ${times}::text[]) as m(id, next)
      where i.id = m.id`
  );
  return stale.length;
}
