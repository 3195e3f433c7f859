import type postgres from "postgres";
import type { Tx } from "./database.ts";

/**
 * Runs a list's page statement so that it walks its index in the list's order
 * whatever the row estimates say: sorting (and JIT, which sorting off would
 * trigger through inflated costs) is off for that statement only. Row-level
 * security adds `org_id = any (member organizations)` to every read, which the
 * planner takes as independent of the list's own filter (an instance, an
 * organization): it then expects a few dozen rows, combines two indexes and
 * sorts — the whole history of a busy instance, to return 20 rows. With
 * sorting off, the plan is the index walk the list was built for, and a
 * plan that still sorts shows a missing index (the plan tests,
 * shared/*\/list_plan_test.ts, catch it).
 *
 * The settings are pipelined with the statement; restoring them costs one round trip.
 *
 * @param tx a tenant transaction
 * @param query the page statement, built and not yet awaited
 * @returns its rows
 */
export async function readPage<T extends readonly postgres.MaybeRow[]>(
  tx: Tx,
  query: postgres.PendingQuery<T>,
): Promise<T> {
  // Sent together with the statement; the restore follows its answer, so the
  // transaction's later statements plan as usual.
  const off = tx`select set_config('enable_sort', 'off', true), set_config('jit', 'off', true)`
    .execute();
  const [, rows] = await Promise.all([off, query]);
  await tx`
    select set_config(name, reset_val, true) from pg_catalog.pg_settings
    where name in ('enable_sort', 'jit')`;
  return rows;
}
