// Recording and queueing runs: what a person's request (`startRun`) and
// background work (the analysis after a sync) share, and the background path
// itself. Background work has no user: it acts under worker claims for one
// organization, so row-level security confines it to that organization's
// instances (workers act with an admin's rights there), and it is given only
// a task context — never a person's claims — so it cannot stand in for a user.
//
// A sync's analysis has an id derived from the sync run: a repeated sync
// completion (a redelivered message, a crash after the sync was recorded)
// finds that run instead of queueing a second one.
import type { Tx } from "../../db/mod.ts";
import { HttpError } from "../../http/errors.ts";
import { requirePermission } from "../../organizations/mod.ts";
import type { Action } from "../../permissions/mod.ts";
import { closeStaleRuns as closeStaleSyncRuns } from "../../servicenow/sync/mod.ts";
import { closeRunsOfEndedJobs, type TaskContext } from "../../tasks/mod.ts";
import { nonDefaultParameters, ParameterError } from "../catalog/mod.ts";
import {
  type CustomCheckRecord,
  effectiveParameters,
  loadOrgChecks,
  type RunScope,
  ScopeError,
  selectChecks,
} from "../org_checks.ts";
import type { AnalysisRunTask } from "./task.ts";
import { catalogVersion } from "./version.ts";

/** The message of a 404 for an instance. */
export const INSTANCE_NOT_FOUND = "Instance not found";

/** The instance a run is for. */
export interface RunTarget {
  id: string;
  org_id: string;
}

/**
 * The instance, if the caller (a person) has at least `min` in its
 * organization: a foreign instance is a 404, a lesser role a 403.
 *
 * @param tx a person's tenant transaction
 * @param instanceId the instance
 * @param action the action of the permission matrix
 */
export async function authorizeInstanceRole(
  tx: Tx,
  instanceId: string,
  action: Action,
): Promise<RunTarget> {
  const [row] = await tx<RunTarget[]>`
    select id, org_id from public.instances where id = ${instanceId}`;
  if (!row) throw new HttpError(404, INSTANCE_NOT_FOUND);
  await requirePermission(tx, row.org_id, action);
  return row;
}

/**
 * Closes queued or running runs of an instance whose job has ended (failed,
 * cancelled, or succeeded without finishing the run), so a new run can start.
 *
 * @param tx a transaction (analyst or worker)
 * @param instanceId the instance
 */
export function closeStaleRuns(tx: Tx, instanceId: string): Promise<void> {
  return closeRunsOfEndedJobs(tx, "analysis_runs", instanceId, "run");
}

/** A run to record. */
export interface NewRun {
  scope: RunScope;
  trigger: "manual" | "schedule" | "sync";
  evaluatedAt: Date;
  /** The person who asked for it; null for background work. */
  requestedBy: string | null;
  /** A fixed id (a sync's analysis); a random one otherwise. */
  id?: string;
}

/**
 * Records a queued run (its job is queued afterwards): the scope's checks with
 * the parameters that differ from the catalog defaults (per-check overrides
 * and organization settings such as `dormant_account_days`, resolved with
 * override > organization setting > catalog default), the custom checks, and
 * the catalog version.
 * One run at a time per instance, and none while a sync of it is in progress.
 * Authorization is the caller's: a person's role checked before, or worker
 * claims (RLS lets a worker insert runs of its own organization only).
 *
 * @param tx the caller's tenant transaction
 * @param target the instance
 * @param run scope, trigger, evaluation time, requester and optional id
 * @returns the run's id
 * @throws {HttpError} 409 busy (`analysis_already_running`, `sync_in_progress`), 422 bad scope or parameters
 */
