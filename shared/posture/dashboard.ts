/**
 * The dashboard of an organization: its posture over every instance (or a
 * subset, or one framework's checks) from each instance's latest successful
 * full run, with the suppressions in force now.
 *
 * @module
 */

import type { Database, TenantClaims, Tx } from "../db/mod.ts";
import { requirePermission } from "../organizations/mod.ts";
import type { Action } from "../permissions/mod.ts";
import { FRAMEWORKS } from "../analysis/catalog/mod.ts";
import { nextRuns, parseStoredSchedule } from "../instances/schemas.ts";
import {
  CHECK_AGGREGATES,
  EMPTY_SC_SCORE,
  EMPTY_SCORE,
  LATEST_CTE,
  PER_CHECK_CTE,
  ROLLUP_CTE,
  securityCenter,
  weighted,
} from "./_latest.ts";
import type {
  Dashboard,
  DashboardInstance,
  DashboardQuery,
  PostureScore,
  PostureSecurityCenterScore,
} from "./schemas.ts";

/** Checks listed under "fix these first". */
export const TOP_RISKS_LIMIT = 10;
/** Events listed under recent activity. */
export const ACTIVITY_LIMIT = 20;

/** One check over the latest runs (see `CHECK_AGGREGATES`). */
export interface CheckAggregate {
  check_id: string;
  title: string;
  area: string;
  family: string;
  severity: string;
  severity_rank: number;
  risk: number;
  /** Instances by verdict after suppressions. */
  verdicts: Record<string, number>;
  /** Instances it fails on. */
  instances: number | null;
  affected_resources: number;
  fail_tenths: number;
}

interface MainRow {
  overall: PostureScore | null;
  hardening: PostureScore | null;
  behavioural: PostureScore | null;
  security_center: PostureSecurityCenterScore | null;
  instances: InstanceRow[];
  checks: CheckAggregate[];
  frameworks: Record<string, PostureScore>;
  by_severity: Record<string, number>;
  by_area: Record<string, number>;
  custom: Record<string, { frameworks?: { framework: string; requirement: string }[] }>[];
}

interface InstanceRow {
  id: string;
  name: string;
  url: string;
  status: string;
  last_sync_at: string | null;
  last_sync_status: string | null;
  sync_cron: string | null;
  run_id: string | null;
  run_finished_at: string | null;
  overall: PostureScore | null;
  security_center: PostureSecurityCenterScore | null;
  failing: number;
  deltas: Record<string, number>;
  last_successful_sync_at: string | null;
  sync_failures_30d: number;
  last_run_status: string | null;
  last_run_at: string | null;
  run_failures_30d: number;
  sync_in_progress: boolean;
  run_in_progress: boolean;
}

/** The dashboard's figures from CTEs `inst`, `latest`, `pc` and `per_instance`. */
const MAIN_SELECT = `
select
  (select ${weighted("sum(n)")} from pc) as overall,
  (select ${weighted("sum(n)")} from pc where family = 'hardening') as hardening,
  (select ${weighted("sum(n)")} from pc where family <> 'hardening') as behavioural,
  (select ${securityCenter("sum(n)")} from pc) as security_center,
  (select coalesce(jsonb_object_agg(g.fw, g.s), '{}'::jsonb)
     from (select fw, ${
  weighted("sum(n)")
} as s from pc cross join unnest(pc.frameworks) as fw group by fw) g)
    as frameworks,
  (select coalesce(jsonb_object_agg(severity, n), '{}'::jsonb) from (
     select severity, sum(affected)::int as n from pc
     where effective = 'FAIL' group by severity) s) as by_severity,
  (select coalesce(jsonb_object_agg(area, n), '{}'::jsonb) from (
     select area, sum(affected)::int as n from pc
     where effective = 'FAIL' group by area) s) as by_area,
  (select coalesce(jsonb_agg(c), '[]'::jsonb) from (${CHECK_AGGREGATES}) c) as checks,
  (select coalesce(jsonb_agg(r.custom_checks), '[]'::jsonb)
     from public.analysis_runs r join latest l on l.id = r.id
     where r.custom_checks <> '{}'::jsonb) as custom,
  (select coalesce(jsonb_agg(to_jsonb(x) order by x.name), '[]'::jsonb) from (
     select inst.id, inst.name, inst.url, inst.status, inst.last_sync_at, inst.last_sync_status,
            inst.sync_cron, l.id as run_id, l.finished_at as run_finished_at,
            p.overall, p.security_center, coalesce(p.failing, 0) as failing,
            coalesce(p.deltas, '{}'::jsonb) as deltas,
            (select max(s.finished_at) from public.sync_runs s
              where s.instance_id = inst.id and s.status in ('succeeded', 'partial'))
              as last_successful_sync_at,
            (select count(*)::int from public.sync_runs s
              where s.instance_id = inst.id and s.status = 'failed'
                and s.created_at > now() - interval '30 days') as sync_failures_30d,
            lr.status as last_run_status, coalesce(lr.finished_at, lr.created_at) as last_run_at,
            (select count(*)::int from public.analysis_runs r
              where r.instance_id = inst.id and r.status = 'failed'
                and r.created_at > now() - interval '30 days') as run_failures_30d,
            exists (select 1 from public.sync_runs s where s.instance_id = inst.id
                      and s.status in ('queued', 'running')) as sync_in_progress,
            exists (select 1 from public.analysis_runs r where r.instance_id = inst.id
                      and r.status in ('queued', 'running')) as run_in_progress
     from inst
     left join latest l on l.instance_id = inst.id
     left join per_instance p on p.instance_id = inst.id
     left join lateral (
       select r.status, r.finished_at, r.created_at from public.analysis_runs r
       where r.instance_id = inst.id order by r.created_at desc limit 1
     ) lr on true
  ) x) as instances`;

