/**
 * Insights: trends over an organization's run history, any two runs of an
 * instance compared, any two instances compared (drift), and recommendations.
 *
 * @module
 */

import type { Database, TenantClaims, Tx } from "../db/mod.ts";
import { HttpError } from "../http/errors.ts";
import { requirePermission } from "../organizations/mod.ts";
import { RUN_NOT_FOUND } from "../analysis/engine/runs.ts";
import { computeScores, effectiveChecks, explainScores } from "../analysis/scores/scores.ts";
import { checkAggregates, rankRisks, requireOrganization } from "./dashboard.ts";
import { LATEST_CTE, ROLLUP_CTE } from "./_latest.ts";
import {
  COMPARE_FINDINGS_LIMIT,
  type InstanceComparison,
  type Recommendations,
  type RunComparison,
  type Trends,
  type TrendsQuery,
} from "./schemas.ts";

/** A quick win: risk at least this high… */
export const QUICK_WIN_MIN_RISK = 7;
/** …and at most this many failing resources over the instances. */
export const QUICK_WIN_MAX_RESOURCES = 5;
/** Entries per recommendation list. */
export const RECOMMENDATIONS_LIMIT = 10;

const TRENDS = `
with inst as (
  select i.id, i.name from public.instances i
  where i.org_id = $1::uuid and ($2::uuid[] is null or i.id = any ($2::uuid[]))
),
runs as (
  select r.id, r.instance_id, r.finished_at, r.scores, r.scope ->> 'type' as scope
  from public.analysis_runs r join inst on inst.id = r.instance_id
  where r.org_id = $1::uuid and r.status = 'succeeded' and r.finished_at >= $3::timestamptz
),
weeks as (
  select w as week, least(w + interval '7 days', now()) as week_end
  from generate_series(date_trunc('week', $3::timestamptz at time zone 'UTC') at time zone 'UTC',
                       now(), interval '7 days') as w
),
deltas as (
  select date_trunc('week', r.finished_at at time zone 'UTC') at time zone 'UTC' as week,
         sum(s.new_results + s.reopened_results)::int as opened,
         sum(s.resolved_results)::int as resolved
  from runs r join public.analysis_run_summaries s on s.run_id = r.id
  group by 1
)
select
  (select coalesce(jsonb_agg(jsonb_build_object('id', id, 'name', name) order by name), '[]'::jsonb)
     from inst) as instances,
  (select coalesce(jsonb_agg(jsonb_build_object(
      'run_id', id, 'instance_id', instance_id, 'at', finished_at,
      'overall', (scores #>> '{overall,score}')::int,
      'security_center', (scores #>> '{security_center,score}')::int,
      'framework', case when $4::text is null then null
                        else (scores -> 'frameworks' -> $4::text ->> 'score')::int end,
      'area', case when $5::text is null then null
                   else (scores -> 'areas' -> $5::text ->> 'score')::int end
    ) order by finished_at, id), '[]'::jsonb)
   from runs where scope = 'all') as runs,
  (select coalesce(jsonb_agg(jsonb_build_object(
      'week', w.week,
      'opened', coalesce(d.opened, 0),
      'resolved', coalesce(d.resolved, 0),
      'muted', (select count(*)::int from public.analysis_suppressions s
                where s.org_id = $1::uuid and s.created_at <= w.week_end
                  and (s.revoked_at is null or s.revoked_at > w.week_end)
                  and (s.expires_at is null or s.expires_at > w.week_end)
                  and ($2::uuid[] is null or s.instance_id is null or s.instance_id = any ($2::uuid[]))),
      'risk_accepted', (select count(*)::int from (
                select distinct on (e.finding_id) e.to_state
                from public.analysis_finding_events e
                join public.analysis_findings f on f.id = e.finding_id
                join inst on inst.id = f.instance_id
                where e.org_id = $1::uuid and e.kind = 'triage' and e.created_at <= w.week_end
                order by e.finding_id, e.created_at desc, e.id) t
                where t.to_state = 'risk_accepted')
    ) order by w.week), '[]'::jsonb)
   from weeks w left join deltas d on d.week = w.week) as weekly,
  (select coalesce(jsonb_object_agg(severity, jsonb_build_object('mean', mean, 'resolved', n)), '{}'::jsonb)
   from (
     select sev.severity,
            round((avg(extract(epoch from f.resolved_at - f.first_seen_at)) / 86400)::numeric, 1)::float8 as mean,
            count(*)::int as n
     from public.analysis_findings f
     join inst on inst.id = f.instance_id
     cross join lateral (
       select cr.severity from public.analysis_finding_results fr
       join public.analysis_check_results cr on cr.run_id = fr.run_id and cr.check_id = fr.check_id
       where fr.finding_id = f.id limit 1
     ) sev
     where f.org_id = $1::uuid and f.status = 'resolved' and f.resolved_at >= $3::timestamptz
     group by sev.severity
   ) m) as mttr_days`;

