/**
 * Builds the report content model from what the analysis API serves, under the
 * caller's row-level security: the run, its scores and trend, framework
 * attestation, suppressions, sync coverage, and the findings as a paged stream.
 *
 * @module
 */

import type { Database, TenantClaims, Tx } from "../db/mod.ts";
import { HttpError } from "../http/errors.ts";
import { requirePermission } from "../organizations/mod.ts";
import { FRAMEWORKS, getCheck } from "../analysis/catalog/mod.ts";
import {
  getRun,
  getRunFramework,
  listFindings,
  type RunFramework,
  type RunScores,
  type SuppressionView,
} from "../analysis/mod.ts";
import { SUPPRESSION_SELECT } from "../analysis/findings/findings.ts";
import type {
  AttestedFramework,
  AuditChainHead,
  CoverageRow,
  ReportContent,
  ReportFinding,
  ReportSpec,
  TrendPoint,
} from "./model.ts";

/** Findings fetched per page while streaming. */
export const FINDINGS_PAGE_SIZE = 200;
/** Earlier runs shown in the score trend. */
const TREND_RUNS = 12;
/** Failing resources named per check in an evidence summary. */
const EVIDENCE_NAMED = 3;

/** Options of {@linkcode buildReport}. */
export interface BuildReportOptions {
  /** The generation time (defaults to now). */
  now?: Date;
  /** Who asked for it, when the claims are a background worker's. */
  generatedBy?: { id: string; email: string };
}

/**
 * Reads everything a report needs (members of the organization).
 *
 * @param db the database
 * @param claims the caller; every read runs under their row-level security
 * @param spec title, scope and sections
 * @param options the generation time
 * @returns the content; findings are read lazily when iterated
 * @throws {HttpError} 404 unknown organization, instance, run or framework; 409 when
 *   the instance has no succeeded run yet or the run has not succeeded
 */
export async function buildReport(
  db: Database,
  claims: TenantClaims,
  spec: ReportSpec,
  options: BuildReportOptions = {},
): Promise<ReportContent> {
  const { scope, sections } = spec;
  const framework = scope.framework ? FRAMEWORKS.find((f) => f.id === scope.framework) : null;
  if (scope.framework && !framework) {
    throw new HttpError(404, `No framework "${scope.framework}"`);
  }
  const head = await db.asTenant(claims, async (tx) => {
    // Workers act for the org already checked; people and API keys are checked here.
    if (claims.ciq_actor !== "worker") await requirePermission(tx, scope.org_id, "reports.read");
    const found = await readHead(tx, claims, scope, options.generatedBy);
    return { ...found, auditChain: await readAuditChainHead(tx, scope.org_id) };
  });
  const run = await getRun(db, claims, head.runId);
  if (run.status !== "succeeded" || !run.scores || !run.summary) {
    throw new HttpError(409, `The run is ${run.status}; reports cover succeeded runs`);
  }
  const has = (s: string) => sections.includes(s as never);
  const findingsQuery = {
    run_id: run.id,
    ...scope.filters,
    framework: scope.framework,
    sort: "severity" as const,
    limit: FINDINGS_PAGE_SIZE,
  };
  return {
    meta: {
      title: spec.title,
      organization: head.organization,
      instance: head.instance,
      run: {
        id: run.id,
        trigger: run.trigger,
        status: run.status,
        evaluated_at: new Date(run.evaluated_at),
        finished_at: run.finished_at ? new Date(run.finished_at) : null,
        previous_run_id: run.previous_run_id,
      },
      framework: framework
        ? { id: framework.id, name: framework.name, version: framework.version }
        : null,
      generated_at: options.now ?? new Date(),
      generated_by: head.user,
      catalog_version: run.catalog_version,
      audit_chain: head.auditChain,
      scope,
      sections,
    },
    summary: has("summary")
      ? {
        scores: run.scores,
        summary: run.summary,
        trend: await readTrend(db, claims, scope.instance_id, run.id),
      }
      : null,
    attestation: has("attestation")
      ? await attest(db, claims, run.id, framework ? [framework.id] : FRAMEWORKS.map((f) => f.id))
      : null,
    changes: has("changes")
      ? {
        previous_run_id: run.previous_run_id,
        by_delta: run.summary.findings.by_delta,
        explanation: run.explanation,
      }
      : null,
    suppressions: has("suppressions")
      ? await readSuppressions(db, claims, scope.org_id, scope.instance_id)
      : null,
    coverage: has("coverage") ? await readCoverage(db, claims, scope.instance_id) : null,
    expected_findings: has("findings") ? run.summary.findings.failing : 0,
    findings: () => has("findings") ? pageFindings(db, claims, findingsQuery) : empty(),
  };
}

