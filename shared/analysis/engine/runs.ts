/**
 * Runs of an instance: starting one (recording the scope, catalog version,
 * parameters and custom checks it uses, then queueing `analysis.run`), listing
 * them, and reading one with its live scores, summary and explanation.
 *
 * @module
 */

import { type Database, type TenantClaims, type Tx } from "../../db/mod.ts";

import { HttpError } from "../../http/errors.ts";
import type { Logger } from "../../log/mod.ts";
import { readNewestFirstPage, requirePermission } from "../../organizations/mod.ts";
import type { Action } from "../../permissions/mod.ts";
import type { Job, TaskClient } from "../../tasks/mod.ts";
import {
  type CoverageCounts,
  coverageCounts,
  FRAMEWORKS,
  type RequirementCoverage,
  requirementCoverage,
  type RequirementType,
  type Severity,
} from "../catalog/mod.ts";
import type { CustomCheckRecord, RunScope } from "../org_checks.ts";
import {
  computeScores,
  computeSummary,
  effectiveChecks,
  explainScores,
  type RunScores,
  type RunSummary,
  type ScoreExplanation,
} from "../scores/scores.ts";
import { analysisRunTask } from "./task.ts";
import { authorizeInstanceRole, closeStaleRuns, INSTANCE_NOT_FOUND, recordRun } from "./_queue.ts";

export { closeStaleRuns };

/** What the run operations need from a function's services. */
export interface AnalysisServices {
  db: Database;
  log: Logger;
  tasks: TaskClient;
}

/** Status of a run. */
export type RunStatus = "queued" | "running" | "succeeded" | "failed" | "cancelled";

/** A run as the API shows it in lists. */
export interface RunListItem {
  id: string;
  org_id: string;
  instance_id: string;
  status: RunStatus;
  trigger: string;
  scope: RunScope;
  catalog_version: string;
  evaluated_at: Date;
  checks_total: number;
  checks_done: number;
  previous_run_id: string | null;
  job_id: string | null;
  /** Scores as computed when the run finished (suppressions then). */
  scores_at_completion: RunScores | null;
  error: string | null;
  requested_by: string | null;
  created_at: Date;
  started_at: Date | null;
  finished_at: Date | null;
}

/** One run in full: progress, and for a finished run its live scores. */
export interface RunDetail extends RunListItem {
  /**
   * The parameters it ran with that differ from the catalog defaults, by check
   * id then name — from a per-check override or an organization setting
   * (`dormant_account_days`); every other parameter had its catalog default.
   */
  parameters: Record<string, Record<string, unknown>>;
  /** Custom checks it ran, by check id: their version and query. */
  custom_checks: Record<string, { version: number; table_name: string; query: string }>;
  /** 0–1. */
  progress: number;
  progress_message: string;
  /** Scores with the suppressions in force now (null until the run succeeded). */
  scores: RunScores | null;
  summary: RunSummary | null;
  explanation: ScoreExplanation | null;
}

/** Options of {@link startRun}. */
export interface StartRunOptions {
  /** Evaluation time (relative rules are measured from it); now by default. */
  evaluatedAt?: Date;
  trigger?: "manual" | "schedule" | "sync";
  /** Limit on one check's statement, in ms. */
  checkTimeoutMs?: number;
}

const LIST_COLUMNS = [
  "id",
  "org_id",
  "instance_id",
  "status",
  "trigger",
  "scope",
  "catalog_version",
  "evaluated_at",
  "checks_total",
  "checks_done",
  "previous_run_id",
  "job_id",
  "error",
  "requested_by",
  "created_at",
  "started_at",
  "finished_at",
] as const;

/**
 * Starts a run of an instance (analyst or higher): the scope's checks with the
 * organization's parameters and custom checks, recorded on the run, then the
 * `analysis.run` job. One run at a time per instance, and not while a sync of it
 * is in progress (409 either way).
 *
 * @param services database, logger and task client
 * @param claims the caller
 * @param input the instance and the scope
 * @param options evaluation time, trigger, per-check timeout
 * @returns the queued run and its job
 * @throws {HttpError} 404 unknown instance, 403 below analyst, 409 busy, 422 bad scope or parameters
 */
