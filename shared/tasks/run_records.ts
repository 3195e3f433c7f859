import type { Tx } from "../db/mod.ts";

/** Tables that record runs of a job per instance (sync runs, analysis runs). */
export type RunTable = "sync_runs" | "analysis_runs";

/**
 * Closes an instance's queued or running run records whose job has ended
 * (failed, cancelled, or succeeded without finishing the run), and those whose
 * job was never created (the process died in between) after ten minutes, so
 * the one-active-run rule does not block a new run forever.
 *
 * @param tx a transaction (analyst or worker)
 * @param table the run table
 * @param instanceId the instance
 * @param noun what a run is called in its error, e.g. `sync` or `run`
 */
export async function closeRunsOfEndedJobs(
  tx: Tx,
  table: RunTable,
  instanceId: string,
  noun: string,
): Promise<void> {
  await tx`
    update ${tx("public." + table)} r set
      status = case when j.status = 'cancelled' then 'cancelled' else 'failed' end,
      finished_at = now(),
      error = coalesce(r.error, case when j.status = 'cancelled' then ${`The ${noun} was cancelled`}
                                    else coalesce(j.error, ${`The ${noun} stopped before it finished`}) end)
    from public.jobs j
    where r.instance_id = ${instanceId} and r.status in ('queued', 'running')
      and j.id = r.job_id and j.status in ('succeeded', 'failed', 'cancelled')`;
  await tx`
    update ${tx("public." + table)} set status = 'failed', finished_at = now(),
      error = ${`The ${noun} was never queued`}
    where instance_id = ${instanceId} and status = 'queued' and job_id is null
      and created_at < now() - interval '10 minutes'`;
}