interface Head {
  runId: string;
  organization: { id: string; name: string };
  instance: { id: string; name: string; url: string };
  user: { id: string; email: string };
}

async function readHead(
  tx: Tx,
  claims: TenantClaims,
  scope: ReportSpec["scope"],
  generatedBy: { id: string; email: string } | undefined,
): Promise<Head> {
  const [org] = await tx<{ id: string; name: string }[]>`
    select id, name from public.organizations where id = ${scope.org_id}`;
  const [instance] = await tx<{ id: string; name: string; url: string }[]>`
    select id, name, url from public.instances
    where id = ${scope.instance_id} and org_id = ${scope.org_id}`;
  if (!org) throw new HttpError(404, "Organization not found");
  if (!instance) throw new HttpError(404, "Instance not found");
  const userId = generatedBy?.id ?? claims.sub ?? "";
  const [user] = generatedBy || !userId ? [generatedBy] : await tx<{ email: string }[]>`
    select email from public.profiles where id = ${userId}`;
  let runId = scope.run_id;
  if (runId) {
    const [run] = await tx<{ id: string }[]>`
      select id from public.analysis_runs where id = ${runId} and instance_id = ${instance.id}`;
    if (!run) throw new HttpError(404, "Analysis run not found");
  } else {
    const [run] = await tx<{ id: string }[]>`
      select id from public.analysis_runs
      where instance_id = ${instance.id} and status = 'succeeded'
      order by created_at desc limit 1`;
    if (!run) {
      throw new HttpError(409, `${instance.name} has no completed analysis run to report on`);
    }
    runId = run.id;
  }
  return {
    runId,
    organization: org,
    instance,
    user: { id: userId, email: user?.email ?? (claims.email as string | undefined) ?? "" },
  };
}

async function readTrend(
  db: Database,
  claims: TenantClaims,
  instanceId: string,
  runId: string,
): Promise<TrendPoint[]> {
  const rows = await db.readAsTenant(
    claims,
    (tx) =>
      tx<{ id: string; evaluated_at: Date; scores: RunScores | null }[]>`
      select id, evaluated_at, scores from public.analysis_runs
      where instance_id = ${instanceId} and status = 'succeeded' 
        and created_at <= (select created_at from public.analysis_runs where id = ${runId})
      order by created_at desc limit ${TREND_RUNS}`,
  );
  return rows.map((r) => ({
    run_id: r.id,
    evaluated_at: new Date(r.evaluated_at),
    overall: r.scores?.overall.score ?? null,
  })).reverse();
}

async function readSuppressions(
  db: Database,
  claims: TenantClaims,
  orgId: string,
  instanceId: string,
): Promise<SuppressionView[]> {
  const rows = await db.readAsTenant(claims, (tx) =>
    tx.unsafe(
      `select ${SUPPRESSION_SELECT} from public.analysis_suppressions s
       left join public.profiles p on p.id = s.owner_id
       where s.org_id = $1::uuid and (s.instance_id = $2::uuid or s.scope = 'check_org')
       order by s.created_at desc limit 500`,
      [orgId, instanceId],
    ));
  return rows as unknown as SuppressionView[];
}

