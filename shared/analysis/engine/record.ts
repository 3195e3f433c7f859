/**
 * Recording a run's results, set-based: one statement per evaluator runs it and
 * writes everything it implies — findings (upserted by deterministic id), the
 * run's finding results with their delta, resolutions, reopen events and the
 * per-check verdicts with capped evidence — with no per-record round trip.
 *
 * Deltas come from the findings' state before the statement (data-modifying
 * CTEs all see the same snapshot): a failing resource with no finding is `new`,
 * one whose finding was open is `unchanged`, one whose finding was resolved is
 * `reopened`; an open finding of an evaluated check that no longer fails is
 * `resolved`. A check that could not be evaluated resolves nothing: its open
 * findings are carried into the run as NOT_EVALUATED.
 *
 * @module
 */

import type { Tx } from "../../db/mod.ts";

/** Failing resources copied (with evidence) into a check's verdict; the total is always counted. */
export const EVIDENCE_LIMIT = 50;

/** One check of a recorded statement, with the metadata its verdict keeps. */
export interface RecordedCheck {
  id: string;
  /** Hardening settings: no row means the setting could not be decided. */
  hardening: boolean;
  /** A note on a partial evaluation (some tables unreadable), or null. */
  partial: string | null;
  title: string;
  area: string;
  family: string;
  severity: string;
  severity_rank: number;
  risk: number;
  sc_risk: number | null;
  frameworks: string[];
}

/** What a recording statement needs besides the evaluator's own parameters. */
export interface RecordContext {
  runId: string;
  orgId: string;
  instanceId: string;
  evaluatedAt: Date;
}

/** The verdict counts of one recorded statement. */
export interface RecordOutcome {
  failed: number;
  findings: number;
}

const RECORD_CHECK_COLUMNS = `org_id, run_id, check_id, status, reason, failed, passed, evidence,
  evidence_truncated, title, area, family, severity, severity_rank, risk, sc_risk, frameworks,
  default_used`;

function checkMeta(alias: string): string {
  return `${alias}.c ->> 'title', ${alias}.c ->> 'area', ${alias}.c ->> 'family',
    ${alias}.c ->> 'severity', (${alias}.c ->> 'severity_rank')::smallint,
    (${alias}.c ->> 'risk')::numeric, (${alias}.c ->> 'sc_risk')::numeric,
    coalesce((select array_agg(x) from jsonb_array_elements_text(${alias}.c -> 'frameworks') as x), '{}')`;
}

/**
 * The statement that evaluates and records. Parameters: `$1` instance, `$2`
 * evaluator parameters, `$3` evaluation time (the evaluator's own), `$4` run id,
 * `$5` org id, `$6` checks (RecordedCheck[] as jsonb), `$7` the check id of a
 * single-check evaluator (its rows carry none), `$8` evidence limit.
 */
