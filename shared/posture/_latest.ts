/**
 * SQL shared by the aggregates: the selected instances, each one's latest
 * successful full run, and every check's verdict in those runs after the
 * suppressions in force now — the same rules as `shared/analysis/scores`, over
 * many runs at once. The verdicts come from each run's summary row
 * (`analysis_run_summaries`, one per run, written by the engine when the run
 * finished), not from `analysis_check_results`: one row per instance instead
 * of one per check; the suppressions are overlaid here.
 *
 * Parameters: `$1` organization, `$2` instance ids (uuid[] or null for all),
 * `$3` framework id (or null for every check).
 *
 * @module
 */

/** CTEs `inst` (the selected instances), `latest` (their latest runs), `active` (suppressions in force). */
const LATEST_BASE = `
inst as (
  select i.id, i.name, i.url, i.status, i.last_sync_at, i.last_sync_status, i.sync_cron
  from public.instances i
  where i.org_id = $1::uuid and ($2::uuid[] is null or i.id = any ($2::uuid[]))
),
latest as (
  select r.id, r.instance_id, r.finished_at
  from inst cross join lateral (
    select r.id, r.instance_id, r.finished_at from public.analysis_runs r
    where r.instance_id = inst.id and r.status = 'succeeded' and r.scope ->> 'type' = 'all'
    order by r.created_at desc limit 1
  ) r
),
active as (
  select s.scope, s.check_id, s.instance_id, s.finding_id
  from public.analysis_suppressions s
  where s.org_id = $1::uuid and s.revoked_at is null and (s.expires_at is null or s.expires_at > now())
)`;

/** CTEs `inst`, `latest`, `active`, `eff` (one row per run and check). */
export const LATEST_CTE = `${LATEST_BASE},
muted_checks as (
  select distinct l.id as run_id, a.check_id
  from latest l join active a
    on a.scope = 'check_org' or (a.scope = 'check_instance' and a.instance_id = l.instance_id)
),
muted_findings as (
  select fr.run_id, fr.check_id, count(distinct fr.finding_id)::int as n
  from active a
  join latest l on l.instance_id = a.instance_id
  join public.analysis_finding_results fr
    on fr.run_id = l.id and fr.finding_id = a.finding_id and fr.status = 'FAIL'
  where a.scope = 'finding'
  group by fr.run_id, fr.check_id
),
eff as materialized (
  select l.id as run_id, l.instance_id, cr.check_id, cr.title, cr.area, cr.family, cr.severity,
         cr.severity_rank, cr.frameworks, cr.status, cr.failed,
         coalesce(mf.n, 0) as muted_findings, cr.risk, cr.sc_risk,
         cr.new_results, cr.resolved_results, cr.reopened_results,
         case when mc.check_id is not null then 'MUTED'
              when cr.status = 'FAIL' and cr.failed > coalesce(mf.n, 0) then 'FAIL'
              when cr.status = 'PASS' or cr.status = 'FAIL' then 'PASS'
              else cr.status end as effective,
         round(cr.risk * 10)::bigint as tenths,
         round(coalesce(cr.sc_risk, 0) * 10)::bigint as sc_tenths,
         cr.sc_risk is not null as has_sc
  from latest l
  join public.analysis_run_summaries s on s.run_id = l.id
  cross join lateral unnest(s.checks) as cr
  left join muted_checks mc on mc.run_id = l.id and mc.check_id = cr.check_id
  left join muted_findings mf on mf.run_id = l.id and mf.check_id = cr.check_id
  where $3::text is null or $3::text = any (cr.frameworks)
)`;

/**
 * What a cold dashboard reads instead of `eff` (see docs/dashboard.md,
 * "Materialised folds"), for every instance of the organization (`$2` must be
 * null) and optionally one framework (`$3`): CTEs `inst`, `latest`, `active`,
 * then
 *
 * - `mchecks`: the checks some suppression in force now may mute (by check,
 *   or through one of its findings) — the only ones read run by run;
 * - `eff_m`: those checks' verdicts in the latest runs, from
 *   `analysis_check_results` by primary key, with the suppression overlay
 *   (`effective`) and the verdict the materialised rows counted them under
 *   (`raw_effective`, before suppressions);
 * - `pc` (as {@linkcode PER_CHECK_CTE}): the organization's per-check fold from
 *   `posture_check_rollups` for every other check, plus `eff_m` folded;
 * - `per_instance`: each instance's figures from its groups in
 *   `posture_instance_rollups`, with the muted checks moved from the verdict
 *   they were counted under to the one they have now (rows of −1 and +1).
 */