/**
 * Score per run over time, findings opened and resolved per week, muted and
 * risk-accepted counts at each week's end, and mean time to remediate.
 *
 * @param db the database
 * @param claims the caller (viewer or higher)
 * @param query organization, instances, framework, area, range
 * @throws {HttpError} 404 when the caller is not a member
 */
export async function getTrends(
  db: Database,
  claims: TenantClaims,
  query: TrendsQuery,
): Promise<Trends> {
  return await db.asTenant(claims, async (tx) => {
    await requireOrganization(tx, query.org_id, "insights.read");
    return await readTrends(tx, query);
  });
}

/**
 * Trends computed in a transaction whose caller is already authorized (a
 * member checked by {@linkcode getTrends}, or a verified widget embed).
 *
 * @param tx a tenant transaction for the organization
 * @param query organization, instances, framework, area, range
 */
export async function readTrends(tx: Tx, query: TrendsQuery): Promise<Trends> {
  const to = new Date();
  const from = new Date(to.getTime() - query.days * 86_400_000);
  {
    const [row] = await tx.unsafe(TRENDS, [
      query.org_id,
      query.instance_ids ?? null,
      from,
      query.framework ?? null,
      query.area ?? null,
    ] as never[], { prepare: true });
    const r = row as unknown as Omit<Trends, "org_id" | "from" | "to">;
    return {
      org_id: query.org_id,
      from: from.toISOString(),
      to: to.toISOString(),
      instances: r.instances,
      runs: r.runs.map((p) => ({ ...p, at: new Date(p.at).toISOString() })),
      weekly: r.weekly.map((w) => ({ ...w, week: new Date(w.week).toISOString() })),
      mttr_days: r.mttr_days,
    };
  }
}

interface RunHead {
  id: string;
  org_id: string;
  instance_id: string;
  status: string;
  finished_at: Date | null;
  catalog_version: string;
}

/**
 * Compares two runs of one instance: the checks whose verdict (after
 * suppressions) changed, the findings that appeared and went away, and each
 * score's change with the checks that moved it.
 *
 * @param db the database
 * @param claims the caller
 * @param baseId the earlier run
 * @param targetId the later run
 * @throws {HttpError} 404 unknown run, 422 runs of different instances or not succeeded
 */
