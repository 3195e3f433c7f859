/**
 * Whether a check can run on an instance, given what the last syncs found
 * (`public.instance_tables`): which tables exist, which the integration user
 * could read, and which fields the instance actually returned. Three kinds of
 * "could not judge", never a PASS or a FAIL on missing data:
 *
 * - **NOT_EVALUATED**: a table the check needs was denied (403 / ACL), was never
 *   synced, or a field it judges is absent on the instance (omitted from every
 *   record returned — an empty string is a value, an omitted field is not).
 * - **NOT_APPLICABLE**: a table the check needs does not exist on the instance
 *   (400 "Invalid table": the plugin is not installed), or a hardening setting
 *   belongs to a plugin that is not installed. Kept apart and out of every score.
 *
 * Optional tables (evidence enrichment) and evidence-only fields never block.
 *
 * @module
 */

import { itemTable } from "./hardening.ts";
import type { Check, TableRequirement } from "./types.ts";

/** One `public.instance_tables` row (the columns this module reads). */
export interface InstanceTableState {
  readonly table_name: string;
  readonly readable: boolean;
  readonly last_error?: string | null;
  /** The instance answered that the table does not exist (plugin not installed). */
  readonly table_missing?: boolean;
  /** Fields the sync asked for; null before any record was read. */
  readonly fields_requested?: readonly string[] | null;
  /** Fields present in at least one record returned; null before any record was read. */
  readonly fields_present?: readonly string[] | null;
}

/** The instance's `v_plugin` rows the readiness of plugin-owned settings needs. */
export interface InstancePlugins {
  /** Whether v_plugin was synced and readable (otherwise nothing is concluded). */
  readonly readable: boolean;
  /** Ids of the plugins whose row says `active = active`. */
  readonly active: ReadonlySet<string>;
}

/** A verdict for a check that cannot be judged. */
export type NotJudged = "NOT_EVALUATED" | "NOT_APPLICABLE";

/**
 * Whether a check can run.
 *
 * - `ok: false`: it must be reported as `verdict` (NOT_EVALUATED or
 *   NOT_APPLICABLE) with `reason`.
 * - `ok: true, partial: null`: everything it judges is available.
 * - `ok: true, partial: "…"`: a hardening setting with several items of which
 *   some cannot be read (it still FAILs when a readable item fails, and is
 *   NOT_EVALUATED otherwise), or a note on optional data that is missing.
 */
export type Readiness =
  | { readonly ok: true; readonly partial: string | null }
  | { readonly ok: false; readonly verdict: NotJudged; readonly reason: string };

/** What is wrong with one table, and which verdict that implies. */
interface Problem {
  readonly verdict: NotJudged;
  readonly reason: string;
}

/** The problem with a table an item or check reads, or null when it was read. */
export function tableProblem(table: string, state: InstanceTableState | undefined): Problem | null {
  if (state === undefined) {
    return { verdict: "NOT_EVALUATED", reason: `${table} has not been synced yet` };
  }
  if (state.table_missing) {
    return {
      verdict: "NOT_APPLICABLE",
      reason: `table \`${table}\` does not exist on this instance (plugin not installed)`,
    };
  }
  if (!state.readable) {
    const detail = state.last_error ? ` (${state.last_error})` : "";
    return {
      verdict: "NOT_EVALUATED",
      reason: `no read access: ${table} was not readable by the integration user${detail}`,
    };
  }
  return null;
}

/**
 * The fields of `fields` that the instance does not return on a table, each
 * with its reason: absent (requested and omitted from every record) or never
 * requested by a sync yet. Empty when the table returned no record so far
 * (nothing is known, and a table without records gives no verdict anyway).
 *
 * @param table the table
 * @param fields the fields a check judges
 * @param state the table's state
 * @returns one reason per unavailable field
 */
export function fieldProblems(
  table: string,
  fields: readonly string[],
  state: InstanceTableState | undefined,
): string[] {
  if (!state?.fields_present || !state.fields_requested) return [];
  const present = new Set(state.fields_present);
  const requested = new Set(state.fields_requested);
  return fields.filter((f) => !present.has(f)).map((f) =>
    requested.has(f)
      ? `field \`${f}\` is not available on table \`${table}\` on this instance`
      : `field \`${f}\` of table \`${table}\` has not been synced yet`
  );
}