export const ROLLUP_CTE = `${LATEST_BASE},
mchecks as (
  select a.check_id from active a
  union
  select f.check_id from active a join public.analysis_findings f on f.id = a.finding_id
  where a.scope = 'finding'
),
raw_m as (
  select l.id as run_id, l.instance_id, cr.check_id, cr.title, cr.area, cr.family, cr.severity,
         cr.severity_rank, cr.frameworks, cr.status, cr.failed, cr.risk, cr.sc_risk
  from latest l
  join public.analysis_check_results cr
    on cr.run_id = l.id and cr.check_id in (select check_id from mchecks)
  where $3::text is null or $3::text = any (cr.frameworks)
),
muted_checks as (
  select distinct l.id as run_id, a.check_id
  from latest l join active a
    on a.scope = 'check_org' or (a.scope = 'check_instance' and a.instance_id = l.instance_id)
),
muted_findings as (
  select fr.run_id, fr.check_id, count(distinct fr.finding_id)::int as n
  from active a
  join latest l on l.instance_id = a.instance_id
  join public.analysis_finding_results fr
    on fr.run_id = l.id and fr.finding_id = a.finding_id and fr.status = 'FAIL'
  where a.scope = 'finding'
  group by fr.run_id, fr.check_id
),
eff_m as materialized (
  select r.run_id, r.instance_id, r.check_id, r.title, r.area, r.family, r.severity,
         r.severity_rank, r.frameworks, r.status, r.failed, coalesce(mf.n, 0) as muted_findings,
         r.risk,
         case when mc.check_id is not null then 'MUTED'
              when r.status = 'FAIL' and r.failed > coalesce(mf.n, 0) then 'FAIL'
              when r.status = 'PASS' or r.status = 'FAIL' then 'PASS'
              else r.status end as effective,
         case when r.status = 'FAIL' and r.failed > 0 then 'FAIL'
              when r.status = 'PASS' or r.status = 'FAIL' then 'PASS'
              else r.status end as raw_effective,
         round(r.risk * 10)::bigint as tenths,
         round(coalesce(r.sc_risk, 0) * 10)::bigint as sc_tenths,
         r.sc_risk is not null as has_sc
  from raw_m r
  left join muted_checks mc on mc.run_id = r.run_id and mc.check_id = r.check_id
  left join muted_findings mf on mf.run_id = r.run_id and mf.check_id = r.check_id
),
pc as (
  select check_id, effective, status, has_sc, title, area, family, severity, severity_rank,
         risk, frameworks, n, tenths::numeric as tenths, sc_tenths::numeric as sc_tenths,
         affected::int as affected
  from public.posture_check_rollups r
  where r.org_id = $1::uuid and r.n > 0 and r.check_id not in (select check_id from mchecks)
    and ($3::text is null or $3::text = any (r.frameworks))
  union all
  select check_id, effective, status, has_sc, title, area, family, severity, severity_rank,
         risk, frameworks, count(*)::int as n,
         sum(tenths) as tenths, sum(sc_tenths) as sc_tenths,
         sum(failed - muted_findings)::int as affected
  from eff_m
  group by check_id, effective, status, has_sc, title, area, family, severity, severity_rank,
           risk, frameworks
),
per_instance as (
  select instance_id, ${weighted("sum(n)")} as overall,
         ${securityCenter("sum(n)")} as security_center,
         coalesce(sum(affected) filter (where effective = 'FAIL'), 0)::int as failing,
         jsonb_build_object('new', sum(new_results), 'resolved', sum(resolved_results),
                            'reopened', sum(reopened_results)) as deltas
  from (
    select s.instance_id, g.effective, g.status, g.has_sc, g.n, g.tenths, g.sc_tenths,
           g.affected, g.new_results, g.resolved_results, g.reopened_results
    from public.posture_instance_rollups s cross join lateral unnest(s.groups) g
    where s.org_id = $1::uuid and g.framework = coalesce($3::text, '')
    union all
    select instance_id, effective, status, has_sc, 1, tenths, sc_tenths,
           failed - muted_findings, 0, 0, 0
    from eff_m
    union all
    select instance_id, raw_effective, status, has_sc, -1, -tenths, -sc_tenths, -failed, 0, 0, 0
    from eff_m
  ) g
  group by instance_id
)`;

/**
 * A risk-weighted score as JSON, over rows with `effective` and `tenths`
 * (risk in tenths) — one row per verdict (`count` = `count(*)`, over `eff`)
 * or rows that stand for several (`count` = `sum(n)`, over `pc`). Only PASS
 * and FAIL carry weight; any other verdict (not evaluated, muted, or one the
 * engine adds later) counts in neither sum.
 *
 * @param count how a row is counted
 */