export async function startRun(
  services: AnalysisServices,
  claims: TenantClaims,
  input: { instance_id: string; scope: RunScope },
  options: StartRunOptions = {},
): Promise<{ run: RunListItem; job: Job }> {
  // The person's role (or the worker's organization) is checked under the
  // caller's claims; the run itself is evidence, recorded by the engine.
  const target = await services.db.asTenant(
    claims,
    (tx) => authorizeInstanceRole(tx, input.instance_id, "runs.start"),
  );
  const engine = <T>(fn: (tx: Tx) => Promise<T>) =>
    services.db.asEngine(target.org_id, fn, claims.sub ?? null);
  const prepared = await engine(async (tx) => {
    const runId = await recordRun(tx, target, {
      scope: input.scope,
      trigger: options.trigger ?? "manual",
      evaluatedAt: options.evaluatedAt ?? new Date(),
      requestedBy: claims.sub ?? null,
    });
    return { orgId: target.org_id, runId };
  });
  let job: Job;
  try {
    job = await services.tasks.enqueue(
      analysisRunTask,
      {
        runId: prepared.runId,
        ...(options.checkTimeoutMs ? { checkTimeoutMs: options.checkTimeoutMs } : {}),
      },
      {
        orgId: prepared.orgId,
        subject: input.instance_id,
        dedupId: prepared.runId,
        actorUserId: claims.sub ?? null,
      },
    );
  } catch (error) {
    await engine((tx) =>
      tx`update public.analysis_runs set status = 'failed', finished_at = now(),
         error = 'The run could not be queued' where id = ${prepared.runId}`
    );
    throw error;
  }
  const run = await engine(async (tx) => {
    await tx`update public.analysis_runs set job_id = ${job.id}
             where id = ${prepared.runId} and job_id is null`;
    return await readRun(tx, prepared.runId);
  });
  return { run, job };
}

/**
 * Closes an instance's runs whose job has ended, as the engine (runs are
 * evidence; people only read them). Best effort: a read never fails on it.
 */
async function closeStaleRunsAsEngine(
  db: Database,
  orgId: string,
  instanceId: string,
): Promise<void> {
  await db.asEngine(orgId, (tx) => closeStaleRuns(tx, instanceId)).catch(() => {});
}

async function readRun(tx: Tx, runId: string): Promise<RunListItem> {
  const [row] = await tx<(RunListItem & { scores: RunScores | null })[]>`
    select ${tx(LIST_COLUMNS)}, scores from public.analysis_runs where id = ${runId}`;
  if (!row) throw new HttpError(404, RUN_NOT_FOUND);
  const { scores, ...rest } = row;
  return { ...rest, scores_at_completion: scores };
}

/** The message of a 404 for a run. */
export const RUN_NOT_FOUND = "Analysis run not found";

/**
 * Reads a run (members): progress while it runs; once it succeeded, its scores,
 * summary and explanation with the suppressions in force now.
 *
 * @param db the database
 * @param claims the caller
 * @param runId the run
 * @returns the run
 * @throws {HttpError} 404 when it does not exist or is not the caller's
 */
export async function getRun(
  db: Database,
  claims: TenantClaims,
  runId: string,
): Promise<RunDetail> {
  const [found] = await db.readAsTenant(
    claims,
    (tx) =>
      tx<{ instance_id: string; org_id: string; status: string }[]>`
        select instance_id, org_id, status from public.analysis_runs where id = ${runId}`,
  );
  if (!found) throw new HttpError(404, RUN_NOT_FOUND);
  if (found.status === "queued" || found.status === "running") {
    await closeStaleRunsAsEngine(db, found.org_id, found.instance_id);
  }
  return await db.asTenant(claims, async (tx) => {
    const base = await readRun(tx, runId);
    const [extra] = await tx<
      { parameters: RunDetail["parameters"]; custom_checks: Record<string, CustomCheckRecord> }[]
    >`select parameters, custom_checks from public.analysis_runs where id = ${runId}`;
    const [job] = base.job_id
      ? await tx<{ progress: number; progress_message: string }[]>`
          select progress, progress_message from public.jobs where id = ${base.job_id}`
      : [];
    let scores: RunScores | null = null;
    let summary: RunSummary | null = null;
    let explanation: ScoreExplanation | null = null;
    if (base.status === "succeeded") {
      scores = await computeScores(tx, runId);
      summary = await computeSummary(tx, runId);
      const checks = await effectiveChecks(tx, runId);
      const previous = base.previous_run_id
        ? {
          runId: base.previous_run_id,
          scores: await computeScores(tx, base.previous_run_id),
          checks: await effectiveChecks(tx, base.previous_run_id),
        }
        : null;
      explanation = explainScores({ scores, checks }, previous);
    }
    const progress = base.status === "succeeded"
      ? 1
      : base.checks_total > 0
      ? Math.min(1, job?.progress ?? base.checks_done / base.checks_total)
      : job?.progress ?? 0;
    return {
      ...base,
      parameters: extra?.parameters ?? {},
      custom_checks: Object.fromEntries(
        Object.entries(extra?.custom_checks ?? {}).map(([id, c]) => [id, {
          version: c.version,
          table_name: c.table_name,
          query: c.query,
        }]),
      ),
      progress,
      progress_message: job?.progress_message ?? "",
      scores,
      summary,
      explanation,
    };
  });
}

