/**
 * The `analysis.run` task: evaluates a run's checks as a chunked, resumable
 * job. The first step prepares the run (which checks can be evaluated, the
 * plan of statements); each following step executes statements of the plan and
 * saves the position with its results in the same transaction, so a crash at
 * any moment neither loses nor duplicates a check; the last step computes the
 * scores. A statement that fails or runs out of time makes its checks
 * NOT_EVALUATED with the reason — never a PASS — and the run goes on. A run
 * that succeeded queues the analysis of a sync that completed while it ran.
 *
 * @module
 */

import { z } from "zod";
import type { Tx } from "../../db/mod.ts";
import type { Logger } from "../../log/mod.ts";
import {
  defineTask,
  type IterationStep,
  PermanentTaskError,
  type TaskDefinition,
} from "../../tasks/mod.ts";
import {
  canEvaluate,
  CHECKS,
  customReadiness,
  getCheck,
  type InstancePlugins,
  type InstanceTableState,
  type NotJudged,
  ParameterError,
  planEvaluation,
  type Readiness,
  requiredFields,
} from "../catalog/mod.ts";
import { compileCustomQuery, CustomQueryError } from "../custom/compile.ts";
import { computeScores, computeSummary, effectiveChecks, explainScores } from "../scores/scores.ts";
import { type CustomCheckRecord, fromCustom, type OrgCheck, severityRank } from "../org_checks.ts";
import {
  type RecordContext,
  type RecordedCheck,
  recordEvaluation,
  recordNotEvaluated,
} from "./record.ts";
import { catalogVersion } from "./version.ts";
import { queueMissedSyncAnalysis } from "./_queue.ts";

/** The task kind of an analysis run. */
export const ANALYSIS_RUN_TASK_KIND = "analysis.run";

/** Default limit on one check's statement. */
export const DEFAULT_CHECK_TIMEOUT_MS = 60_000;

/** Payload of `analysis.run`. */
export const analysisRunPayloadSchema = z.object({
  runId: z.uuid(),
  /** Limit on one evaluator statement (tests lower it). */
  checkTimeoutMs: z.number().int().min(50).max(600_000).optional(),
  /** Statements evaluated at once on a server (default 2; always 1 on PGlite). */
  lanes: z.number().int().min(1).max(8).optional(),
});

const cursorSchema = z.object({
  /** -1 before the run is prepared; then the next unit of the plan. */
  unit: z.number().int().min(-1),
});
type Cursor = z.infer<typeof cursorSchema>;

/** One statement of a run's plan. */
export interface PlanUnit {
  kind: "check" | "hardening" | "custom";
  checks: string[];
  /** Notes on settings evaluated with some tables unreadable. */
  partial?: Record<string, string>;
}

/** What the task reads of a run. */
interface RunRow {
  id: string;
  org_id: string;
  instance_id: string;
  status: string;
  catalog_version: string;
  parameters: Record<string, Record<string, unknown>>;
  custom_checks: Record<string, CustomCheckRecord>;
  check_ids: string[];
  plan: PlanUnit[];
  evaluated_at: Date;
  previous_run_id: string | null;
  checks_total: number;
  checks_done: number;
}

/** The `analysis.run` task definition. */
export type AnalysisRunTask = TaskDefinition<typeof analysisRunPayloadSchema, Cursor>;

