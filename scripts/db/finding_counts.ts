/**
 * Backfill of `analysis_check_results.findings` for check results written
 * before the count existed (null: "not counted"; see
 * `20261209030001_check_result_finding_counts.sql`). It walks the runs once, in
 * id order, a batch per short transaction, while the product runs; a second
 * pass finds nothing to do.
 *
 * @module
 */

import type postgres from "postgres";

/** Where the backfill is, after each batch. */
export interface BackfillProgress {
  /** Runs walked so far (with or without uncounted check results). */
  runs: number;
  /** Check results counted so far (null before, a count now). */
  checkResults: number;
  /** Since the start. */
  elapsedMs: number;
}

/** Options of {@linkcode backfillFindingCounts}. */
export interface BackfillOptions {
  /** Runs per batch (one transaction each); 200 by default. */
  batchRuns?: number;
  /** Called after each batch has committed. */
  onProgress?: (progress: BackfillProgress) => void;
}

/**
 * Counts the finding results of every check result whose `findings` is null.
 *
 * Concurrent writers are counted exactly once. Writing a finding result takes
 * a key-share lock on its run (the foreign key) until commit, and its
 * statement-level trigger adds to `findings` only where it is not null. A batch
 * first locks its runs that have uncounted results `for update`, which waits
 * for every open transaction that wrote results of those runs (their trigger
 * added nothing to a null) and holds off new ones until the batch commits.
 * The update then runs with a fresh READ COMMITTED snapshot, so it counts every
 * committed row; a writer held off inserts after the commit, and its trigger
 * re-reads the row, finds the count no longer null and adds its own rows. Runs
 * with nothing to count are not locked.
 *
 * @param sql a connection that bypasses row-level security (the migration role)
 * @param options batch size and progress callback
 * @returns the totals
 */
export async function backfillFindingCounts(
  sql: postgres.Sql,
  options: BackfillOptions = {},
): Promise<BackfillProgress> {
  const batchRuns = options.batchRuns ?? 200;
  if (!Number.isInteger(batchRuns) || batchRuns < 1) {
    throw new RangeError(`batchRuns must be a positive integer, got ${batchRuns}`);
  }
  const started = performance.now();
  const progress: BackfillProgress = { runs: 0, checkResults: 0, elapsedMs: 0 };
  let last: string | null = null;
  for (;;) {
    // Keyset: each batch starts after the last run of the one before, so the
    // walk is linear and never rescans counted runs for nulls.
    const batch: { id: string }[] = await sql<{ id: string }[]>`
      select id::text from public.analysis_runs
      ${last === null ? sql`` : sql`where id > ${last}::uuid`}
      order by id limit ${batchRuns}`;
    if (batch.length === 0) break;
    last = batch.at(-1)!.id;
    const ids = batch.map((r) => r.id);
    progress.checkResults += await sql.begin(async (tx) => {
      const locked = await tx<{ id: string }[]>`
        select r.id::text from public.analysis_runs r
        where r.id = any(${ids}::uuid[])
          and exists (select 1 from public.analysis_check_results cr
                      where cr.run_id = r.id and cr.findings is null)
        order by r.id
        for update of r`;
      if (locked.length === 0) return 0;
      const updated = await tx`
        update public.analysis_check_results cr
        set findings = (select count(*)::int from public.analysis_finding_results fr
                        where fr.run_id = cr.run_id and fr.check_id = cr.check_id)
        where cr.run_id = any(${locked.map((r) => r.id)}::uuid[]) and cr.findings is null`;
      return updated.count;
    });
    progress.runs += batch.length;
    progress.elapsedMs = performance.now() - started;
    options.onProgress?.({ ...progress });
  }
  progress.elapsedMs = performance.now() - started;
  return progress;
}
