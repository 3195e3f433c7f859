/**
 * Whether a check can run on an instance, given which tables the integration user
 * could read at the last sync (`public.instance_tables`). A check over a table that
 * was not readable is NOT_EVALUATED, never PASS.
 *
 * @module
 */

import { itemTable } from "./hardening.ts";
import type { Check } from "./types.ts";

/** One `public.instance_tables` row (the columns this module reads). */
export interface InstanceTableState {
  readonly table_name: string;
  readonly readable: boolean;
  readonly last_error?: string | null;
}

/**
 * Whether a check can run.
 *
 * - `ok: false`: it must be reported NOT_EVALUATED with `reason`.
 * - `ok: true, partial: null`: every table it reads was readable.
 * - `ok: true, partial: "…"` (hardening settings with several items only): some
 *   items' tables were not readable; the setting still FAILs when a readable item
 *   fails, and is NOT_EVALUATED (with this reason) otherwise.
 */
export type Readiness =
  | { readonly ok: true; readonly partial: string | null }
  | { readonly ok: false; readonly reason: string };

function problem(table: string, state: InstanceTableState | undefined): string | null {
  if (state === undefined) return `${table} has not been synced yet`;
  if (!state.readable) {
    const detail = state.last_error ? ` (${state.last_error})` : "";
    return `${table} was not readable by the integration user${detail}`;
  }
  return null;
}

/**
 * Says whether a check can run on an instance and, if not, why.
 *
 * @param check the check
 * @param tables the instance's `public.instance_tables` rows (no row = never synced)
 * @returns the readiness
 * @example
 * ```ts
 * canEvaluate(check, [{ table_name: "sys_user", readable: false }]);
 * // { ok: false, reason: "sys_user was not readable by the integration user" }
 * ```
 */
export function canEvaluate(check: Check, tables: readonly InstanceTableState[]): Readiness {
  const byName = new Map(tables.map((t) => [t.table_name, t]));
  if (check.hardening) {
    const manual = check.hardening.items.find((i) => i.kind === "manual");
    if (manual) return { ok: false, reason: `Needs a manual review: ${manual.reason}` };
    const needed = [
      ...new Set(check.hardening.items.map(itemTable).filter((t): t is string => t !== null)),
    ];
    const problems = needed.map((t) => problem(t, byName.get(t))).filter((p): p is string =>
      p !== null
    );
    if (problems.length === 0) return { ok: true, partial: null };
    if (problems.length === needed.length) return { ok: false, reason: problems.join("; ") };
    return {
      ok: true,
      partial: `${problems.join("; ")}; only a failure of the other items can be reported`,
    };
  }
  const problems = check.tables.map((t) => problem(t.table, byName.get(t.table))).filter((
    p,
  ): p is string => p !== null);
  return problems.length === 0
    ? { ok: true, partial: null }
    : { ok: false, reason: problems.join("; ") };
}