function recordSql(evaluator: string, multi: boolean): string {
  const checkId = multi ? "x.check_id" : "$7::text";
  return `
with ev as materialized (
  select ${checkId} as check_id, x.resource_key, x.table_name, x.sys_id, x.status, x.evidence,
         private.analysis_finding_id($5::uuid, $1::uuid, ${checkId}, x.resource_key) as finding_id
  from (${evaluator}) as x
),
_params as (select $7::text as single_check, $8::int as evidence_limit),
checks as (
  select c ->> 'id' as check_id, c from jsonb_array_elements($6::jsonb) as c
),
-- One finding per resource, even if an evaluator repeated a row.
fails as (
  select distinct on (ev.finding_id) ev.* from ev where ev.status = 'FAIL' order by ev.finding_id
),
verdicts as (
  select k.check_id, k.c,
         (select count(*) from fails fl where fl.check_id = k.check_id) as failed,
         (select count(*) from ev e where e.check_id = k.check_id and e.status = 'PASS') as passed,
         (select count(*) from ev e
          where e.check_id = k.check_id and e.status in ('PASS', 'FAIL')) as judged,
         (select e.evidence ->> 'reason' from ev e
          where e.check_id = k.check_id and e.status = 'NOT_EVALUATED' limit 1) as undecided,
         coalesce((select bool_or(coalesce((e.evidence ->> 'default_used')::boolean, false)) from ev e
          where e.check_id = k.check_id and e.status in ('PASS', 'FAIL')), false) as default_used
  from checks k
),
evaluated as (
  select v.check_id from verdicts v
  where not (v.c ->> 'hardening')::boolean or v.judged > 0
),
prior as (
  select f.id, f.check_id, f.status from public.analysis_findings f
  where f.instance_id = $1::uuid and f.check_id in (select k.check_id from checks k)
),
upserted as (
  insert into public.analysis_findings as f (
    id, org_id, instance_id, check_id, resource_key, table_name, sys_id, status, evidence,
    first_seen_run_id, first_seen_at, last_seen_run_id, last_seen_at, last_evaluated_run_id)
  select fl.finding_id, $5::uuid, $1::uuid, fl.check_id, fl.resource_key, fl.table_name, fl.sys_id,
         'open', fl.evidence, $4::uuid, $3::timestamptz, $4::uuid, $3::timestamptz, $4::uuid
  from fails fl
  on conflict (id) do update set
    status = 'open', evidence = excluded.evidence, table_name = excluded.table_name,
    sys_id = excluded.sys_id, last_seen_run_id = excluded.last_seen_run_id,
    last_seen_at = excluded.last_seen_at, last_evaluated_run_id = excluded.last_evaluated_run_id,
    resolved_at = null, reopened_count = f.reopened_count + (f.status = 'resolved')::int
  returning f.id
),
resolved as (
  update public.analysis_findings f
  set status = 'resolved', resolved_at = $3::timestamptz, last_evaluated_run_id = $4::uuid
  where f.instance_id = $1::uuid and f.status = 'open'
    and f.check_id in (select check_id from evaluated)
    and not exists (select 1 from fails fl where fl.finding_id = f.id)
  returning f.id, f.check_id
),
reopened as (
  select fl.finding_id, t.state as triage_state
  from fails fl join prior p on p.id = fl.finding_id and p.status = 'resolved'
  left join public.analysis_finding_triage t on t.finding_id = fl.finding_id
),
triage_reset as (
  update public.analysis_finding_triage t
  set state = 'open', note = null, updated_by = null, updated_at = now()
  where t.finding_id in (select finding_id from reopened)
    and t.state in ('under_review', 'remediating')
  returning t.finding_id
),
reopen_events as (
  insert into public.analysis_finding_events (org_id, finding_id, kind, from_state, to_state, note)
  select $5::uuid, r.finding_id, 'reopened', r.triage_state,
         case when r.triage_state in ('under_review', 'remediating') then 'open' else r.triage_state end,
         'Failed again after it was resolved'
  from reopened r
  returning 1
),
results as (
  insert into public.analysis_finding_results (org_id, run_id, finding_id, check_id, status, delta, evidence)
  select $5::uuid, $4::uuid, fl.finding_id, fl.check_id, 'FAIL',
         case when p.id is null then 'new' when p.status = 'resolved' then 'reopened' else 'unchanged' end,
         fl.evidence
  from fails fl left join prior p on p.id = fl.finding_id
  union all
  select $5::uuid, $4::uuid, r.id, r.check_id, 'PASS', 'resolved', null from resolved r
  union all
  select $5::uuid, $4::uuid, p.id, p.check_id, 'NOT_EVALUATED', null, null
  from prior p
  where p.status = 'open' and p.check_id not in (select check_id from evaluated)
  returning 1
)
insert into public.analysis_check_results (${RECORD_CHECK_COLUMNS})
select $5::uuid, $4::uuid, v.check_id,
       case when (v.c ->> 'hardening')::boolean and v.judged = 0 then 'NOT_EVALUATED'
            when v.failed > 0 then 'FAIL' else 'PASS' end,
       case when (v.c ->> 'hardening')::boolean and v.judged = 0
            then coalesce(v.undecided, v.c ->> 'partial',
                          'The setting cannot be decided from the synced data')
            else v.c ->> 'partial' end,
       v.failed, v.passed,
       coalesce((
         select jsonb_agg(jsonb_build_object('resource_key', s.resource_key, 'table_name', s.table_name,
                                             'sys_id', s.sys_id, 'evidence', s.evidence)
                          order by s.resource_key collate "C")
         from (select fl.* from fails fl where fl.check_id = v.check_id
               order by fl.resource_key collate "C" limit $8::int) as s), '[]'::jsonb),
       v.failed > $8::int,
       ${checkMeta("v")},
       v.default_used
from verdicts v
returning status`;
}

