// deno task bench dashboard [--scale 1] [--seconds 10] [--concurrency 50] [--pool 4]
//
// The dashboard and trends endpoints over 100 organizations × 100 instances ×
// 10 runs of history (≥ 1M finding results), with a cold and a warm cache, at
// 50 concurrent users spread over every organization, against a bare
// `select 1` endpoint in the same run, on the PostgreSQL server (DATABASE_URL,
// default the local server). `--scale 0.1` builds 10 × 10 × 10 for a quick run.
//
// The data is written with a few set-based statements as the login role:
// every instance's latest run carries a verdict for every catalog check (355:
// what the dashboard aggregates), older runs the verdicts of the checks with
// findings, 10 findings per instance with a result in each of its 10 runs,
// and every run's summary row (as the engine writes it when a run finishes).
// Cold: a cache that never keeps anything, so every request computes from the
// database. Warm: the in-process cache after one request per organization.
import { parseArgs } from "node:util";
import { createDashboardApp } from "../../functions/dashboard/app.ts";
import { createInsightsApp } from "../../functions/insights/app.ts";
import { CHECKS } from "../../shared/analysis/catalog/mod.ts";
import { severityRank } from "../../shared/analysis/mod.ts";
import { type Cache, createMemoryCache } from "../../shared/cache/mod.ts";
import { connectDatabase, type Database } from "../../shared/db/mod.ts";
import { loadConfig } from "../../shared/env/mod.ts";
import { z } from "zod";
import { createFunctionApp, createRouteGroup, type Services } from "../../shared/http/mod.ts";
import { createLogger } from "../../shared/log/mod.ts";
import { createTaskClientFromConfig } from "../../shared/tasks/mod.ts";
import { createTestAuth, type TestUser } from "../testing/mod.ts";
import { createTestDatabase } from "../testing/database.ts";
import { type LoadResult, loadTest, report } from "./_harness.ts";

const { values } = parseArgs({
  args: Deno.args.slice(1),
  options: {
    scale: { type: "string", default: "1" },
    seconds: { type: "string", default: "10" },
    concurrency: { type: "string", default: "50" },
    pool: { type: "string", default: "4" },
    // Keep the seeded database (its URL is printed) to look at query plans.
    keep: { type: "boolean", default: false },
  },
});
const scale = Number(values.scale);
if (!(scale > 0 && scale <= 1)) throw new Error("--scale is a number in (0, 1]");
const ORGS = Math.max(2, Math.round(100 * scale));
const INSTANCES = Math.max(2, Math.round(100 * scale));
const RUNS = 10;
const FINDINGS_PER_INSTANCE = 10;
const seconds = Number(values.seconds);
const concurrency = Number(values.concurrency);

Deno.env.set(
  "DATABASE_URL",
  Deno.env.get("DATABASE_URL") ?? "postgres://postgres@127.0.0.1:5432/postgres",
);
const tdb = await createTestDatabase();
const db = connectDatabase(tdb.url, { max: Number(values.pool) });
const auth = await createTestAuth();

const started = performance.now();
const owners = await seed(db);
const seededSeconds = (performance.now() - started) / 1000;
const [counts] = await db.sql<{ findings: number; checks: number; runs: number }[]>`
  select (select count(*)::int from public.analysis_finding_results) as findings,
         (select count(*)::int from public.analysis_check_results) as checks,
         (select count(*)::int from public.analysis_runs) as runs`;
report(
  `bench dashboard: ${ORGS} organizations × ${INSTANCES} instances × ${RUNS} runs = ${
    counts!.runs
  } runs, ` +
    `${counts!.checks} verdicts, ${counts!.findings} finding results (seeded in ${
      seededSeconds.toFixed(1)
    } s)`,
);