/** One page of runs. */
export interface RunPage {
  data: RunListItem[];
  next_cursor: string | null;
}

/**
 * Runs of an instance, newest first (members).
 *
 * @param db the database
 * @param claims the caller
 * @param instanceId the instance
 * @param page size and the cursor of the previous page
 * @returns a page of runs
 * @throws {HttpError} 404 when the instance is not the caller's
 */
export async function listRuns(
  db: Database,
  claims: TenantClaims,
  instanceId: string,
  page: { limit: number; cursor?: string },
): Promise<RunPage> {
  const read = () =>
    readNewestFirstPage(
      db,
      claims,
      { instanceId, notFound: INSTANCE_NOT_FOUND },
      "runs.read",
      page,
      "r",
      (tx, k) =>
        tx<(RunListItem & { scores: RunScores | null; cursor_key: string })[]>`
          select ${tx(LIST_COLUMNS)}, scores, ${k.cursorKey} from public.analysis_runs r
          where instance_id = ${instanceId} ${k.after}
          ${k.orderByLimit}`,
    );
  let read1 = await read();
  // A run shown as queued or running whose job has ended is closed first (as
  // the engine), and the page read again: rare, so a page is one statement.
  if (read1.rows.some((r) => r.status === "queued" || r.status === "running")) {
    await closeStaleRunsAsEngine(db, read1.orgId, instanceId);
    read1 = await read();
  }
  const data = read1.rows.map(({ scores, ...rest }) => ({ ...rest, scores_at_completion: scores }));
  return { data, next_cursor: read1.next_cursor };
}

/**
 * The organization of a run the caller may see, with a role check.
 *
 * @param tx a tenant transaction
 * @param runId the run
 * @param action the action of the permission matrix
 * @returns the run's organization and instance
 * @throws {HttpError} 404 unknown, 403 below the role
 */
export async function authorizeRun(
  tx: Tx,
  runId: string,
  action: Action,
): Promise<{ org_id: string; instance_id: string }> {
  const [row] = await tx<{ org_id: string; instance_id: string }[]>`
    select org_id, instance_id from public.analysis_runs where id = ${runId}`;
  if (!row) throw new HttpError(404, RUN_NOT_FOUND);
  await requirePermission(tx, row.org_id, action);
  return row;
}

/** A run's progress, as the live stream sends it. */
export interface RunProgress {
  id: string;
  status: RunStatus;
  checks_done: number;
  checks_total: number;
  /** 0–1. */
  progress: number;
  message: string;
  error: string | null;
  finished_at: Date | null;
}

/**
 * A run's progress, read in one round trip (members).
 *
 * @param db the database
 * @param claims the caller
 * @param runId the run
 * @returns its progress, or null when it does not exist or is not the caller's
 */
export async function getRunProgress(
  db: Database,
  claims: TenantClaims,
  runId: string,
): Promise<RunProgress | null> {
  const [row] = await db.readAsTenant(
    claims,
    (tx) =>
      tx<(RunProgress & { job_status: string | null; job_progress: number | null })[]>`
      select r.id, r.status, r.checks_done, r.checks_total, r.error, r.finished_at,
             coalesce(j.progress_message, '') as message, j.status as job_status,
             j.progress as job_progress
      from public.analysis_runs r left join public.jobs j on j.id = r.job_id
      where r.id = ${runId}`,
  );
  if (!row) return null;
  const { job_status, job_progress, ...rest } = row;
  let status = rest.status;
  if (
    (status === "queued" || status === "running") && job_status &&
    ["failed", "cancelled"].includes(job_status)
  ) {
    status = job_status === "cancelled" ? "cancelled" : "failed";
  }
  return {
    ...rest,
    status,
    progress: status === "succeeded"
      ? 1
      : job_progress ?? (rest.checks_total > 0 ? rest.checks_done / rest.checks_total : 0),
  };
}