/**
 * Runs one evaluator statement and records its results (inside the step's transaction).
 *
 * @param tx the step's tenant transaction (worker claims)
 * @param statement the evaluator: SQL, its `$2`, the checks it judges, and whether
 *   its rows carry `check_id` (the hardening statement)
 * @param context run, organization, instance and evaluation time
 * @returns failing checks and findings recorded
 */
export async function recordEvaluation(
  tx: Tx,
  statement: {
    sql: string;
    parameters: unknown;
    checks: readonly RecordedCheck[];
    multi: boolean;
  },
  context: RecordContext,
): Promise<RecordOutcome> {
  const rows = await tx.unsafe(
    recordSql(statement.sql, statement.multi),
    [
      context.instanceId,
      statement.parameters,
      context.evaluatedAt,
      context.runId,
      context.orgId,
      statement.checks,
      statement.multi ? null : statement.checks[0]!.id,
      EVIDENCE_LIMIT,
    ] as never[],
  );
  const [counts] = await tx<{ findings: number }[]>`
    select count(*)::int as findings from public.analysis_finding_results
    where run_id = ${context.runId} and status = 'FAIL'
      and check_id in ${tx(statement.checks.map((c) => c.id))}`;
  return {
    failed: rows.filter((r) => r.status === "FAIL").length,
    findings: counts?.findings ?? 0,
  };
}

/**
 * Records checks that were not evaluated (a table not synced or not readable,
 * a field absent on the instance, a manual review, an evaluator that failed or
 * ran out of time) or that do not apply (a table or plugin the instance does
 * not have: `verdict` NOT_APPLICABLE), with the reason, and carries their open
 * findings into the run as NOT_EVALUATED (neither resolved nor failing).
 *
 * @param tx the step's tenant transaction
 * @param checks the checks with their reasons (and verdict; NOT_EVALUATED by default)
 * @param context run, organization and instance
 */
export async function recordNotEvaluated(
  tx: Tx,
  checks: readonly (RecordedCheck & {
    reason: string;
    verdict?: "NOT_EVALUATED" | "NOT_APPLICABLE";
  })[],
  context: RecordContext,
): Promise<void> {
  if (checks.length === 0) return;
  await tx.unsafe(
    `
with checks as (
  select c ->> 'id' as check_id, c from jsonb_array_elements($4::jsonb) as c
),
carried as (
  insert into public.analysis_finding_results (org_id, run_id, finding_id, check_id, status, delta)
  select $2::uuid, $1::uuid, f.id, f.check_id, 'NOT_EVALUATED', null
  from public.analysis_findings f
  where f.instance_id = $3::uuid and f.status = 'open' and f.check_id in (select check_id from checks)
  returning 1
)
insert into public.analysis_check_results (${RECORD_CHECK_COLUMNS})
select $2::uuid, $1::uuid, k.check_id, coalesce(k.c ->> 'verdict', 'NOT_EVALUATED'),
       k.c ->> 'reason', 0, 0, '[]'::jsonb, false,
       ${checkMeta("k")}, false
from checks k`,
    [context.runId, context.orgId, context.instanceId, checks] as never[],
  );
}
