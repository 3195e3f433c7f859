/**
 * Running evaluators: planning the statements for a set of checks, executing one
 * statement, and turning a check's rows into its outcome.
 *
 * The contract every statement follows: positional parameters `$1` instance id
 * (uuid), `$2` parameters (a JSON object, bound as jsonb), `$3` evaluation time
 * (timestamptz); it must run in a tenant transaction (RLS decides the org) and
 * filters `instance_id = $1` itself. Rows: `resource_key`, `table_name`, `sys_id`,
 * `status`, `evidence`, plus `check_id` for the shared hardening statement.
 *
 * Evidence capping: evaluators return every judged resource, uncapped, each with
 * small evidence (long texts are cut in SQL), because findings are stored per
 * resource for run-to-run deltas and suppressions. {@link summarizeCheck} caps
 * the check-level evidence list and reports total counts.
 *
 * @module
 */

import { z } from "zod";
import {
  HARDENING_EVALUATOR_SQL,
  hardeningParameters,
  type SecurityCenterScore,
  securityCenterScore,
} from "./hardening.ts";
import type { Readiness } from "./availability.ts";
import { resolveParameters } from "./parameters.ts";
import type { Check, EvaluatorRow, HardeningSetting } from "./types.ts";

/** One statement to execute; its rows belong to `checkIds`. */
export interface EvaluationStatement {
  /** `check`: one behavioural check; `hardening`: every hardening setting listed. */
  readonly kind: "check" | "hardening";
  readonly checkIds: readonly string[];
  readonly sql: string;
  /** The `$2` value: the check's validated parameters, or the hardening settings. */
  readonly parameters: Readonly<Record<string, unknown>>;
}

/** Options of {@link planEvaluation}. */
export interface PlanOptions {
  /** The organization's parameter overrides, by check id then parameter name. */
  readonly parameters?: Readonly<Record<string, Readonly<Record<string, unknown>>>>;
}

/**
 * The statements that evaluate `checks`: one per behavioural check, and one for all
 * hardening settings together. Pass only checks that {@link canEvaluate} allowed.
 *
 * @param checks the checks to run
 * @param options organization parameter overrides
 * @returns the statements, behavioural ones first in catalog order
 * @throws {ParameterError} when an override breaks a check's bounds
 */
export function planEvaluation(
  checks: readonly Check[],
  options: PlanOptions = {},
): EvaluationStatement[] {
  const statements: EvaluationStatement[] = [];
  const settings: HardeningSetting[] = [];
  for (const check of checks) {
    if (check.evaluator.kind === "hardening") {
      if (check.hardening) settings.push(check.hardening);
      continue;
    }
    statements.push({
      kind: "check",
      checkIds: [check.id],
      sql: check.evaluator.sql,
      parameters: resolveParameters(check, options.parameters?.[check.id]),
    });
  }
  const judged = hardeningParameters(settings);
  if (judged.settings.length > 0) {
    statements.push({
      kind: "hardening",
      checkIds: judged.settings.map((s) => s.checkId),
      sql: HARDENING_EVALUATOR_SQL,
      parameters: judged,
    });
  }
  return statements;
}

/** The part of a postgres.js connection or transaction this module uses. */
export interface SqlRunner {
  unsafe(query: string, parameters: never[]): PromiseLike<readonly unknown[]>;
}

const rowSchema = z.object({
  check_id: z.string().optional(),
  resource_key: z.string(),
  table_name: z.string(),
  sys_id: z.string().nullable(),
  status: z.enum(["PASS", "FAIL", "NOT_EVALUATED"]),
  evidence: z.record(z.string(), z.unknown()),
});

/** Options of {@link runEvaluation}. */
export interface RunOptions {
  readonly instanceId: string;
  /** Evaluation time; relative rules (dormancy, expiry) are measured from it. */
  readonly now: Date;
}

/**
 * Executes one statement (inside the caller's tenant transaction) and groups its
 * rows by check.
 *
 * @param sql a postgres.js transaction (`tx`) or connection
 * @param statement from {@link planEvaluation}
 * @param options instance and evaluation time
 * @returns check id → rows (every planned check has an entry, possibly empty)
 * @throws when the statement fails or returns a malformed row
 */
