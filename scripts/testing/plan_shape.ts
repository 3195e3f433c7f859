/**
 * A seed-scale SHAPE for plan-regression tests: many organizations with a few
 * instances and runs each, and one organization whose instance has a run with
 * 100,000 finding results (and an older one with half as many), with
 * suppressions and triage. Rows are bulk-inserted with `generate_series`
 * (triggers and foreign-key checks off for the load) and ANALYZEd, so the
 * planner sees the proportions of a million-finding deployment without the
 * hours it takes to build one through the product. Plans, not timings, are
 * what tests read from it (see {@linkcode explainPlan}).
 *
 * @module
 */

import postgres from "postgres";
import type { Database, JwtClaims, PlannerSettings, Tx } from "../../shared/db/mod.ts";

/** What the shape holds, for queries against it. */
export interface PlanShape {
  /** The member (owner of the big organization, viewer in two others). */
  claims: JwtClaims;
  bigOrgId: string;
  bigInstanceId: string;
  /** The big instance's latest succeeded run: `bigRunFindings` finding results. */
  bigRunId: string;
  bigRunFindings: number;
}

const ORGS = 100;
const INSTANCES_PER_ORG = 4;
const CHECKS = 400;
const BIG_RUN_FINDINGS = 100_000;

/**
 * Builds the shape in the (empty, migrated) database at `url`.
 *
 * @param url a superuser connection string of the test database
 * @returns the ids a test queries
 */
export async function buildPlanShape(url: string): Promise<PlanShape> {
  const sql = postgres(url, { max: 1, onnotice: () => {} });
  try {
    return await sql.begin(async (tx) => {
      await tx`set local session_replication_role = replica`;
      const shape = await seed(tx as unknown as Tx);
      return shape;
    }).then(async (shape) => {
      await sql`analyze`;
      return shape;
    });
  } finally {
    await sql.end();
  }
}

async function seed(tx: Tx): Promise<PlanShape> {
  // A version-4 uuid named by text (the API's validators accept only such ids).
  await tx`create function pg_temp.vid(t text) returns uuid language sql immutable as $$
    select (substr(md5(t), 1, 12) || '4' || substr(md5(t), 14, 3) || '8' || substr(md5(t), 18, 15))::uuid
  $$`;
  const userId = "00000000-0000-4000-8000-00000000a11c";
  await tx`insert into auth.users (id, aud, role, email, created_at, updated_at)
           values (${userId}, 'authenticated', 'authenticated', 'plan@example.test', now(), now())`;
  await tx`insert into public.profiles (id, email) values (${userId}, 'plan@example.test')`;
  // Organizations o1…oN; instances o<k>-i<j>; ids derived from their names.
  await tx`
    insert into public.organizations (id, name, slug, plan, max_instances, max_users)
    select pg_temp.vid('org' || o), 'Org ' || o, 'org-' || o, 'enterprise', 100, 1000
    from generate_series(1, ${ORGS}) o`;
  await tx`
    insert into auth.users (id, aud, role, email, created_at, updated_at)
    select pg_temp.vid('user' || u), 'authenticated', 'authenticated', 'u' || u || '@example.test',
           now(), now()
    from generate_series(1, ${ORGS * 10}) u`;
  await tx`
    insert into public.memberships (org_id, user_id, role)
    select pg_temp.vid('org' || (1 + (u - 1) / 10)), pg_temp.vid('user' || u),
           (array['viewer', 'analyst', 'admin']::public.org_role[])[1 + u % 3]
    from generate_series(1, ${ORGS * 10}) u`;
  await tx`
    insert into public.memberships (org_id, user_id, role)
    values (pg_temp.vid('org1'), ${userId}, 'owner'), (pg_temp.vid('org2'), ${userId}, 'viewer'),
           (pg_temp.vid('org3'), ${userId}, 'viewer')`;
  await tx`
    insert into public.instances (id, org_id, name, url, auth_type, credentials, status)
    select pg_temp.vid('inst' || o || '-' || i), pg_temp.vid('org' || o), 'Instance ' || i,
           'https://o' || o || 'i' || i || '.service-now.com', 'basic', '{}'::jsonb, 'healthy'
    from generate_series(1, ${ORGS}) o, generate_series(1, ${INSTANCES_PER_ORG}) i`;
  // Two succeeded runs per instance (r1 older, r2 latest).
  await tx`
    insert into public.analysis_runs (id, org_id, instance_id, status, catalog_version, created_at,
                                      evaluated_at, finished_at)
    select pg_temp.vid('run' || o || '-' || i || '-' || r), pg_temp.vid('org' || o),
           pg_temp.vid('inst' || o || '-' || i), 'succeeded', 'plan',
           now() - make_interval(days => 3 - r), now() - make_interval(days => 3 - r), now()
    from generate_series(1, ${ORGS}) o, generate_series(1, ${INSTANCES_PER_ORG}) i,
         generate_series(1, 2) r`;
  await seedChecks(tx);
  await seedFindings(tx);
  await seedMutesAndTriage(tx);
  return {
    claims: { sub: userId, role: "authenticated", aud: "authenticated" },
    bigOrgId: await uuidOf(tx, "org1"),
    bigInstanceId: await uuidOf(tx, "inst1-1"),
    bigRunId: await uuidOf(tx, "run1-1-2"),
    bigRunFindings: BIG_RUN_FINDINGS,
  };
}

async function uuidOf(tx: Tx, name: string): Promise<string> {
  const [row] = await tx<{ id: string }[]>`select pg_temp.vid(${name})::text as id`;
  return row!.id;
}