/** A cache that keeps nothing: every request computes (the cold case). */
const noCache: Cache = {
  kind: "memory",
  get: () => Promise.resolve(null),
  set: () => Promise.resolve(),
  del: () => Promise.resolve(0),
  incr: () => Promise.resolve(1),
};
const config = loadConfig({ RATE_LIMIT_PER_MINUTE: "0" });
const log = createLogger({ level: "silent" });
const servicesWith = (cache: Cache): Services => ({
  config,
  db,
  log,
  auth: auth.verifier,
  tasks: createTaskClientFromConfig(config, { db, log }),
  cache,
});
const warm = servicesWith(createMemoryCache());
const cold = servicesWith(noCache);
const apps = {
  warm: { dashboard: createDashboardApp(warm), insights: createInsightsApp(warm) },
  cold: { dashboard: createDashboardApp(cold), insights: createInsightsApp(cold) },
};
const baseline = createFunctionApp("bench", warm);
// Declared public: the gate would otherwise ask it for a user (deny by default).
baseline.route(
  "/",
  createRouteGroup().on({
    method: "get",
    path: "/select1",
    summary: "select 1",
    auth: "public",
    responses: { 200: { description: "One row", schema: z.array(z.object({ one: z.number() })) } },
  }, async (c) => c.json(await db.sql`select 1 as one`)).app,
);

const server = Deno.serve({ port: 0, hostname: "127.0.0.1", onListen: () => {} }, (req) => {
  const url = new URL(req.url);
  const [, mode, fn] = url.pathname.split("/");
  if (mode === "warm" || mode === "cold") {
    const app = apps[mode][fn === "insights" ? "insights" : "dashboard"];
    return app.fetch(
      new Request(`${url.origin}${url.pathname.slice(mode.length + 1)}${url.search}`, req),
    );
  }
  return baseline.fetch(req);
});
const base = `http://127.0.0.1:${server.addr.port}`;
const targets = (mode: "warm" | "cold", path: (o: TestUser) => string) =>
  owners.map((o) => ({
    url: `${base}/${mode}${path(o)}`,
    headers: { authorization: `Bearer ${o.token}` },
  }));
const dashboardPath = (o: TestUser) => `/dashboard?org_id=${o.orgId}`;
const trendsPath = (o: TestUser) => `/insights/trends?org_id=${o.orgId}&days=90`;

// Sanity: the endpoints answer what we think they answer.
const probe = await fetch(targets("cold", dashboardPath)[0]!.url, {
  headers: targets("cold", dashboardPath)[0]!.headers,
});
const sample = await probe.json();
if (probe.status !== 200 || sample.data.instances_analysed !== INSTANCES) {
  throw new Error(`Benchmark setup is wrong: the dashboard answered ${probe.status}`);
}

report(
  `  ${concurrency} concurrent users, ${seconds}s per endpoint, pool ${values.pool}, ${tdb.kind} database`,
);
const load = (t: { url: string; headers?: Record<string, string> }[] | string) =>
  loadTest(t, { concurrency, seconds });
const select1 = await load(`${base}/bench/select1`);
report(`  select 1 (baseline)        ${fmt(select1)}`);
const dashCold = await load(targets("cold", dashboardPath));
report(`  dashboard, cold cache      ${fmt(dashCold)}`);
const trendsCold = await load(targets("cold", trendsPath));
report(`  trends, cold cache         ${fmt(trendsCold)}`);
// Warm: one request per organization first (4 at a time) fills the cache;
// the load generator's own warm-up is too short when cold requests are slow.
await prewarm([...targets("warm", dashboardPath), ...targets("warm", trendsPath)]);
const dashWarm = await load(targets("warm", dashboardPath));
report(`  dashboard, warm cache      ${fmt(dashWarm)}`);
const trendsWarm = await load(targets("warm", trendsPath));
report(`  trends, warm cache         ${fmt(trendsWarm)}`);

const warmP95 = Math.max(dashWarm.p95_ms, trendsWarm.p95_ms);
const coldP95 = Math.max(dashCold.p95_ms, trendsCold.p95_ms);
report(`  warm p95 ${warmP95} ms (target < 20), cold p95 ${coldP95} ms (target < 200)`);