/** The `analysis.run` task; listed in `functions/tasks/kinds.ts`. */
export const analysisRunTask: AnalysisRunTask = defineTask({
  kind: ANALYSIS_RUN_TASK_KIND,
  payload: analysisRunPayloadSchema,
  cursor: cursorSchema,
  retries: 3,
  handler: async (ctx, payload) => {
    const options = {
      timeout: payload.checkTimeoutMs ?? DEFAULT_CHECK_TIMEOUT_MS,
      log: ctx.log,
    };
    // A run that succeeded (now, or in a delivery this one repeats) catches up
    // with a sync that completed while it ran; queueing is idempotent.
    const finished = async (result: RunResult) => {
      if (result.status === "succeeded") {
        await queueMissedSyncAnalysis(ctx, analysisRunTask, result.runId);
      }
      return ctx.done(result);
    };
    try {
      let cursor: Cursor = ctx.cursor ?? { unit: -1 };
      if (cursor.unit < 0) {
        const prepared = await ctx.step(async (tx) => {
          const run = await loadRun(tx, payload.runId, true);
          if (FINISHED.has(run.status)) {
            return { cursor, done: true, result: { runId: run.id, status: run.status } };
          }
          await checkVersion(run);
          return await prepare(tx, run);
        });
        if (prepared.done) return await finished(prepared.result as RunResult);
        cursor = prepared.cursor;
      }
      const lanes = await ctx.tx(async (tx) => {
        const [db] = await tx<{ pglite: boolean }[]>`select version() like '%PGlite%' as pglite`;
        return db?.pglite ? 1 : payload.lanes ?? DEFAULT_LANES;
      });
      for (;;) {
        if (ctx.shouldYield()) return ctx.continueWith(cursor);
        const run = await ctx.tx((tx) => loadRun(tx, payload.runId, false));
        if (FINISHED.has(run.status)) return await finished({ runId: run.id, status: run.status });
        await checkVersion(run);
        if (cursor.unit >= run.plan.length) {
          const last = await ctx.step(async (tx) => {
            const locked = await loadRun(tx, payload.runId, true);
            const scores = await finish(tx, locked);
            return {
              cursor,
              done: true,
              fraction: 1,
              message: `Analysis finished: ${locked.checks_total} checks`,
              result: { runId: locked.id, status: "succeeded", overall: scores.overall.score },
            };
          });
          return await finished(last.result as RunResult);
        }
        // Statements of the plan in parallel lanes, each in its own transaction and
        // idempotent per (run, check), until the delivery's time budget is spent;
        // the position is saved when the lanes stop (a crash before that only
        // repeats the skip of what was recorded).
        const first = cursor.unit;
        let next = first;
        let done = run.checks_done;
        await Promise.all(Array.from({ length: lanes }, async () => {
          while (next < run.plan.length && (next === first || ctx.timeLeftMs() > 0)) {
            const unit = run.plan[next++]!;
            ctx.signal.throwIfAborted();
            const recorded = await ctx.tx((tx) =>
              executeUnit(tx, run, unit, { ...options, lanes })
            );
            done += recorded;
            const what = unit.kind === "hardening"
              ? `${unit.checks.length} hardening settings`
              : titleOf(run, unit.checks[0]!);
            ctx.progress(
              0.02 + 0.93 * (done / Math.max(1, run.checks_total)),
              `Evaluated ${what} (${done} of ${run.checks_total} checks)`,
              { checks_done: done, checks_total: run.checks_total },
            );
          }
        }));
        const reached: Cursor = { unit: next };
        const saved = await ctx.step(async (tx) => {
          const [recount] = await tx<{ n: number }[]>`
            update public.analysis_runs set checks_done = (
              select count(*)::int from public.analysis_check_results where run_id = ${run.id})
            where id = ${run.id} returning checks_done as n`;
          const n = recount?.n ?? 0;
          return {
            cursor: reached,
            fraction: 0.02 + 0.93 * (n / Math.max(1, run.checks_total)),
            counters: { checks_done: n, checks_total: run.checks_total },
          };
        });
        cursor = saved.cursor;
      }
    } catch (error) {
      if (error instanceof PermanentTaskError) {
        await ctx.tx((tx) => failRun(tx, payload.runId, error.message));
      }
      throw error;
    }
  },
});

const FINISHED = new Set(["succeeded", "failed", "cancelled"]);

/** The job result of a run. */
interface RunResult {
  runId: string;
  status: string;
  overall?: number | null;
}

/** Statements evaluated at once on a database server (a 2-core machine's worth). */
const DEFAULT_LANES = 2;