export async function runEvaluation(
  sql: SqlRunner,
  statement: EvaluationStatement,
  options: RunOptions,
): Promise<Map<string, EvaluatorRow[]>> {
  const raw = await sql.unsafe(
    statement.sql,
    [options.instanceId, statement.parameters, options.now] as never[],
  );
  const byCheck = new Map<string, EvaluatorRow[]>(statement.checkIds.map((id) => [id, []]));
  for (const value of raw) {
    const parsed = rowSchema.safeParse(value);
    if (!parsed.success) {
      throw new Error(
        `Cannot evaluate check "${statement.checkIds[0]}": malformed row: ${
          parsed.error.issues[0]?.message ?? "invalid"
        }`,
      );
    }
    const { check_id, ...row } = parsed.data;
    const id = statement.kind === "hardening" ? check_id : statement.checkIds[0];
    const list = id === undefined ? undefined : byCheck.get(id);
    if (!list) throw new Error(`Cannot evaluate hardening settings: row for unknown check "${id}"`);
    list.push(row);
  }
  return byCheck;
}

/** The verdict on one check for one instance. */
export interface CheckOutcome {
  readonly checkId: string;
  readonly status: "PASS" | "FAIL" | "NOT_EVALUATED" | "NOT_APPLICABLE";
  /** Why it was not evaluated, or a note (e.g. partial hardening data); null otherwise. */
  readonly reason: string | null;
  /** Resources judged non-compliant / compliant (PASS rows only exist for `returns: "all"`). */
  readonly failed: number;
  readonly passed: number;
  /** FAIL rows, at most `evidenceLimit`, ordered by resource key. */
  readonly evidence: readonly EvaluatorRow[];
  readonly evidenceTruncated: boolean;
}

/**
 * Turns a check's rows into its outcome.
 *
 * - Not ready (see canEvaluate) → NOT_EVALUATED or NOT_APPLICABLE with the reason.
 * - Hardening: the setting's row decides; no row, or a NOT_EVALUATED row (a
 *   property absent with an unknown default) → NOT_EVALUATED with its reason.
 * - `returns: "failures"`: any row → FAIL; no row → PASS.
 * - `returns: "all"`: any FAIL row → FAIL; otherwise PASS.
 *
 * @param check the check
 * @param rows its rows from {@link runEvaluation} (ignored when not ready)
 * @param readiness from canEvaluate
 * @param options `evidenceLimit` (default 50)
 * @returns the outcome
 */
export function summarizeCheck(
  check: Check,
  rows: readonly EvaluatorRow[],
  readiness: Readiness,
  options: { readonly evidenceLimit?: number } = {},
): CheckOutcome {
  const limit = options.evidenceLimit ?? 50;
  if (!readiness.ok) {
    return {
      checkId: check.id,
      status: readiness.verdict,
      reason: readiness.reason,
      failed: 0,
      passed: 0,
      evidence: [],
      evidenceTruncated: false,
    };
  }
  const failing = rows.filter((r) => r.status === "FAIL").sort((a, b) =>
    a.resource_key.localeCompare(b.resource_key)
  );
  const passed = rows.filter((r) => r.status === "PASS").length;
  const base = {
    checkId: check.id,
    failed: failing.length,
    passed,
    evidence: failing.slice(0, limit),
    evidenceTruncated: failing.length > limit,
  };
  const judged = rows.filter((r) => r.status === "PASS" || r.status === "FAIL");
  if (check.evaluator.kind === "hardening" && judged.length === 0) {
    const undecided = rows.find((r) => r.status !== "PASS" && r.status !== "FAIL");
    const why = undecided?.evidence.reason;
    return {
      ...base,
      passed: 0,
      status: "NOT_EVALUATED",
      reason: (typeof why === "string" ? why : null) ?? readiness.partial ??
        "The setting cannot be decided from the synced data",
    };
  }
  return { ...base, status: failing.length > 0 ? "FAIL" : "PASS", reason: readiness.partial };
}

/**
 * The Security Center hardening score of a run: over the hardening checks that
 * Security Center scores (curated extras excluded) and that were evaluated.
 *
 * @param checks the catalog (or the checks that ran)
 * @param outcomes the run's outcomes
 * @returns the score; settings NOT_EVALUATED are left out and `total` says how many counted
 */
export function hardeningScore(
  checks: readonly Check[],
  outcomes: readonly CheckOutcome[],
): SecurityCenterScore {
  const scored = new Map(
    checks.filter((c) => c.hardening?.source === "security_center").map((
      c,
    ) => [c.id, c.hardening!.risk]),
  );
  return securityCenterScore(
    outcomes.filter((o) => scored.has(o.checkId) && (o.status === "PASS" || o.status === "FAIL"))
      .map((o) => ({ risk: scored.get(o.checkId) ?? null, compliant: o.status === "PASS" })),
  );
}