export async function compareRuns(
  db: Database,
  claims: TenantClaims,
  baseId: string,
  targetId: string,
): Promise<RunComparison> {
  return await db.asTenant(claims, async (tx) => {
    const heads = await tx<RunHead[]>`
      select id, org_id, instance_id, status, finished_at, catalog_version
      from public.analysis_runs
      where id in (${baseId}, ${targetId})`;
    const base = heads.find((h) => h.id === baseId);
    const target = heads.find((h) => h.id === targetId);
    if (!base || !target) throw new HttpError(404, RUN_NOT_FOUND);
    await requirePermission(tx, base.org_id, "insights.read");
    if (base.instance_id !== target.instance_id) {
      throw new HttpError(422, "Compare two runs of the same instance", {
        code: "different_instances",
      });
    }
    if (base.status !== "succeeded" || target.status !== "succeeded") {
      throw new HttpError(422, "Only runs that succeeded can be compared", {
        code: "run_not_finished",
      });
    }
    const [baseScores, baseChecks, targetScores, targetChecks] = [
      await computeScores(tx, baseId),
      await effectiveChecks(tx, baseId),
      await computeScores(tx, targetId),
      await effectiveChecks(tx, targetId),
    ];
    const explanation = explainScores(
      { scores: targetScores, checks: targetChecks },
      { runId: baseId, scores: baseScores, checks: baseChecks },
    );
    const before = new Map(baseChecks.map((c) => [c.check_id, c]));
    const after = new Map(targetChecks.map((c) => [c.check_id, c]));
    const changed = [...new Set([...before.keys(), ...after.keys()])].flatMap((id) => {
      const a = before.get(id);
      const b = after.get(id);
      if (a?.effective === b?.effective) return [];
      const c = (b ?? a)!;
      return [{
        check_id: id,
        title: c.title,
        area: c.area,
        severity: c.severity,
        from: a?.effective ?? null,
        to: b?.effective ?? null,
        failed_from: a?.failed ?? null,
        failed_to: b?.failed ?? null,
      }];
    }).sort((x, y) => x.check_id.localeCompare(y.check_id));
    const findings = await tx.unsafe(
      `with a as (select finding_id from public.analysis_finding_results where run_id = $1::uuid and status = 'FAIL'),
            b as (select finding_id from public.analysis_finding_results where run_id = $2::uuid and status = 'FAIL'),
            diff as (
              select 'new' as side, finding_id from b where finding_id not in (select finding_id from a)
              union all
              select 'resolved', finding_id from a where finding_id not in (select finding_id from b))
       select d.side, count(*) over (partition by d.side)::int as total, f.id as finding_id,
              f.check_id, coalesce(cr.title, f.check_id) as title,
              coalesce(cr.severity, 'informational') as severity, f.resource_key, f.table_name,
              row_number() over (partition by d.side order by cr.severity_rank nulls last, f.check_id, f.resource_key) as n
       from diff d join public.analysis_findings f on f.id = d.finding_id
       left join public.analysis_check_results cr
         on cr.run_id = case when d.side = 'new' then $2::uuid else $1::uuid end and cr.check_id = f.check_id
       order by d.side, n`,
      [baseId, targetId] as never[],
    ) as unknown as {
      side: string;
      total: number;
      n: number;
      finding_id: string;
      check_id: string;
      title: string;
      severity: string;
      resource_key: string;
      table_name: string;
    }[];
    const side = (s: string) =>
      findings.filter((f) => f.side === s && f.n <= COMPARE_FINDINGS_LIMIT).map((f) => ({
        finding_id: f.finding_id,
        check_id: f.check_id,
        title: f.title,
        severity: f.severity,
        resource_key: f.resource_key,
        table_name: f.table_name,
      }));
    const head = (h: RunHead) => ({
      id: h.id,
      finished_at: h.finished_at ? new Date(h.finished_at).toISOString() : null,
      catalog_version: h.catalog_version,
    });
    return {
      instance_id: base.instance_id,
      base: head(base),
      target: head(target),
      scores: explanation.scores,
      checks_changed: changed,
      findings: {
        new_count: findings.find((f) => f.side === "new")?.total ?? 0,
        resolved_count: findings.find((f) => f.side === "resolved")?.total ?? 0,
        new: side("new"),
        resolved: side("resolved"),
      },
    };
  });
}

interface SideRow {
  instance_id: string;
  check_id: string;
  title: string;
  family: string;
  area: string;
  severity: string;
  severity_rank: number;
  effective: string;
  failed: number;
  value: string | null;
}

/**
 * Compares two instances' latest successful full runs check by check:
 * hardening settings (with the value found where the run recorded it) and
 * behavioural verdicts, side by side.
 *
 * @param db the database
 * @param claims the caller
 * @param a one instance
 * @param b the other
 * @param show `differences` (only rows that differ) or `all`
 * @throws {HttpError} 404 unknown instance, 422 instances of different organizations
 */