async function checkVersion(run: RunRow): Promise<void> {
  if (run.catalog_version !== await catalogVersion()) {
    throw new PermanentTaskError(
      "Cannot continue the analysis: the check catalog changed since the run started; start a new run",
      { code: "catalog_changed" },
    );
  }
}

async function failRun(tx: Tx, runId: string, message: string): Promise<void> {
  await tx`
    update public.analysis_runs set status = 'failed', error = ${message}, finished_at = now()
    where id = ${runId} and status in ('queued', 'running')`;
}

const RUN_COLUMNS = [
  "id",
  "org_id",
  "instance_id",
  "status",
  "catalog_version",
  "parameters",
  "custom_checks",
  "check_ids",
  "plan",
  "evaluated_at",
  "previous_run_id",
  "checks_total",
  "checks_done",
] as const;

async function loadRun(tx: Tx, runId: string, lock: boolean): Promise<RunRow> {
  const [run] = await tx<RunRow[]>`
    select ${tx(RUN_COLUMNS)} from public.analysis_runs where id = ${runId}
    ${lock ? tx`for update` : tx``}`;
  if (!run) {
    throw new PermanentTaskError("Cannot run the analysis: the run no longer exists", {
      code: "run_not_found",
    });
  }
  return run;
}

function titleOf(run: RunRow, checkId: string): string {
  return getCheck(checkId)?.title ?? run.custom_checks[checkId]?.title ?? checkId;
}

/** The check as the run sees it: built-in from the catalog, custom from the run's snapshot. */
function runCheck(run: RunRow, checkId: string): OrgCheck | null {
  const custom = run.custom_checks[checkId];
  if (custom) return fromCustom(custom);
  const check = getCheck(checkId);
  if (!check) return null;
  return {
    id: check.id,
    title: check.title,
    area: check.area,
    family: check.family,
    severity: check.severity,
    riskScore: check.riskScore,
    scRisk: check.hardening?.source === "security_center" ? check.hardening.risk ?? 0 : null,
    description: check.description,
    risk: check.risk,
    remediation: check.remediation,
    references: check.references,
    resourceType: check.resourceType,
    frameworks: check.frameworks,
    controls: check.controls,
    tables: check.tables.map((t) => t.table),
    parameters: check.parameters,
    // The run recorded every parameter that differs from the catalog default,
    // whatever its source; the organization's settings are not read again.
    overrides: run.parameters[check.id] ?? {},
    orgSettings: {},
    enabled: true,
    builtin: check,
    custom: null,
  };
}

function recorded(check: OrgCheck, partial: string | null = null): RecordedCheck {
  return {
    id: check.id,
    hardening: check.family === "hardening",
    partial,
    title: check.title,
    area: check.area,
    family: check.family,
    severity: check.severity,
    severity_rank: severityRank(check.severity),
    risk: check.riskScore,
    sc_risk: check.scRisk,
    frameworks: [...new Set(check.frameworks.map((m) => m.framework))],
  };
}

const SYNCED_FIELDS = requiredFields(CHECKS);