await server.shutdown();
await db.close();
if (values.keep) report(`  kept the database: ${tdb.url}`);
else await tdb.close();
report(JSON.stringify({
  bench: "dashboard",
  warm_p95_ms: warmP95,
  cold_p95_ms: coldP95,
  findings: counts!.findings,
  organizations: ORGS,
  instances: ORGS * INSTANCES,
  runs: counts!.runs,
  verdicts: counts!.checks,
  dashboard: { cold: dashCold, warm: dashWarm },
  trends: { cold: trendsCold, warm: trendsWarm },
  baseline: select1,
  concurrency,
  seed_seconds: +seededSeconds.toFixed(1),
}));

/** Requests every target once, four at a time, and checks the last answers come from the cache. */
async function prewarm(list: { url: string; headers?: Record<string, string> }[]): Promise<void> {
  let next = 0;
  await Promise.all(Array.from({ length: 4 }, async () => {
    while (next < list.length) {
      const target = list[next++]!;
      await (await fetch(target.url, { headers: target.headers })).arrayBuffer();
    }
  }));
  const again = await fetch(list[0]!.url, { headers: list[0]!.headers });
  await again.arrayBuffer();
  if (again.headers.get("x-cache") !== "hit") throw new Error("The warm cache did not fill");
}

function fmt(r: LoadResult): string {
  return `${
    String(r.rps).padStart(6)
  } req/s  p50 ${r.p50_ms} ms  p95 ${r.p95_ms} ms  p99 ${r.p99_ms} ms  errors ${r.errors}`;
}