export async function compareInstances(
  db: Database,
  claims: TenantClaims,
  a: string,
  b: string,
  show: "differences" | "all",
): Promise<InstanceComparison> {
  return await db.asTenant(claims, async (tx) => {
    const instances = await tx<{ id: string; org_id: string; name: string }[]>`
      select id, org_id, name from public.instances where id in (${a}, ${b})`;
    const ia = instances.find((i) => i.id === a);
    const ib = instances.find((i) => i.id === b);
    if (!ia || !ib) throw new HttpError(404, "No such instance");
    if (ia.org_id !== ib.org_id) {
      throw new HttpError(422, "Compare two instances of the same organization", {
        code: "different_organizations",
      });
    }
    await requirePermission(tx, ia.org_id, "insights.read");
    const params = [ia.org_id, [a, b], null];
    const rows = await tx.unsafe(
      `with ${LATEST_CTE}
       select e.instance_id, e.check_id, e.title, e.family, e.area, e.severity, e.severity_rank,
              e.effective, e.failed,
              coalesce(cr.evidence #>> '{0,evidence,items,0,effective}',
                       cr.evidence #>> '{0,evidence,items,0,value}',
                       cr.evidence #>> '{0,value}') as value
       from eff e join public.analysis_check_results cr on cr.run_id = e.run_id and cr.check_id = e.check_id`,
      params as never[],
    ) as unknown as SideRow[];
    const runs = await tx.unsafe(
      `with ${LATEST_CTE} select instance_id, id from latest`,
      params as never[],
    ) as unknown as {
      instance_id: string;
      id: string;
    }[];
    const runOf = (id: string) => runs.find((r) => r.instance_id === id)?.id ?? null;
    const byCheck = new Map<string, { a?: SideRow; b?: SideRow }>();
    for (const row of rows) {
      const entry = byCheck.get(row.check_id) ?? {};
      entry[row.instance_id === a ? "a" : "b"] = row;
      byCheck.set(row.check_id, entry);
    }
    const sideOf = (r: SideRow | undefined) =>
      r ? { verdict: r.effective, failed: r.failed, value: r.value } : null;
    const all = [...byCheck.entries()].map(([checkId, { a: ra, b: rb }]) => {
      const c = (ra ?? rb)!;
      return {
        check_id: checkId,
        title: c.title,
        family: c.family,
        area: c.area,
        severity: c.severity,
        rank: c.severity_rank,
        differs: ra?.effective !== rb?.effective || (ra?.value ?? null) !== (rb?.value ?? null),
        a: sideOf(ra),
        b: sideOf(rb),
      };
    }).sort((x, y) =>
      Number(y.differs) - Number(x.differs) || x.rank - y.rank ||
      x.check_id.localeCompare(y.check_id)
    );
    const scores = await Promise.all([runOf(a), runOf(b)].map(async (runId) => {
      if (!runId) return { overall: null, security_center: null };
      const s = await computeScores(tx, runId);
      return { overall: s.overall.score, security_center: s.security_center.score };
    }));
    return {
      a: { id: a, name: ia.name, run_id: runOf(a) },
      b: { id: b, name: ib.name, run_id: runOf(b) },
      scores: { a: scores[0]!, b: scores[1]! },
      compared: all.length,
      differing: all.filter((r) => r.differs).length,
      rows: all.filter((r) => show === "all" || r.differs).map(({ rank: _rank, ...r }) => r),
    };
  });
}

/**
 * Quick wins (high risk, few failing resources), checks failing on every
 * analysed instance, and suppressions expiring soon.
 *
 * @param db the database
 * @param claims the caller
 * @param orgId the organization
 * @param expiringDays how far ahead to look for expiring suppressions
 * @throws {HttpError} 404 when the caller is not a member
 */
export async function getRecommendations(
  db: Database,
  claims: TenantClaims,
  orgId: string,
  expiringDays: number,
): Promise<Recommendations> {
  return await db.asTenant(claims, async (tx) => {
    await requireOrganization(tx, orgId, "insights.read");
    const checks = await checkAggregates(tx, orgId);
    const [analysed] = await tx.unsafe(
      `with ${ROLLUP_CTE} select count(*)::int as n,
         (select coalesce(sum(tenths) filter (where effective in ('PASS', 'FAIL')), 0)::float8 from pc) as weight
       from latest`,
      [orgId, null, null] as never[],
    ) as unknown as { n: number; weight: number }[];
    const ranked = rankRisks(checks, analysed?.weight ?? 0);
    const expiring = await tx<Recommendations["expiring_suppressions"]>`
      select id, scope, check_id, instance_id, finding_id, reason, owner_id, expires_at
      from public.analysis_suppressions
      where org_id = ${orgId} and revoked_at is null and expires_at > now()
        and expires_at <= now() + make_interval(days => ${expiringDays})
      order by expires_at, id
      limit ${RECOMMENDATIONS_LIMIT}`;
    const instances = analysed?.n ?? 0;
    return {
      quick_wins: ranked.filter((r) =>
        r.risk >= QUICK_WIN_MIN_RISK && r.affected_resources <= QUICK_WIN_MAX_RESOURCES
      ).slice(0, RECOMMENDATIONS_LIMIT),
      failing_everywhere: instances >= 2
        ? ranked.filter((r) => r.instances === instances).slice(0, RECOMMENDATIONS_LIMIT)
        : [],
      expiring_suppressions: expiring.map((s) => ({
        ...s,
        expires_at: new Date(s.expires_at).toISOString(),
      })),
    };
  });
}