/** The first step: readiness of every check, the plan, NOT_EVALUATED verdicts. */
async function prepare(tx: Tx, run: RunRow): Promise<IterationStep<Cursor>> {
  const tables = await tx<InstanceTableState[]>`
    select table_name, readable, last_error, table_missing, fields_requested, fields_present
    from public.instance_tables
    where instance_id = ${run.instance_id}`;
  const plugins = await instancePlugins(tx, run.instance_id, tables);
  const context = contextOf(run);
  const notReady: (RecordedCheck & { reason: string; verdict: NotJudged })[] = [];
  const hardening: PlanUnit = { kind: "hardening", checks: [], partial: {} };
  const units: PlanUnit[] = [];
  for (const id of run.check_ids) {
    const check = runCheck(run, id);
    if (!check) continue;
    if (check.custom) {
      let readiness: Readiness;
      try {
        const compiled = compileCustomQuery(check.custom.query, {
          table: check.custom.table_name,
          evidenceFields: check.custom.evidence_fields,
          now: run.evaluated_at,
        });
        readiness = customReadiness(compiled, tables);
      } catch (error) {
        if (!(error instanceof CustomQueryError)) throw error;
        readiness = { ok: false, verdict: "NOT_EVALUATED", reason: error.message };
      }
      if (!readiness.ok) {
        notReady.push({ ...recorded(check), reason: readiness.reason, verdict: readiness.verdict });
      } else units.push({ kind: "custom", checks: [id] });
      continue;
    }
    const readiness = canEvaluate(check.builtin!, tables, plugins);
    if (!readiness.ok) {
      notReady.push({ ...recorded(check), reason: readiness.reason, verdict: readiness.verdict });
    } else if (readiness.partial && check.builtin!.evaluator.kind !== "hardening") {
      units.push({ kind: "check", checks: [id], partial: { [id]: readiness.partial } });
    } else if (check.builtin!.evaluator.kind === "hardening") {
      hardening.checks.push(id);
      if (readiness.partial) hardening.partial![id] = readiness.partial;
    } else {
      units.push({ kind: "check", checks: [id] });
    }
  }
  if (hardening.checks.length > 0) units.push(hardening);
  await recordNotEvaluated(tx, notReady, context);
  const [previous] = await tx<{ id: string }[]>`
    select id from public.analysis_runs
    where instance_id = ${run.instance_id} and status = 'succeeded' and id <> ${run.id}
    order by created_at desc limit 1`;
  await tx`
    update public.analysis_runs set
      status = 'running', started_at = coalesce(started_at, now()), plan = ${
    tx.json(units as never)
  },
      checks_total = ${run.check_ids.length}, checks_done = ${notReady.length},
      previous_run_id = ${previous?.id ?? null}
    where id = ${run.id}`;
  return {
    cursor: { unit: 0 },
    fraction: 0.02,
    message: `Prepared ${run.check_ids.length} checks (${notReady.length} cannot be evaluated)`,
    counters: { checks_done: notReady.length, checks_total: run.check_ids.length },
  };
}

/** The instance's active plugins, from its synced `v_plugin` (readable or not). */
async function instancePlugins(
  tx: Tx,
  instanceId: string,
  tables: readonly InstanceTableState[],
): Promise<InstancePlugins> {
  const state = tables.find((t) => t.table_name === "v_plugin");
  if (!state?.readable) return { readable: false, active: new Set() };
  const rows = await tx<{ id: string }[]>`
    select r.data ->> 'id' as id from public.snow_records r
    where r.instance_id = ${instanceId} and r.table_name = 'v_plugin'
      and r.data ->> 'active' = 'active'`;
  return { readable: true, active: new Set(rows.map((r) => r.id)) };
}

function contextOf(run: RunRow): RecordContext {
  return {
    runId: run.id,
    orgId: run.org_id,
    instanceId: run.instance_id,
    evaluatedAt: run.evaluated_at,
  };
}

/**
 * Builds and records one statement in its own transaction. Idempotent per (run,
 * check): a unit whose verdicts exist (a crash after its commit) is skipped. An
 * error makes its checks NOT_EVALUATED with the reason, never PASS.
 */