async function attest(
  db: Database,
  claims: TenantClaims,
  runId: string,
  frameworkIds: string[],
): Promise<AttestedFramework[]> {
  const evidence = await db.readAsTenant(
    claims,
    (tx) =>
      tx<{ check_id: string; failed: number; keys: string[] | null }[]>`
      select check_id, failed,
             (select array_agg(e ->> 'resource_key')
                from (select e from jsonb_array_elements(
                        case when jsonb_typeof(evidence) = 'array' then evidence else '[]' end) e
                      limit ${EVIDENCE_NAMED}) x) as keys
      from public.analysis_check_results where run_id = ${runId}`,
  );
  const byCheck = new Map(evidence.map((e) => [e.check_id, e]));
  const frameworks: RunFramework[] = [];
  for (const id of frameworkIds) frameworks.push(await getRunFramework(db, claims, runId, id));
  return frameworks.map((f) => ({
    ...f,
    requirements: f.requirements.map((r) => ({
      ...r,
      evidence_summary: r.checks.filter((c) => c.effective === "FAIL").map((c) => {
        const keys = byCheck.get(c.check_id)?.keys ?? [];
        const more = c.failed > keys.length ? `, and ${c.failed - keys.length} more` : "";
        return `${c.check_id}: ${c.failed} failing${
          keys.length ? ` (${keys.join(", ")}${more})` : ""
        }`;
      }),
    })),
  }));
}

async function readCoverage(
  db: Database,
  claims: TenantClaims,
  instanceId: string,
): Promise<CoverageRow[]> {
  const rows = await db.readAsTenant(claims, (tx) =>
    tx<
      {
        table_name: string;
        readable: boolean;
        last_error: string | null;
        record_count: string;
        updated_at: Date;
        not_found: boolean;
      }[]
    >`
      select t.table_name, t.readable, t.last_error, t.record_count, t.updated_at,
             coalesce((select r.status = 'not_found'
                         from public.sync_table_results r
                         join public.sync_runs s on s.id = r.sync_run_id
                        where s.instance_id = t.instance_id and r.table_name = t.table_name
                        order by s.created_at desc limit 1), false) as not_found
      from public.instance_tables t where t.instance_id = ${instanceId}
      order by t.table_name`);
  return rows.map((r) => ({
    table_name: r.table_name,
    state: r.not_found ? "not_applicable" : r.readable ? "read" : "denied",
    record_count: Number(r.record_count),
    last_error: r.last_error,
    last_synced_at: r.updated_at ? new Date(r.updated_at) : null,
  }));
}

type FindingsQuery = Parameters<typeof listFindings>[2];

async function* pageFindings(
  db: Database,
  claims: TenantClaims,
  query: FindingsQuery,
): AsyncGenerator<ReportFinding> {
  let cursor: string | undefined;
  do {
    const page = await listFindings(db, claims, { ...query, cursor });
    for (const f of page.data) {
      yield {
        ...f,
        remediation: getCheck(f.check_id)?.remediation.summary ?? "",
      };
    }
    cursor = page.next_cursor ?? undefined;
  } while (cursor);
}

async function* empty(): AsyncGenerator<ReportFinding> {}

async function readAuditChainHead(tx: Tx, orgId: string): Promise<AuditChainHead | null> {
  const [row] = await tx<
    {
      head_seq: string;
      head_hash: string;
      anchor_seq: string | null;
      anchor_hash: string | null;
      anchored_at: Date | null;
    }[]
  >`select * from private.audit_head(${orgId})`;
  if (!row) return null;
  return {
    head_seq: Number(row.head_seq),
    head_hash: row.head_hash,
    anchor: row.anchor_seq && row.anchor_hash && row.anchored_at
      ? {
        seq: Number(row.anchor_seq),
        hash: row.anchor_hash,
        anchored_at: row.anchored_at.toISOString(),
      }
      : null,
  };
}
