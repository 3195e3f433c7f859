/**
 * A seed-scale SHAPE for plan-regression tests: many organizations with a few
 * instances and runs each, and one organization whose instance has a run with
 * 100,000 finding results (and an older one with a tenth as many), with
 * suppressions and triage. Rows are bulk-inserted with `generate_series`
 * (triggers and foreign-key checks off for the load) and ANALYZEd, so the
 * planner sees the proportions of a million-finding deployment without the
 * hours it takes to build one through the product. Plans, not timings, are
 * what tests read from it (see {@linkcode explainPlan}).
 *
 * @module
 */

import assert from "node:assert/strict";
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
  await countCheckFindings(tx);
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
  // The latest run has every finding; the older one the first tenth (other instances: the first half).
  await tx`
    insert into public.analysis_finding_results (org_id, run_id, finding_id, check_id, status, delta)
    select f.org_id, r.id, f.id, f.check_id,
           case when f.status = 'open' then 'FAIL' else 'PASS' end,
           case when f.status = 'resolved' then 'resolved' else 'unchanged' end
    from public.analysis_findings f
    join public.analysis_runs r on r.instance_id = f.instance_id
    where r.created_at >= now() - interval '1 day'
       or (f.evidence ->> 'n')::int <= 25 + (${BIG_RUN_FINDINGS} / 10 - 25) *
          (f.instance_id = pg_temp.vid('inst1-1'))::int`;
}