/** Writes the organizations, instances, runs, verdicts and findings; returns one owner per organization. */
async function seed(database: Database): Promise<TestUser[]> {
  const sql = database.sql;
  const users: TestUser[] = [];
  for (let i = 0; i < ORGS; i++) {
    users.push(await auth.createUser(database, { orgName: `Bench Org ${i}` }));
  }
  const orgIds = users.map((u) => u.orgId!);
  await sql`update public.organizations set plan = 'enterprise' where id = any (${orgIds}::uuid[])`;
  await sql`
    insert into public.instances (org_id, name, url, auth_type, credentials)
    select o, 'instance-' || n, 'https://bench' || n || '.service-now.com', 'basic', '{}'::jsonb
    from unnest(${orgIds}::uuid[]) as o cross join generate_series(1, ${INSTANCES}) as n`;
  // Runs: k = 1 (oldest) … RUNS (latest), one day apart, with stored scores for the trend.
  await sql`
    insert into public.analysis_runs
      (org_id, instance_id, status, scope, catalog_version, created_at, started_at, finished_at,
       checks_total, checks_done, scores)
    select i.org_id, i.id, 'succeeded', '{"type": "all"}', 'c-bench0000000',
           now() - (${RUNS} - k) * interval '1 day', now() - (${RUNS} - k) * interval '1 day',
           now() - (${RUNS} - k) * interval '1 day' + interval '1 minute', ${CHECKS.length}, ${CHECKS.length},
           jsonb_build_object(
             'overall', jsonb_build_object('score', 50 + (k * 3 + abs(hashtext(i.id::text)) % 20)),
             'security_center', jsonb_build_object('score', 60 + k * 2),
             'frameworks', '{}'::jsonb, 'areas', '{}'::jsonb)
    from public.instances i cross join generate_series(1, ${RUNS}) as k
    where i.org_id = any (${orgIds}::uuid[])`;
  const catalog = CHECKS.map((c) => ({
    check_id: c.id,
    title: c.title,
    area: c.area,
    family: c.family,
    severity: c.severity,
    severity_rank: severityRank(c.severity),
    risk: c.riskScore,
    sc_risk: c.hardening?.source === "security_center" ? c.hardening.risk : null,
    frameworks: [...new Set(c.frameworks.map((m) => m.framework))],
  }));
  const failing = catalog.filter((_, i) => i % 12 === 0).slice(0, FINDINGS_PER_INSTANCE);
  // The latest run of every instance: a verdict for every check; about one in
  // twelve fails (those with findings), one in forty is not evaluated.
  await sql`
    with latest as (
      select distinct on (instance_id) id, org_id from public.analysis_runs
      where org_id = any (${orgIds}::uuid[]) order by instance_id, created_at desc
    ),
    c as (
      select *, row_number() over () as n
      from jsonb_to_recordset(${sql.json(catalog as never)}) as c(
        check_id text, title text, area text, family text, severity text, severity_rank int,
        risk numeric, sc_risk numeric, frameworks text[])
    )
    insert into public.analysis_check_results
      (org_id, run_id, check_id, status, failed, passed, title, area, family, severity,
       severity_rank, risk, sc_risk, frameworks)
    select l.org_id, l.id, c.check_id,
           case when c.check_id = any (${failing.map((f) => f.check_id)}::text[]) then 'FAIL'
                when c.n % 40 = 0 then 'NOT_EVALUATED' else 'PASS' end,
           case when c.check_id = any (${failing.map((f) => f.check_id)}::text[]) then 1 else 0 end,
           1, c.title, c.area, c.family, c.severity, c.severity_rank, c.risk, c.sc_risk, c.frameworks
    from latest l cross join c`;
  // Older runs: the verdicts of the checks with findings (what a comparison reads).
  await sql`
    with older as (
      select id, org_id from (
        select id, org_id, row_number() over (partition by instance_id order by created_at desc) as r
        from public.analysis_runs where org_id = any (${orgIds}::uuid[])) x
      where r > 1
    ),
    c as (
      select * from jsonb_to_recordset(${sql.json(failing as never)}) as c(
        check_id text, title text, area text, family text, severity text, severity_rank int,
        risk numeric, sc_risk numeric, frameworks text[])
    )
    insert into public.analysis_check_results
      (org_id, run_id, check_id, status, failed, passed, title, area, family, severity,
       severity_rank, risk, sc_risk, frameworks)
    select o.org_id, o.id, c.check_id, 'FAIL', 1, 0, c.title, c.area, c.family, c.severity,
           c.severity_rank, c.risk, c.sc_risk, c.frameworks
    from older o cross join c`;
  await sql`
    insert into public.analysis_findings
      (id, org_id, instance_id, check_id, resource_key, table_name, status, first_seen_at)
    select gen_random_uuid(), i.org_id, i.id, f, 'resource-' || f, 'sys_user', 'open',
           now() - interval '10 days'
    from public.instances i cross join unnest(${failing.map((f) => f.check_id)}::text[]) as f
    where i.org_id = any (${orgIds}::uuid[])`;
  await sql`
    insert into public.analysis_finding_results (org_id, run_id, finding_id, check_id, status, delta)
    select r.org_id, r.id, f.id, f.check_id, 'FAIL',
           case when r.created_at = min(r.created_at) over (partition by f.id) then 'new' else 'unchanged' end
    from public.analysis_runs r join public.analysis_findings f on f.instance_id = r.instance_id
    where r.org_id = any (${orgIds}::uuid[])`;
  // What the engine writes when each run finishes: the run's summary row.
  await sql`select public.record_analysis_run_summary(id) from public.analysis_runs
            where org_id = any (${orgIds}::uuid[]) and status = 'succeeded'`;
  // That one transaction folded every instance's latest run into its
  // organization's per-check rows (posture_check_rollups): each row was
  // rewritten once per instance, leaving that many dead versions. A run that
  // finishes in production rewrites only the rows whose verdict changed, and
  // autovacuum keeps up; vacuuming here starts from that steady state.
  await sql`vacuum (analyze) public.posture_check_rollups, public.posture_instance_rollups`;
  await sql`analyze`;
  return users;
}
