/**
 * The analysis that follows every completed sync: whatever started the sync
 * (sync now, its schedule, setup), once it ends as succeeded or partial a full
 * analysis (trigger "sync") is queued, so the findings follow the data. The
 * deployment composes it into the `servicenow.sync` task
 * (`shared/instances/sync_task.ts`); the sync engine itself knows nothing of
 * analysis.
 *
 * @module
 */

import { analysisRunTask } from "./task.ts";
import {
  queueSyncAnalysis,
  type SyncAnalysisOutcome,
  type SyncAnalysisSkip,
  type WorkerContext,
} from "./_queue.ts";

export type { SyncAnalysisOutcome, SyncAnalysisSkip, WorkerContext };

/** A completed sync, as the analysis needs it. */
export interface CompletedSync {
  instanceId: string;
  /** The sync run: the analysis is queued once per sync run. */
  runId: string;
  status: "succeeded" | "partial" | "failed";
}

/**
 * Queues the full analysis of a sync's data, once per sync run, from the
 * sync's own task (worker claims for the instance's organization; there is no
 * user to authorize). Nothing is queued when the sync failed, when the
 * organization turned `analyze_after_sync` off, or when another analysis of
 * the instance is queued (it reads this sync's data) or running (it queues
 * this one when it finishes). Never throws: failures are logged and returned.
 *
 * @param ctx the sync task's context
 * @param sync the instance, the sync run and how it ended
 * @returns what was queued or why not; null for a failed sync
 * @example
 * createSyncTask({ ...deps, afterSync: (sync, ctx) => analyzeAfterSync(ctx, sync).then(() => {}) });
 */
export async function analyzeAfterSync(
  ctx: WorkerContext,
  sync: CompletedSync,
): Promise<SyncAnalysisOutcome | null> {
  if (sync.status !== "succeeded" && sync.status !== "partial") return null;
  return await queueSyncAnalysis(ctx, analysisRunTask, {
    instanceId: sync.instanceId,
    syncRunId: sync.runId,
  });
}