/**
 * Today's fold of every (instance, check) pair of the latest runs: used when
 * the dashboard is narrowed to some instances (the materialised rows add up
 * every instance).
 */
const MAIN_FOLD = `with ${LATEST_CTE}, ${PER_CHECK_CTE},
per_instance as (
  select instance_id, ${weighted()} as overall, ${securityCenter()} as security_center,
         coalesce(sum(failed - muted_findings) filter (where effective = 'FAIL'), 0)::int as failing,
         jsonb_build_object('new', sum(new_results), 'resolved', sum(resolved_results),
                            'reopened', sum(reopened_results)) as deltas
  from eff group by instance_id
)${MAIN_SELECT}`;

/**
 * The same figures from the materialised folds (`posture_check_rollups`,
 * `posture_instance_rollups`) with the suppressions in force overlaid: every
 * instance, with or without a framework.
 */
const MAIN_ROLLUP = `with ${ROLLUP_CTE}${MAIN_SELECT}`;

const ACTIVITY = `
select * from (
  select coalesce(s.finished_at, s.started_at, s.created_at) as at, 'sync' as kind,
         s.instance_id, i.name as instance_name, s.status, s.id::text as subject_id,
         s.mode || ' sync' || coalesce(': ' || s.error, '') as detail
  from public.sync_runs s join public.instances i on i.id = s.instance_id
  where s.org_id = $1::uuid and ($2::uuid[] is null or s.instance_id = any ($2::uuid[]))
  union all
  select coalesce(r.finished_at, r.started_at, r.created_at), 'analysis', r.instance_id, i.name,
         r.status, r.id::text,
         case when r.status = 'succeeded' then 'Score ' || coalesce(r.scores #>> '{overall,score}', '–')
              else r.error end
  from public.analysis_runs r join public.instances i on i.id = r.instance_id
  where r.org_id = $1::uuid and ($2::uuid[] is null or r.instance_id = any ($2::uuid[]))
  union all
  select e.created_at, e.kind, f.instance_id, i.name, e.to_state, e.finding_id::text,
         f.check_id || coalesce(': ' || e.note, '')
  from public.analysis_finding_events e
  join public.analysis_findings f on f.id = e.finding_id
  join public.instances i on i.id = f.instance_id
  where e.org_id = $1::uuid and e.kind <> 'reopened'
    and ($2::uuid[] is null or f.instance_id = any ($2::uuid[]))
  union all
  select coalesce(s.revoked_at, s.created_at), 'suppression', s.instance_id, i.name,
         case when s.revoked_at is null then 'muted' else 'revoked' end, s.id::text,
         s.check_id || ': ' || s.reason
  from public.analysis_suppressions s left join public.instances i on i.id = s.instance_id
  where s.org_id = $1::uuid and ($2::uuid[] is null or s.instance_id is null or s.instance_id = any ($2::uuid[]))
) a
order by at desc
limit ${ACTIVITY_LIMIT}`;

/**
 * Fails unless the caller may perform `action` in the organization: 404 for
 * non-members, 403 below the action's least role.
 *
 * @param tx a tenant transaction
 * @param orgId the organization
 * @param action the action of the permission matrix
 * @returns how many instances it has
 */
export async function requireOrganization(tx: Tx, orgId: string, action: Action): Promise<number> {
  await requirePermission(tx, orgId, action);
  const [org] = await tx<{ instances: number }[]>`
    select count(*)::int as instances from public.instances where org_id = ${orgId}`;
  return org?.instances ?? 0;
}