/** A check's verdict in a run, as the checks tab lists it. */
export interface RunCheckItem {
  check_id: string;
  title: string;
  area: string;
  family: string;
  severity: Severity;
  frameworks: string[];
  status: "PASS" | "FAIL" | "NOT_EVALUATED" | "NOT_APPLICABLE";
  /** After suppressions: PASS, FAIL, NOT_EVALUATED, NOT_APPLICABLE or MUTED. */
  effective: "PASS" | "FAIL" | "NOT_EVALUATED" | "NOT_APPLICABLE" | "MUTED";
  /**
   * Why the check was NOT_EVALUATED or NOT_APPLICABLE (always set for those), or a
   * note on a partial evaluation (e.g. an optional table missing).
   */
  reason: string | null;
  /** Hardening: the verdict rests on the platform default (the property is not set on the instance). */
  default_used: boolean;
  failed: number;
  passed: number;
  muted_findings: number;
  risk: number;
  duration_ms: number | null;
}

/** One check's verdict in full, with the capped evidence. */
export interface RunCheckDetail extends RunCheckItem {
  evidence: {
    resource_key: string;
    table_name: string;
    sys_id: string | null;
    evidence: unknown;
  }[];
  evidence_truncated: boolean;
}

/**
 * The verdict of every check of a run (members), most severe failures first.
 *
 * @param db the database
 * @param claims the caller
 * @param runId the run
 * @returns the checks
 */
export async function listRunChecks(
  db: Database,
  claims: TenantClaims,
  runId: string,
): Promise<RunCheckItem[]> {
  return await db.asTenant(claims, async (tx) => {
    const [run] = await tx`select id from public.analysis_runs where id = ${runId}`;
    if (!run) throw new HttpError(404, RUN_NOT_FOUND);
    const checks = await effectiveChecks(tx, runId);
    const extra = await tx<
      { check_id: string; reason: string | null; passed: number; duration_ms: number | null }[]
    >`
      select check_id, reason, passed, duration_ms from public.analysis_check_results where run_id = ${runId}`;
    const byId = new Map(extra.map((e) => [e.check_id, e]));
    const order = { FAIL: 0, NOT_EVALUATED: 1, MUTED: 2, PASS: 3, NOT_APPLICABLE: 4 } as const;
    const severities = ["critical", "high", "medium", "low", "informational"];
    return checks.map((c) => ({
      ...c,
      reason: byId.get(c.check_id)?.reason ?? null,
      passed: byId.get(c.check_id)?.passed ?? 0,
      duration_ms: byId.get(c.check_id)?.duration_ms ?? null,
    })).sort((a, b) =>
      order[a.effective] - order[b.effective] ||
      severities.indexOf(a.severity) - severities.indexOf(b.severity) ||
      a.check_id.localeCompare(b.check_id)
    );
  });
}

/**
 * One check's verdict in a run with its evidence (members).
 *
 * @param db the database
 * @param claims the caller
 * @param runId the run
 * @param checkId the check
 * @returns the verdict
 * @throws {HttpError} 404 when the run did not evaluate it
 */
export async function getRunCheck(
  db: Database,
  claims: TenantClaims,
  runId: string,
  checkId: string,
): Promise<RunCheckDetail> {
  const all = await listRunChecks(db, claims, runId);
  const found = all.find((c) => c.check_id === checkId);
  if (!found) throw new HttpError(404, `The run did not evaluate "${checkId}"`);
  const [row] = await db.readAsTenant(
    claims,
    (tx) =>
      tx<{ evidence: RunCheckDetail["evidence"]; evidence_truncated: boolean }[]>`
      select evidence, evidence_truncated from public.analysis_check_results
      where run_id = ${runId} and check_id = ${checkId}`,
  );
  return {
    ...found,
    evidence: row?.evidence ?? [],
    evidence_truncated: row?.evidence_truncated ?? false,
  };
}