export function weighted(count = "count(*)"): string {
  const n = (where: string) => `coalesce(${count} filter (where ${where}), 0)::int`;
  return `jsonb_build_object(
  'score', case when coalesce(sum(tenths) filter (where effective in ('PASS', 'FAIL')), 0) > 0
    then div(100 * coalesce(sum(tenths) filter (where effective = 'PASS'), 0)
             + sum(tenths) filter (where effective in ('PASS', 'FAIL')) - 1,
             sum(tenths) filter (where effective in ('PASS', 'FAIL')))::int end,
  'passed', ${n("effective = 'PASS'")},
  'failed', ${n("effective = 'FAIL'")},
  'not_evaluated', ${n("effective not in ('PASS', 'FAIL', 'MUTED')")},
  'muted', ${n("effective = 'MUTED'")},
  'weight_passed', coalesce(sum(tenths) filter (where effective = 'PASS'), 0) / 10.0,
  'weight_total', coalesce(sum(tenths) filter (where effective in ('PASS', 'FAIL')), 0) / 10.0
)`;
}

/**
 * Security Center's formula as JSON over the settings it scores (rows with
 * `has_sc`), suppressions ignored (it reads `status`, not `effective`).
 *
 * @param count how a row is counted (see {@linkcode weighted})
 */
export function securityCenter(count = "count(*)"): string {
  const sc = (where: string) => `sum(sc_tenths) filter (where has_sc and ${where})`;
  const n = (where: string) => `coalesce(${count} filter (where has_sc and ${where}), 0)::int`;
  return `jsonb_build_object(
  'score', case when coalesce(${sc("status in ('PASS', 'FAIL')")}, 0) > 0
    then div(100 * coalesce(${sc("status = 'PASS'")}, 0) + ${sc("status in ('PASS', 'FAIL')")} - 1,
             ${sc("status in ('PASS', 'FAIL')")})::int end,
  'compliant_risk', coalesce(${sc("status = 'PASS'")}, 0) / 10.0,
  'total_risk', coalesce(${sc("status in ('PASS', 'FAIL')")}, 0) / 10.0,
  'compliant', ${n("status = 'PASS'")},
  'total', ${n("status in ('PASS', 'FAIL')")},
  'not_evaluated', ${n("status not in ('PASS', 'FAIL')")}
)`;
}

/**
 * CTE `pc`: the rows of `eff` folded per check and verdict (a few hundred rows
 * however many instances), so that every organization-wide figure is summed
 * from it instead of from every instance's verdicts. The check's attributes
 * are grouping keys rather than `min()`s (hashing is cheaper than comparing
 * text); runs of different catalog versions may give a check two rows, which
 * every sum over `pc` adds up the same.
 */
export const PER_CHECK_CTE = `
pc as (
  select check_id, effective, status, has_sc, title, area, family, severity, severity_rank,
         risk, frameworks, count(*)::int as n,
         sum(tenths) as tenths, sum(sc_tenths) as sc_tenths,
         sum(failed - muted_findings)::int as affected
  from eff
  group by check_id, effective, status, has_sc, title, area, family, severity, severity_rank,
           risk, frameworks
)`;

/** A score with no weight at all. */
export const EMPTY_SCORE = {
  score: null,
  passed: 0,
  failed: 0,
  not_evaluated: 0,
  muted: 0,
  weight_passed: 0,
  weight_total: 0,
};

/** The Security Center score with no settings evaluated. */
export const EMPTY_SC_SCORE = {
  score: null,
  compliant_risk: 0,
  total_risk: 0,
  compliant: 0,
  total: 0,
  not_evaluated: 0,
};

/**
 * Per check over the latest runs (from `pc`): how many instances gave each
 * verdict, the unmuted failing resources, and the weight (tenths of risk) of
 * its failures — what fixing it everywhere would add to the overall score's
 * passing sum.
 */
export const CHECK_AGGREGATES = `
select check_id, min(title) as title, min(area) as area, min(family) as family,
       min(severity) as severity, min(severity_rank) as severity_rank,
       max(risk)::float8 as risk,
       jsonb_object_agg(effective, n) as verdicts,
       sum(n) filter (where effective = 'FAIL')::int as instances,
       coalesce(sum(affected) filter (where effective = 'FAIL'), 0)::int as affected_resources,
       coalesce(sum(tenths) filter (where effective = 'FAIL'), 0)::float8 as fail_tenths
from (
  select check_id, effective, min(title) as title, min(area) as area, min(family) as family,
         min(severity) as severity, min(severity_rank) as severity_rank, max(risk) as risk,
         sum(n)::int as n, sum(affected) as affected, sum(tenths) as tenths
  from pc group by check_id, effective
) per_verdict
group by check_id`;