/** Every run judged CHECKS checks (severity by check number). */
async function seedChecks(tx: Tx): Promise<void> {
  await tx`
    insert into public.analysis_check_results (org_id, run_id, check_id, status, failed, title,
                                               area, family, severity, severity_rank, frameworks)
    select r.org_id, r.id, 'chk_' || lpad(c::text, 3, '0'), 'FAIL', 1, 'Check ' || c,
           (array['identity', 'access', 'logging', 'platform'])[1 + c % 4], 'hardening',
           (array['critical', 'high', 'medium', 'low', 'informational'])[1 + c % 5], c % 5,
           array['sox_itgc']
    from public.analysis_runs r, generate_series(1, ${CHECKS}) c
    where r.instance_id = pg_temp.vid('inst1-1') or c <= 20`;
}

/** The big instance: BIG_RUN_FINDINGS findings; every other instance: 50. */
async function seedFindings(tx: Tx): Promise<void> {
  await tx`
    insert into public.analysis_findings (id, org_id, instance_id, check_id, resource_key,
                                          table_name, sys_id, evidence, first_seen_at,
                                          last_seen_at, status)
    select md5('f' || i.id || n)::uuid, i.org_id, i.id,
           'chk_' || lpad((1 + n % (case when big then ${CHECKS} else 20 end))::text, 3, '0'),
           'sys_user:' || md5(n::text), 'sys_user', md5(n::text), jsonb_build_object('n', n),
           now() - make_interval(mins => n), now() - make_interval(secs => n % 5000),
           case when n % 20 = 0 then 'resolved' else 'open' end
    from (select id, org_id, id = pg_temp.vid('inst1-1') as big from public.instances) i,
         lateral generate_series(1, case when i.big then ${BIG_RUN_FINDINGS} else 50 end) n`;
  // The latest run has every finding; the older one the first half.
  await tx`
    insert into public.analysis_finding_results (org_id, run_id, finding_id, check_id, status, delta)
    select f.org_id, r.id, f.id, f.check_id,
           case when f.status = 'open' then 'FAIL' else 'PASS' end,
           case when f.status = 'resolved' then 'resolved' else 'unchanged' end
    from public.analysis_findings f
    join public.analysis_runs r on r.instance_id = f.instance_id
    where r.created_at > now() - interval '1 day'
       or (f.evidence ->> 'n')::int <= 25 + (${BIG_RUN_FINDINGS} / 2 - 25) *
          (f.instance_id = pg_temp.vid('inst1-1'))::int`;
}

/** Mutes of every scope (some revoked or expired) and triage, most on the big organization. */
async function seedMutesAndTriage(tx: Tx): Promise<void> {
  await tx`
    insert into public.analysis_suppressions (org_id, scope, check_id, instance_id, finding_id,
                                              reason, expires_at, revoked_at)
    select f.org_id, 'finding', f.check_id, f.instance_id, f.id, 'Accepted risk',
           case when (f.evidence ->> 'n')::int % 7 = 0 then now() - interval '1 day' end,
           case when (f.evidence ->> 'n')::int % 11 = 0 then now() end
    from public.analysis_findings f where (f.evidence ->> 'n')::int % 40 = 3`;
  await tx`
    insert into public.analysis_suppressions (org_id, scope, check_id, instance_id, reason)
    select i.org_id, case when c % 2 = 0 then 'check_org' else 'check_instance' end,
           'chk_' || lpad(c::text, 3, '0'), case when c % 2 = 1 then i.id end, 'Not relevant'
    from public.instances i, generate_series(7, 400, 37) c
    where i.name = 'Instance 1'`;
  await tx`
    insert into public.analysis_finding_triage (finding_id, org_id, state)
    select f.id, f.org_id,
           (array['under_review', 'remediating', 'risk_accepted', 'false_positive'])[1 + (f.evidence ->> 'n')::int % 4]
    from public.analysis_findings f where (f.evidence ->> 'n')::int % 9 = 0`;
}

/** A plan node of `EXPLAIN (FORMAT JSON)`. */
export interface PlanNode {
  "Node Type": string;
  "Relation Name"?: string;
  "Index Name"?: string;
  "Plan Rows": number;
  "Actual Rows"?: number;
  "Actual Loops"?: number;
  "Parent Relationship"?: string;
  "Subplan Name"?: string;
  Plans?: PlanNode[];
  [key: string]: unknown;
}

/**
 * The executed plan of the statement `build` makes, run as `claims` exactly as
 * the API runs it (`readAsTenant`, with the planner settings the code uses): `EXPLAIN (ANALYZE, TIMING OFF, FORMAT JSON)`,
 * so each node carries its row estimate and how many rows and loops it really
 * did — counts, never durations.
 */
export async function explainPlan(
  db: Database,
  claims: JwtClaims,
  build: (tx: Tx) => postgres.PendingQuery<postgres.Row[]>,
  planner?: PlannerSettings,
): Promise<PlanNode> {
  const [row] = await db.readAsTenant(
    claims,
    (tx) => tx`explain (analyze, timing off, costs on, format json) ${build(tx)}`,
    planner,
  );
  const json = (row as Record<string, unknown>)["QUERY PLAN"];
  const plans = (typeof json === "string" ? JSON.parse(json) : json) as { Plan: PlanNode }[];
  return plans[0]!.Plan;
}

/** Every node of a plan, depth first. */
export function planNodes(node: PlanNode): PlanNode[] {
  return [node, ...(node.Plans ?? []).flatMap(planNodes)];
}

/** Rows a node produced over all its loops. */
export function rowsProduced(node: PlanNode): number {
  return (node["Actual Rows"] ?? 0) * (node["Actual Loops"] ?? 1);
}