/** One requirement of a framework in a run. */
export interface RequirementResult {
  id: string;
  name: string;
  section: string;
  /** How the requirement can be assessed: automated, partial or manual. */
  type: RequirementType;
  /** covered / partial when checks (built-in or the run's custom checks) serve it; else manual or not_covered. */
  coverage: RequirementCoverage;
  /**
   * FAIL when a check fails; PASS when every evaluated check passes; MANUAL or
   * NOT_COVERED when no check serves the requirement (never a PASS);
   * NOT_APPLICABLE when no check serving it applies to the instance;
   * NOT_EVALUATED otherwise.
   */
  status: "PASS" | "FAIL" | "NOT_EVALUATED" | "NOT_APPLICABLE" | "MANUAL" | "NOT_COVERED";
  passed: number;
  failed: number;
  not_evaluated: number;
  not_applicable: number;
  muted: number;
  /** Failing checks first. */
  checks: {
    check_id: string;
    title: string;
    severity: Severity;
    effective: string;
    failed: number;
  }[];
}

/** A framework's requirements as one run found them. */
export interface RunFramework {
  id: string;
  name: string;
  version: string;
  /** Weighs only the checks that exist; read it with `coverage`. */
  score: number | null;
  /** Requirements by coverage (custom checks of the run included). */
  coverage: CoverageCounts;
  requirements: RequirementResult[];
}

/**
 * A framework in a run, requirement by requirement (members): which checks serve
 * each requirement and their verdicts after suppressions.
 *
 * @param db the database
 * @param claims the caller
 * @param runId the run
 * @param frameworkId the framework
 * @returns the requirements with their status
 * @throws {HttpError} 404 for an unknown run or framework
 */
export async function getRunFramework(
  db: Database,
  claims: TenantClaims,
  runId: string,
  frameworkId: string,
): Promise<RunFramework> {
  const framework = FRAMEWORKS.find((f) => f.id === frameworkId);
  if (!framework) throw new HttpError(404, `No framework "${frameworkId}"`);
  return await db.asTenant(claims, async (tx) => {
    const [run] = await tx<{ custom_checks: Record<string, CustomCheckRecord> }[]>`
      select custom_checks from public.analysis_runs where id = ${runId}`;
    if (!run) throw new HttpError(404, RUN_NOT_FOUND);
    const checks = new Map((await effectiveChecks(tx, runId)).map((c) => [c.check_id, c]));
    const scores = await computeScores(tx, runId);
    const custom = Object.values(run.custom_checks);
    const order = { FAIL: 0, NOT_EVALUATED: 1, MUTED: 2, PASS: 3, NOT_APPLICABLE: 4 } as const;
    const requirements = framework.requirements.map((r): RequirementResult => {
      const ids = [
        ...r.checks,
        ...custom.filter((c) =>
          c.frameworks.some((m) => m.framework === frameworkId && m.requirement === r.id)
        ).map((c) => c.check_id),
      ];
      const verdicts = ids.map((id) => checks.get(id)).filter((c) => c !== undefined);
      const count = (e: string) => verdicts.filter((c) => c.effective === e).length;
      const failed = count("FAIL");
      const passed = count("PASS");
      const coverage = requirementCoverage(r.type, ids.length);
      return {
        id: r.id,
        name: r.name,
        section: r.section,
        type: r.type,
        coverage,
        status: ids.length === 0
          ? (coverage === "manual" ? "MANUAL" : "NOT_COVERED")
          : failed > 0
          ? "FAIL"
          : passed > 0 && count("NOT_EVALUATED") === 0
          ? "PASS"
          : verdicts.length > 0 && count("NOT_APPLICABLE") === verdicts.length
          ? "NOT_APPLICABLE"
          : "NOT_EVALUATED",
        passed,
        failed,
        not_evaluated: count("NOT_EVALUATED"),
        not_applicable: count("NOT_APPLICABLE"),
        muted: count("MUTED"),
        checks: verdicts.sort((a, b) =>
          order[a.effective] - order[b.effective] || a.check_id.localeCompare(b.check_id)
        ).map((c) => ({
          check_id: c.check_id,
          title: c.title,
          severity: c.severity,
          effective: c.effective,
          failed: c.failed,
        })),
      };
    });
    return {
      id: framework.id,
      name: framework.name,
      version: framework.version,
      score: scores.frameworks[frameworkId]?.score ?? null,
      coverage: coverageCounts(requirements),
      requirements,
    };
  });
}