/**
 * Reads the per-check aggregates of every instance's latest run (for
 * recommendations), from the materialised folds with the suppressions overlaid.
 *
 * @param tx a tenant transaction
 * @param orgId the organization
 */
export async function checkAggregates(tx: Tx, orgId: string): Promise<CheckAggregate[]> {
  const rows = await tx.unsafe(`with ${ROLLUP_CTE} ${CHECK_AGGREGATES}`, [
    orgId,
    null,
    null,
  ] as never[]);
  return rows as unknown as CheckAggregate[];
}

/**
 * The organization's posture over its instances (viewer or higher).
 *
 * @param db the database
 * @param claims the caller
 * @param query organization, instance subset, framework
 * @returns the dashboard
 * @throws {HttpError} 404 when the caller is not a member
 */
export async function getDashboard(
  db: Database,
  claims: TenantClaims,
  query: DashboardQuery,
): Promise<Dashboard> {
  return await db.asTenant(claims, async (tx) => {
    const instancesTotal = await requireOrganization(tx, query.org_id, "dashboard.read");
    return await readDashboard(tx, query, instancesTotal);
  });
}

/**
 * The dashboard computed in a transaction whose caller is already authorized
 * (a member checked by {@linkcode getDashboard}, or a verified widget embed).
 *
 * @param tx a tenant transaction for the organization
 * @param query organization, instance subset, framework
 * @param instancesTotal the organization's instance count; counted when absent
 */
export async function readDashboard(
  tx: Tx,
  query: DashboardQuery,
  instancesTotal?: number,
): Promise<Dashboard> {
  if (instancesTotal === undefined) {
    const [org] = await tx<{ instances: number }[]>`
      select count(*)::int as instances from public.instances where org_id = ${query.org_id}`;
    instancesTotal = org?.instances ?? 0;
  }
  const params = [query.org_id, query.instance_ids ?? null, query.framework ?? null];
  // Prepared: the statements are large and the same on every call, so each
  // pooled connection plans them once.
  const main_ = query.instance_ids ? MAIN_FOLD : MAIN_ROLLUP;
  const [main] = await tx.unsafe(main_, params as never[], { prepare: true });
  const activity = await tx.unsafe(ACTIVITY, params.slice(0, 2) as never[], { prepare: true });
  return assemble(query, instancesTotal, main as unknown as MainRow, activity as never);
}

function assemble(
  query: DashboardQuery,
  instancesTotal: number,
  main: MainRow,
  activity: Dashboard["activity"],
): Dashboard {
  const overall = main.overall ?? EMPTY_SCORE;
  const weightTenths = Math.round(overall.weight_total * 10);
  const instances = main.instances.map(instanceView);
  const checks: Record<string, number> = {};
  for (const c of main.checks) {
    for (const [verdict, n] of Object.entries(c.verdicts)) {
      checks[verdict] = (checks[verdict] ?? 0) + n;
    }
  }
  const changes = { new: 0, resolved: 0, reopened: 0 };
  for (const i of instances) {
    changes.new += i.changes.new;
    changes.resolved += i.changes.resolved;
    changes.reopened += i.changes.reopened;
  }
  return {
    org_id: query.org_id,
    generated_at: new Date().toISOString(),
    filters: { instance_ids: query.instance_ids ?? null, framework: query.framework ?? null },
    instances_total: instancesTotal,
    instances_analysed: instances.filter((i) => i.run_id !== null).length,
    overall,
    security_center: main.security_center ?? EMPTY_SC_SCORE,
    hardening: main.hardening ?? EMPTY_SCORE,
    behavioural: main.behavioural ?? EMPTY_SCORE,
    instances,
    frameworks: frameworkReadiness(query.framework ?? null, main),
    findings: {
      total: Object.values(main.by_severity).reduce((a, b) => a + b, 0),
      by_severity: main.by_severity,
      by_area: main.by_area,
    },
    checks,
    top_risks: rankRisks(main.checks, weightTenths).slice(0, TOP_RISKS_LIMIT),
    changes,
    activity: activity.map((a) => ({ ...a, at: new Date(a.at).toISOString() })),
  };
}

function iso(value: string | null): string | null {
  return value === null ? null : new Date(value).toISOString();
}