export async function recordRun(tx: Tx, target: RunTarget, run: NewRun): Promise<string> {
  const version = await catalogVersion();
  await closeStaleRuns(tx, target.id);
  await closeStaleSyncRuns(tx, target.id);
  const [active] = await tx<{ id: string; job_id: string | null }[]>`
    select id, job_id from public.analysis_runs
    where instance_id = ${target.id} and status in ('queued', 'running')`;
  if (active) {
    throw new HttpError(409, "An analysis of this instance is already queued or running", {
      code: "analysis_already_running",
      details: { run_id: active.id, job_id: active.job_id },
    });
  }
  const [sync] = await tx<{ id: string }[]>`
    select id from public.sync_runs
    where instance_id = ${target.id} and status in ('queued', 'running')`;
  if (sync) {
    throw new HttpError(
      409,
      "A sync of this instance is in progress; start the analysis when it has finished",
      { code: "sync_in_progress", details: { sync_run_id: sync.id } },
    );
  }
  const checks = await loadOrgChecks(tx, target.org_id);
  let selected;
  try {
    selected = selectChecks(checks, run.scope);
  } catch (error) {
    if (error instanceof ScopeError) {
      throw new HttpError(422, error.message, { code: "invalid_scope" });
    }
    throw error;
  }
  const parameters: Record<string, Record<string, unknown>> = {};
  const custom: Record<string, CustomCheckRecord> = {};
  for (const check of selected) {
    if (check.custom) custom[check.id] = check.custom;
    if (!check.builtin) continue;
    let values;
    try {
      values = effectiveParameters(check);
    } catch (error) {
      if (!(error instanceof ParameterError)) throw error;
      throw new HttpError(422, error.message, {
        code: "invalid_parameters",
        details: { check_id: error.checkId, issues: error.issues },
      });
    }
    const changed = nonDefaultParameters(check.builtin, values);
    if (Object.keys(changed).length > 0) parameters[check.id] = changed;
  }
  // A concurrent start (the one-active-run index) or the same fixed id: no row.
  const [inserted] = await tx<{ id: string }[]>`
    insert into public.analysis_runs (
      id, org_id, instance_id, status, trigger, scope, catalog_version, parameters, custom_checks,
      check_ids, evaluated_at, requested_by)
    values (
      ${run.id ?? crypto.randomUUID()}, ${target.org_id}, ${target.id}, 'queued', ${run.trigger},
      ${tx.json(run.scope as never)}, ${version}, ${tx.json(parameters as never)},
      ${tx.json(custom as never)}, ${selected.map((c) => c.id)}, ${run.evaluatedAt},
      ${run.requestedBy})
    on conflict do nothing
    returning id`;
  if (!inserted) {
    throw new HttpError(409, "An analysis of this instance is already queued or running", {
      code: "analysis_already_running",
    });
  }
  return inserted.id;
}

/**
 * The id of the analysis a sync run leads to: a digest of the sync run's id
 * shaped as a UUID (version 5 layout), the same every time it is asked for.
 *
 * @param syncRunId the sync run
 */