async function executeUnit(
  tx: Tx,
  run: RunRow,
  unit: PlanUnit,
  options: { timeout: number; log: Logger; lanes: number },
): Promise<number> {
  // Planner settings for one-off analytic statements over jsonb (estimates are
  // poor): no JIT, room to hash and sort in memory, hash joins over nested
  // loops, and with several lanes no parallel workers inside a statement.
  await tx`
    select set_config('jit', 'off', true), set_config('work_mem', '64MB', true),
           set_config('enable_nestloop', 'off', true),
           set_config('max_parallel_workers_per_gather', ${options.lanes > 1 ? "0" : "2"}, true),
           set_config('statement_timeout', ${`${options.timeout}ms`}, true)`;
  const [seen] = await tx`
    select 1 from public.analysis_check_results
    where run_id = ${run.id} and check_id in ${tx(unit.checks)} limit 1`;
  if (seen) return 0;
  const started = Date.now();
  const checks = unit.checks.map((id) => runCheck(run, id)).filter((c): c is OrgCheck =>
    c !== null
  );
  const meta = checks.map((c) => recorded(c, unit.partial?.[c.id] ?? null));
  const context = contextOf(run);
  let statement: { sql: string; parameters: unknown };
  try {
    statement = buildStatement(run, unit, checks);
  } catch (error) {
    if (!(error instanceof ParameterError || error instanceof CustomQueryError)) throw error;
    await recordNotEvaluated(tx, meta.map((m) => ({ ...m, reason: error.message })), context);
    return await countDone(tx, run, unit);
  }
  await tx`savepoint analysis_unit`;
  try {
    await recordEvaluation(
      tx,
      { ...statement, checks: meta, multi: unit.kind === "hardening" },
      context,
    );
    await tx`release savepoint analysis_unit`;
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    if (typeof code !== "string" || !("severity" in (error as object))) throw error;
    await tx`rollback to savepoint analysis_unit`;
    const reason = code === "57014"
      ? "The check took too long and was stopped; it was not evaluated"
      : `The check could not be evaluated: the database refused its statement (SQLSTATE ${code})`;
    options.log.warn("analysis statement failed", {
      runId: run.id,
      checks: unit.checks.slice(0, 5),
      code,
      error,
    });
    await recordNotEvaluated(tx, meta.map((m) => ({ ...m, reason })), context);
  }
  await tx`
    update public.analysis_check_results set duration_ms = ${Date.now() - started}
    where run_id = ${run.id} and check_id in ${tx(unit.checks)}`;
  return await countDone(tx, run, unit);
}

/** Adds a unit's checks to the run's progress (a short row lock at the end of the unit). */
async function countDone(tx: Tx, run: RunRow, unit: PlanUnit): Promise<number> {
  await tx`update public.analysis_runs set checks_done = checks_done + ${unit.checks.length}
           where id = ${run.id}`;
  return unit.checks.length;
}

function buildStatement(
  run: RunRow,
  unit: PlanUnit,
  checks: readonly OrgCheck[],
): { sql: string; parameters: unknown } {
  if (unit.kind === "custom") {
    const custom = checks[0]!.custom!;
    const compiled = compileCustomQuery(custom.query, {
      table: custom.table_name,
      evidenceFields: custom.evidence_fields,
      now: run.evaluated_at,
      syncedFields: SYNCED_FIELDS,
    });
    return { sql: compiled.sql, parameters: compiled.parameters };
  }
  const statements = planEvaluation(checks.map((c) => c.builtin!), { parameters: run.parameters });
  const statement = statements[0];
  if (!statement || statements.length !== 1) {
    throw new Error(`Cannot build the statement of ${unit.checks[0]}: the plan is inconsistent`);
  }
  return { sql: statement.sql, parameters: statement.parameters };
}

/** The last step: scores, summary, explanation and the dashboard summary row; the run succeeds. */
async function finish(tx: Tx, run: RunRow) {
  const scores = await computeScores(tx, run.id);
  const summary = await computeSummary(tx, run.id);
  const checks = await effectiveChecks(tx, run.id);
  let previous = null;
  if (run.previous_run_id) {
    previous = {
      runId: run.previous_run_id,
      scores: await computeScores(tx, run.previous_run_id),
      checks: await effectiveChecks(tx, run.previous_run_id),
    };
  }
  const explanation = explainScores({ scores, checks }, previous);
  await tx`
    update public.analysis_runs set
      status = 'succeeded', finished_at = now(), checks_done = checks_total,
      scores = ${tx.json(scores as never)}, summary = ${tx.json(summary as never)},
      explanation = ${tx.json(explanation as never)}
    where id = ${run.id}`;
  // The dashboard's per-run summary, committed with the run (shared/posture).
  await tx`select public.record_analysis_run_summary(${run.id})`;
  return scores;
}