function instanceView(row: InstanceRow): DashboardInstance {
  const schedule = parseStoredSchedule(row.sync_cron);
  let next: string | null = null;
  try {
    next = schedule ? nextRuns(schedule, 1)[0]?.toISOString() ?? null : null;
  } catch {
    next = null;
  }
  return {
    id: row.id,
    name: row.name,
    url: row.url,
    run_id: row.run_id,
    run_finished_at: iso(row.run_finished_at),
    overall: row.run_id ? row.overall ?? EMPTY_SCORE : null,
    security_center: row.run_id ? row.security_center ?? EMPTY_SC_SCORE : null,
    failing_findings: row.failing,
    changes: {
      new: row.deltas.new ?? 0,
      resolved: row.deltas.resolved ?? 0,
      reopened: row.deltas.reopened ?? 0,
    },
    health: {
      status: row.status,
      last_sync_at: iso(row.last_sync_at),
      last_sync_status: row.last_sync_status,
      last_successful_sync_at: iso(row.last_successful_sync_at),
      sync_failures_30d: row.sync_failures_30d,
      last_run_status: row.last_run_status,
      last_run_at: iso(row.last_run_at),
      run_failures_30d: row.run_failures_30d,
      next_sync_at: next,
      sync_in_progress: row.sync_in_progress,
      run_in_progress: row.run_in_progress,
    },
  };
}

/**
 * Failing checks ranked by the points the overall score would recover if each
 * passed on every instance (then by fewer affected resources, then id).
 *
 * @param checks per-check aggregates
 * @param weightTenths the overall score's weight total, in tenths
 */
export function rankRisks(
  checks: readonly CheckAggregate[],
  weightTenths: number,
): Dashboard["top_risks"] {
  return checks
    .filter((c) => (c.instances ?? 0) > 0)
    .map((c) => ({
      check_id: c.check_id,
      title: c.title,
      area: c.area,
      severity: c.severity,
      risk: c.risk,
      recoverable_points: weightTenths > 0
        ? Math.round((c.fail_tenths / weightTenths) * 1000) / 10
        : 0,
      affected_resources: c.affected_resources,
      instances: c.instances ?? 0,
    }))
    .sort((a, b) =>
      b.recoverable_points - a.recoverable_points ||
      a.affected_resources - b.affected_resources ||
      a.check_id.localeCompare(b.check_id)
    );
}

/** A requirement's kind, when the catalog types it (e.g. `manual`). */
function requirementKind(requirement: object): string | null {
  const r = requirement as { kind?: unknown; type?: unknown; coverage?: unknown };
  const kind = r.kind ?? r.type ?? r.coverage;
  return typeof kind === "string" ? kind : null;
}

function frameworkReadiness(only: string | null, main: MainRow): Dashboard["frameworks"] {
  const byCheck = new Map(main.checks.map((c) => [c.check_id, c.verdicts]));
  const custom = new Map<string, string[]>();
  for (const run of main.custom) {
    for (const [checkId, def] of Object.entries(run)) {
      for (const m of def.frameworks ?? []) {
        const key = `${m.framework}|${m.requirement}`;
        custom.set(key, [...new Set([...(custom.get(key) ?? []), checkId])]);
      }
    }
  }
  return FRAMEWORKS.filter((f) => only === null || f.id === only).map((f) => {
    const requirements: Record<string, number> = {};
    for (const r of f.requirements) {
      const status = requirementStatus(
        r,
        [...r.checks, ...(custom.get(`${f.id}|${r.id}`) ?? [])],
        byCheck,
      );
      requirements[status] = (requirements[status] ?? 0) + 1;
    }
    return {
      id: f.id,
      name: f.name,
      score: main.frameworks[f.id]?.score ?? null,
      requirements,
      requirements_total: f.requirements.length,
    };
  });
}

/**
 * A requirement's status over the selected instances: `FAIL` when any mapped
 * check fails on any instance; `PASS` when some pass and every other is muted;
 * `NOT_COVERED` when no check maps to it, `MANUAL` when the catalog marks it
 * as needing a person; otherwise `NOT_EVALUATED`.
 */
function requirementStatus(
  requirement: object,
  checkIds: readonly string[],
  byCheck: Map<string, Record<string, number>>,
): string {
  if (requirementKind(requirement) === "manual") return "MANUAL";
  if (checkIds.length === 0) return "NOT_COVERED";
  const totals: Record<string, number> = {};
  for (const id of checkIds) {
    for (const [v, n] of Object.entries(byCheck.get(id) ?? {})) totals[v] = (totals[v] ?? 0) + n;
  }
  if ((totals.FAIL ?? 0) > 0) return "FAIL";
  const others = Object.entries(totals).filter(([v]) => v !== "PASS" && v !== "MUTED");
  if ((totals.PASS ?? 0) > 0 && others.every(([, n]) => n === 0)) return "PASS";
  return "NOT_EVALUATED";
}