/** The per-check counts the finding results' trigger keeps (triggers are off for the load). */
async function countCheckFindings(tx: Tx): Promise<void> {
  await tx`
    update public.analysis_check_results cr set findings = n.total
    from (select run_id, check_id, count(*)::int as total
          from public.analysis_finding_results group by run_id, check_id) n
    where cr.run_id = n.run_id and cr.check_id = n.check_id`;
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

/** One statement a {@linkcode planCapturingDatabase} saw, with its executed plan. */
export interface CapturedPlan {
  /** The statement's text up to its first parameter, whitespace collapsed (for messages). */
  text: string;
  plan: PlanNode;
}

/**
 * A {@linkcode Database} that runs everything through `db` unchanged, and
 * before each read statement a tenant transaction runs (a `select` or `with`
 * made by the transaction's `tx`, in `asTenant` or `readAsTenant`) runs
 * `EXPLAIN (ANALYZE, TIMING OFF, FORMAT JSON)` of that very statement in the
 * same transaction, and keeps the plan. Code under test is called as the
 * route calls it; the test reads what its statements did. `readAsTenant` runs
 * as one `asTenant` transaction with the same planner settings (the pipelining
 * is a round-trip saving that does not change a plan).
 *
 * @param db the test database
 * @returns the wrapped database and the plans it captures, in order
 */
export function planCapturingDatabase(db: Database): { db: Database; plans: CapturedPlan[] } {
  const plans: CapturedPlan[] = [];
  const wrap = (tx: Tx): Tx => {
    const capture = (query: unknown): unknown => {
      if (!(query instanceof Promise) || !("strings" in query)) return query;
      const strings = (query as unknown as { strings: readonly string[] }).strings;
      const text = strings.join(" $ ").replace(/\s+/g, " ").trim();
      if (!/^(select|with)\b/i.test(text)) return query;
      const then = query.then;
      let explained: Promise<void> | null = null;
      Object.defineProperty(query, "then", {
        value: (onFulfilled: never, onRejected: never) => {
          explained ??= (async () => {
            const explain = "explain (analyze, timing off, costs on, format json) ";
            const raw = query as unknown as { tagged: boolean; args: never[] };
            // A tagged query nests as a fragment; `unsafe` text carries its own `$n`.
            const [row] = raw.tagged
              ? await tx`explain (analyze, timing off, costs on, format json) ${query as unknown as postgres.PendingQuery<
                postgres.Row[]
              >}`
              : await tx.unsafe(explain + strings[0], raw.args);
            plans.push({ text: text.slice(0, 160), plan: planOf(row!) });
          })();
          return explained.then(() => then.call(query, onFulfilled, onRejected));
        },
      });
      return query;
    };
    return new Proxy(tx, {
      apply: (target, self, args) => capture(Reflect.apply(target, self, args)),
      get: (target, property) => {
        if (property === "unsafe") {
          return (...args: Parameters<Tx["unsafe"]>) => capture(target.unsafe(...args));
        }
        const value = Reflect.get(target, property);
        return typeof value === "function" ? value.bind(target) : value;
      },
    });
  };
  const wrapped: Database = {
    ...db,
    asTenant: (claims, fn) => db.asTenant(claims, (tx) => fn(wrap(tx))),
    readAsTenant: (claims, build, planner = {}) =>
      db.asTenant(claims, async (tx) => {
        for (const [name, value] of Object.entries(planner)) {
          await tx`select set_config(${name}, ${value!}, true)`;
        }
        return await build(wrap(tx));
      }),
  };
  return { db: wrapped, plans };
}

function planOf(row: postgres.Row): PlanNode {
  const json = row["QUERY PLAN"];
  const plans = (typeof json === "string" ? JSON.parse(json) : json) as { Plan: PlanNode }[];
  return plans[0]!.Plan;
}

/**
 * The tables whose rows belong to an organization (they have `org_id`), with
 * the organizations, memberships and profiles: the tables a list must never
 * read sequentially.
 *
 * @param db the test database
 * @returns a test for a plan node's relation name
 */
export async function tenantTables(db: Database): Promise<(relation: string) => boolean> {
  const rows = await db.sql<{ table_name: string }[]>`
    select distinct table_name::text from information_schema.columns
    where table_schema = 'public' and column_name = 'org_id'`;
  const names = new Set([
    ...rows.map((r) => r.table_name),
    "organizations",
    "memberships",
    "profiles",
  ]);
  return (relation) => names.has(relation);
}

/** What a page's plan may do: read at most `walkBound` rows of any tenant table. */
export interface PagePlanRules {
  /** Names the plan in failure messages. */
  label: string;
  /** Tenant tables (see {@linkcode tenantTables}). */
  tenant: (relation: string) => boolean;
  /** The most rows any scan of a tenant table, or any Sort's input, may hold. */
  walkBound: number;
  /** The tables whose scans `walkBound` bounds (default: every tenant table). */
  bounded?: RegExp;
  /** Tables probed per page row (mutes, triage): at most this many loops (the page plus one). */
  probed?: { tables: RegExp; loops: number };
}

/**
 * Asserts a plan serves a page the way a list must at scale: no sequential
 * scan of a tenant table, no Sort over more than `walkBound` rows (so never of
 * the whole set), no scan of a tenant table producing more than `walkBound`
 * rows, and per-row probes of `probed` tables for page rows only.
 *
 * @param plan the executed plan (EXPLAIN ANALYZE)
 * @param rules the bounds
 */
export function assertPagePlan(plan: PlanNode, rules: PagePlanRules): void {
  const { label, tenant, walkBound, probed, bounded } = rules;
  for (const node of planNodes(plan)) {
    const relation = node["Relation Name"] ?? "";
    if (node["Node Type"] === "Seq Scan" && tenant(relation)) {
      assert.fail(`${label}: sequential scan of ${relation}\n${describePlan(plan)}`);
    }
    if (node["Node Type"] === "Sort") {
      const outer = node.Plans!.find((p) => p["Parent Relationship"] === "Outer")!;
      const input = rowsProduced(outer);
      assert.ok(input <= walkBound, `${label}: a Sort over ${input} rows\n${describePlan(plan)}`);
    }
    if (probed && probed.tables.test(relation)) {
      assert.ok(
        (node["Actual Loops"] ?? 0) <= probed.loops,
        `${label}: ${relation} probed ${node["Actual Loops"]} times for a page`,
      );
    }
    if (relation && (bounded ? bounded.test(relation) : tenant(relation))) {
      assert.ok(
        rowsProduced(node) <= walkBound,
        `${label}: ${relation} read ${rowsProduced(node)} rows for a page\n${describePlan(plan)}`,
      );
    }
  }
}

/** A plan as indented lines (node, relation, index, rows × loops), for failure messages. */
export function describePlan(node: PlanNode, depth = 0): string {
  const line = `${"  ".repeat(depth)}${node["Node Type"]}${
    node["Relation Name"] ? ` on ${node["Relation Name"]}` : ""
  }${node["Index Name"] ? ` using ${node["Index Name"]}` : ""} rows=${
    node["Actual Rows"] ?? "?"
  } loops=${node["Actual Loops"] ?? "?"}`;
  return [line, ...(node.Plans ?? []).map((child) => describePlan(child, depth + 1))].join("\n");
}

/** A {@linkcode planCapturingDatabase} and a check of the plans it captured since the last check. */
export interface PagePlanChecker {
  /** The database to call the code under test with. */
  db: Database;
  /**
   * Asserts every statement run since the last check with {@linkcode assertPagePlan},
   * and that at least one ran.
   *
   * @param label names the call in failure messages
   * @param walkBound the most rows a scan or a Sort may hold
   * @returns how many statements were checked
   */
  check(label: string, walkBound: number): number;
}

/**
 * "Explain as the tenant and assert the shape": wraps the test database so
 * that each read statement is explained as it runs, and checks the plans.
 *
 * @param db the test database
 */
export async function pagePlanChecker(db: Database): Promise<PagePlanChecker> {
  const tenant = await tenantTables(db);
  const capturing = planCapturingDatabase(db);
  return {
    db: capturing.db,
    check(label, walkBound) {
      const plans = capturing.plans.splice(0);
      assert.ok(plans.length > 0, `${label}: no statement ran`);
      for (const p of plans) {
        assertPagePlan(p.plan, { label: `${label} (${p.text.slice(0, 70)}…)`, tenant, walkBound });
      }
      return plans.length;
    },
  };
}

/** A page of a cursor-paged list. */
export interface CursorPage<T> {
  data: T[];
  next_cursor: string | null;
}

/**
 * Reads a full page of `limit` rows and the next one through `read`, checking
 * each page's plans with `checker` (`<label> page 1`, `<label> page 2`), that
 * each took one statement, and that the second page starts after the first.
 *
 * @param label names the list in failure messages
 * @param read reads a page from a cursor (none: the first)
 * @param options the page size, the scan bound and the checker
 * @returns both pages
 */
export async function twoCheckedPages<T extends { id: string }>(
  label: string,
  read: (cursor: string | undefined) => Promise<CursorPage<T>>,
  options: { limit: number; walkBound: number; checker: PagePlanChecker },
): Promise<[CursorPage<T>, CursorPage<T>]> {
  const first = await read(undefined);
  assert.equal(first.data.length, options.limit, `${label}: a full first page`);
  assertOneStatement(
    `${label} page 1`,
    options.checker.check(`${label} page 1`, options.walkBound),
  );
  assert.ok(first.next_cursor, `${label}: a cursor to the next page`);
  const second = await read(first.next_cursor);
  assert.equal(second.data.length, options.limit, `${label}: a full second page`);
  assertOneStatement(
    `${label} page 2`,
    options.checker.check(`${label} page 2`, options.walkBound),
  );
  const seen = new Set(first.data.map((row) => row.id));
  assert.ok(!second.data.some((row) => seen.has(row.id)), `${label}: the pages do not overlap`);
  return [first, second];
}

/**
 * Asserts a page took one statement (the count {@linkcode PagePlanChecker.check}
 * returns): its permission check, rows and cursor together, no second query.
 *
 * @param label names the page in failure messages
 * @param statements the statements the page ran
 */
export function assertOneStatement(label: string, statements: number): void {
  assert.equal(statements, 1, `${label}: ${statements} statements for one page`);
}

/** A list query's `cursor` when there is one (none on the first page). */
export function cursorOf(cursor: string | undefined): { cursor?: string } {
  return cursor ? { cursor } : {};
}