function combine(problems: readonly Problem[]): Readiness {
  const applicable = problems.filter((p) => p.verdict === "NOT_APPLICABLE");
  if (applicable.length > 0) {
    return {
      ok: false,
      verdict: "NOT_APPLICABLE",
      reason: applicable.map((p) => p.reason).join("; "),
    };
  }
  return { ok: false, verdict: "NOT_EVALUATED", reason: problems.map((p) => p.reason).join("; ") };
}

/**
 * The readiness of a check over tables and the fields it judges (built-in or
 * custom): a missing required table → NOT_APPLICABLE; a denied or unsynced
 * table, or an absent judged field → NOT_EVALUATED.
 *
 * @param requirements tables with the fields the verdict depends on
 * @param tables the instance's table states
 * @returns the readiness
 */
export function readinessOf(
  requirements: readonly TableRequirement[],
  tables: readonly InstanceTableState[],
): Readiness {
  const byName = new Map(tables.map((t) => [t.table_name, t]));
  const problems: Problem[] = [];
  const notes: string[] = [];
  for (const req of requirements) {
    const state = byName.get(req.table);
    const problem = tableProblem(req.table, state);
    if (problem) {
      if (req.optional) notes.push(`${problem.reason}; the verdict rests on the other tables`);
      else problems.push(problem);
      continue;
    }
    const judged = req.fields.filter((f) => !req.evidenceOnly?.includes(f));
    for (const reason of fieldProblems(req.table, judged, state)) {
      if (req.optional) notes.push(`${reason}; the verdict rests on the other tables`);
      else problems.push({ verdict: "NOT_EVALUATED", reason });
    }
  }
  if (problems.length > 0) return combine(problems);
  return { ok: true, partial: notes.length > 0 ? notes.join("; ") : null };
}

/**
 * Says whether a check can run on an instance and, if not, why and with which verdict.
 *
 * @param check the check
 * @param tables the instance's `public.instance_tables` rows (no row = never synced)
 * @param plugins the instance's active plugins (for plugin-owned hardening settings)
 * @returns the readiness
 * @example
 * ```ts
 * canEvaluate(check, [{ table_name: "sys_user", readable: false }]);
 * // { ok: false, verdict: "NOT_EVALUATED", reason: "no read access: sys_user was not readable …" }
 * ```
 */
export function canEvaluate(
  check: Check,
  tables: readonly InstanceTableState[],
  plugins?: InstancePlugins,
): Readiness {
  if (!check.hardening) return readinessOf(check.tables, tables);
  const setting = check.hardening;
  const manual = setting.items.find((i) => i.kind === "manual");
  if (manual) {
    return {
      ok: false,
      verdict: "NOT_EVALUATED",
      reason: `Needs a manual review: ${manual.reason}`,
    };
  }
  if (setting.plugin && plugins?.readable) {
    const installed = setting.plugin.ids.some((id) => plugins.active.has(id));
    if (!installed) {
      return {
        ok: false,
        verdict: "NOT_APPLICABLE",
        reason: `the setting belongs to ${setting.plugin.name} (${
          setting.plugin.ids.join(" / ")
        }), which is not installed on this instance`,
      };
    }
  }
  const byName = new Map(tables.map((t) => [t.table_name, t]));
  const needed = [
    ...new Set(setting.items.map(itemTable).filter((t): t is string => t !== null)),
  ];
  const problems = needed.map((t) => tableProblem(t, byName.get(t))).filter((p): p is Problem =>
    p !== null
  );
  if (problems.length === 0) return { ok: true, partial: null };
  if (problems.length === needed.length) return combine(problems);
  return {
    ok: true,
    partial: `${
      problems.map((p) => p.reason).join("; ")
    }; only a failure of the other items can be reported`,
  };
}

/**
 * The readiness of a custom check: every table its query reads (the root and
 * dot-walked or related ones) with the fields the query uses.
 *
 * @param compiled the compiled query's tables and fields
 * @param tables the instance's table states
 * @returns the readiness
 */
export function customReadiness(
  compiled: {
    readonly tables: readonly string[];
    readonly fields: Readonly<Record<string, readonly string[]>>;
  },
  tables: readonly InstanceTableState[],
): Readiness {
  return readinessOf(
    compiled.tables.map((table) => ({ table, fields: compiled.fields[table] ?? [] })),
    tables,
  );
}