export async function syncAnalysisRunId(syncRunId: string): Promise<string> {
  const digest = await crypto.subtle.digest(
    "SHA-256",
    new TextEncoder().encode(`complianceiq:analysis-after-sync:${syncRunId}`),
  );
  const bytes = new Uint8Array(digest).slice(0, 16);
  bytes[6] = (bytes[6]! & 0x0f) | 0x50;
  bytes[8] = (bytes[8]! & 0x3f) | 0x80;
  const hex = [...bytes].map((b) => b.toString(16).padStart(2, "0")).join("");
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${
    hex.slice(20)
  }`;
}

/** What background work gets to queue an analysis: its task context. */
export type WorkerContext = Pick<TaskContext<unknown>, "tx" | "enqueue" | "log">;

/** Why no analysis was queued after a sync. */
export type SyncAnalysisSkip =
  /** The organization turned `analyze_after_sync` off. */
  | "disabled"
  /** The instance was deleted meanwhile. */
  | "instance_gone"
  /** This sync's analysis exists already (a repeated completion). */
  | "already_queued"
  /**
   * Another analysis of the instance is queued (it will read this sync's data)
   * or running (when it finishes, it queues this sync's analysis).
   */
  | "analysis_active"
  /** A newer sync has started; its completion queues the analysis. */
  | "sync_in_progress";

/** What {@linkcode queueSyncAnalysis} did. */
export type SyncAnalysisOutcome =
  | { status: "queued"; runId: string; jobId: string }
  | { status: "skipped"; reason: SyncAnalysisSkip; runId: string }
  | { status: "failed"; runId: string; error: string };

/**
 * Queues the full analysis (trigger "sync") of a sync run's data, once: the
 * run's id is derived from the sync run's, and its job is deduplicated on it.
 * Never throws: a failure is logged and returned, so it cannot fail the sync.
 *
 * @param ctx the task context of the background work (worker claims)
 * @param task the `analysis.run` task definition
 * @param sync the instance and the sync run whose data is to be analysed
 */
export async function queueSyncAnalysis(
  ctx: WorkerContext,
  task: AnalysisRunTask,
  sync: { instanceId: string; syncRunId: string },
): Promise<SyncAnalysisOutcome> {
  const runId = await syncAnalysisRunId(sync.syncRunId);
  const log = ctx.log.child({ instanceId: sync.instanceId, syncRunId: sync.syncRunId, runId });
  try {
    const decision = await ctx.tx(async (tx): Promise<SyncAnalysisSkip | null> => {
      const [existing] = await tx<{ status: string; job_id: string | null }[]>`
        select status, job_id from public.analysis_runs where id = ${runId}`;
      if (existing) {
        // Recorded by an earlier attempt that stopped before queueing its job.
        return existing.status === "queued" && existing.job_id === null ? null : "already_queued";
      }
      const [instance] = await tx<(RunTarget & { setting: string | null })[]>`
        select i.id, i.org_id, o.settings ->> 'analyze_after_sync' as setting
        from public.instances i join public.organizations o on o.id = i.org_id
        where i.id = ${sync.instanceId}`;
      if (!instance) return "instance_gone";
      if (instance.setting === "false") return "disabled";
      await recordRun(tx, instance, {
        id: runId,
        scope: { type: "all" },
        trigger: "sync",
        evaluatedAt: new Date(),
        requestedBy: null,
      });
      return null;
    }).catch((error) => {
      if (error instanceof HttpError && error.status === 409) {
        return error.code === "sync_in_progress" ? "sync_in_progress" : "analysis_active";
      }
      throw error;
    });
    if (decision) {
      log.info("no analysis queued after the sync", { reason: decision });
      return { status: "skipped", reason: decision, runId };
    }
  } catch (error) {
    log.error("cannot record the analysis of a synced instance", { error });
    return { status: "failed", runId, error: describe(error) };
  }
  let jobId: string;
  try {
    const job = await ctx.enqueue(task, { runId }, { subject: sync.instanceId, dedupId: runId });
    jobId = job.id;
  } catch (error) {
    log.error("cannot queue the analysis of a synced instance", { error });
    await ctx.tx((tx) =>
      tx`update public.analysis_runs set status = 'failed', finished_at = now(),
           error = 'The run could not be queued'
         where id = ${runId} and status = 'queued' and job_id is null`
    ).catch((e) => log.error("cannot record that the analysis was not queued", { error: e }));
    return { status: "failed", runId, error: describe(error) };
  }
  try {
    await ctx.tx((tx) =>
      tx`update public.analysis_runs set job_id = ${jobId} where id = ${runId} and job_id is null`
    );
  } catch (error) {
    // The job runs the analysis either way; only the link for progress is missing.
    log.warn("cannot link the analysis run to its job", { jobId, error });
  }
  log.info("analysis of a synced instance queued", { jobId });
  return { status: "queued", runId, jobId };
}

/**
 * When a run has finished, queues the analysis of the newest sync that
 * completed after the run started (its own queueing was skipped while this
 * run was active), so the findings catch up with the synced data.
 *
 * @param ctx the task context of the finishing run (worker claims)
 * @param task the `analysis.run` task definition
 * @param runId the run that finished
 * @returns what was queued, or null when no sync completed during the run
 */
export async function queueMissedSyncAnalysis(
  ctx: WorkerContext,
  task: AnalysisRunTask,
  runId: string,
): Promise<SyncAnalysisOutcome | null> {
  let newer: { id: string; instance_id: string } | undefined;
  try {
    [newer] = await ctx.tx((tx) =>
      tx<{ id: string; instance_id: string }[]>`
        select s.id, s.instance_id
        from public.analysis_runs r
        join public.sync_runs s on s.instance_id = r.instance_id
        where r.id = ${runId} and s.status in ('succeeded', 'partial')
          and s.finished_at > r.started_at
        order by s.finished_at desc
        limit 1`
    );
  } catch (error) {
    ctx.log.error("cannot look for syncs that completed during the analysis", { runId, error });
    return null;
  }
  if (!newer) return null;
  return await queueSyncAnalysis(ctx, task, {
    instanceId: newer.instance_id,
    syncRunId: newer.id,
  });
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
