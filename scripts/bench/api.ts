// deno task bench api [--seconds 10] [--concurrency 100] [--pool 4]
//
// Authenticated, RLS-scoped GET of an organization's members, and of the
// findings list of an instance's latest run (340 findings, some triaged and
// muted; `GET /analysis/findings?instance_id=…&limit=20`), against a bare
// `select 1` endpoint on the same stack (same app factory, same pool), in the
// same run, on the PostgreSQL server (DATABASE_URL, default the local server).
// Also measures the naive transaction (begin; set claims; set role; select;
// commit, each awaited) to show what the one-statement read saves. The default
// pool is two connections per core of this machine: the reads are pipelined on
// shared connections, and more backends only compete for the same two cores.
import { createSessionCheck, createTokenVerifier } from "../../shared/auth/mod.ts";
import { createMemoryCache } from "../../shared/cache/mod.ts";
import { parseArgs } from "node:util";
import { createAnalysisApp } from "../../functions/analysis/app.ts";
import { createOrganizationsApp } from "../../functions/organizations/app.ts";
import { loadConfig } from "../../shared/env/mod.ts";
import { requireUser } from "../../shared/http/mod.ts";
import { createLogger } from "../../shared/log/mod.ts";
import { createTaskClientFromConfig } from "../../shared/tasks/mod.ts";
import { createTestAuth } from "../testing/mod.ts";
import { benchDatabase, loadTest, report, selectOneApp } from "./_harness.ts";
import { seedFindings } from "./_findings.ts";

const { values } = parseArgs({
  args: Deno.args.slice(1),
  options: {
    seconds: { type: "string", default: "10" },
    concurrency: { type: "string", default: "100" },
    pool: { type: "string", default: "4" },
    members: { type: "string", default: "25" },
  },
});
const seconds = Number(values.seconds);
const concurrency = Number(values.concurrency);

const { tdb, db } = await benchDatabase(Number(values.pool));
const auth = await createTestAuth();
const config = loadConfig({ RATE_LIMIT_PER_MINUTE: "0" });
const log = createLogger({ level: "silent" });
// As production verifies: signature (cached per token) and a live session in
// auth.sessions (cached SESSION_CHECK_TTL_MS).
const verifier = createTokenVerifier({
  jwks: auth.jwks,
  sessions: createSessionCheck(db.sql, { ttlMs: config.SESSION_CHECK_TTL_MS }),
});
const services = {
  config,
  db,
  log,
  auth: verifier,
  tasks: createTaskClientFromConfig(config, { db, log }),
  cache: createMemoryCache(),
};

// An organization with a realistic team.
const owner = await auth.createUser(db, { orgName: "Bench Org" });
// Room for the team: a trial allows five members.
await db.sql`update public.organizations set plan = 'enterprise' where id = ${owner.orgId!}`;
for (let i = 0; i < Number(values.members) - 1; i++) {
  const member = await auth.createUser(db);
  await db
    .sql`insert into public.memberships (org_id, user_id, role) values (${owner.orgId}, ${member.id}, 'analyst')`;
}

const instanceId = await seedFindings(db, owner.orgId!, 340);

const orgs = createOrganizationsApp(services);
const analysis = createAnalysisApp(services);
const baseline = selectOneApp(services, db);
baseline.use("/naive/*", requireUser(services.auth));
baseline.get("/naive/members", async (c) => {
  const claims = JSON.stringify(c.get("claims"));
  const rows = await db.sql.begin(async (tx) => {
    await tx`select set_config('request.jwt.claims', ${claims}, true)`;
    await tx`select set_config('role', 'authenticated', true)`;
    return await tx`
      select m.user_id, p.email, p.display_name, m.role, m.created_at as joined_at
      from public.memberships m join public.profiles p on p.id = m.user_id
      where m.org_id = ${owner.orgId!} order by lower(p.email), m.user_id limit 51`;
  });
  return c.json({ data: rows });
});

const server = Deno.serve({ port: 0, hostname: "127.0.0.1", onListen: () => {} }, (req) => {
  const path = new URL(req.url).pathname;
  return path.startsWith("/organizations")
    ? orgs.fetch(req)
    : path.startsWith("/analysis")
    ? analysis.fetch(req)
    : baseline.fetch(req);
});
const base = `http://127.0.0.1:${server.addr.port}`;
// A signed-in session as Supabase Auth records it, and a token that names it.
const sessionId = crypto.randomUUID();
await db.sql`insert into auth.sessions (id, user_id, created_at, updated_at, aal)
             values (${sessionId}, ${owner.id}, now(), now(), 'aal1')`;
await db
  .sql`insert into auth.refresh_tokens (token, user_id, revoked, created_at, updated_at, session_id)
             values (${crypto.randomUUID()}, ${owner.id}, false, now(), now(), ${sessionId})`;
const token = await auth.mint(owner.id, { email: owner.email, claims: { session_id: sessionId } });
const headers = { authorization: `Bearer ${token}` };

// Sanity: both endpoints answer what we think they answer.
const check = await fetch(`${base}/organizations/${owner.orgId}/members?limit=50`, { headers });
const body = await check.json();
if (check.status !== 200 || body.data.length !== Number(values.members)) {
  throw new Error(`Benchmark setup is wrong: members endpoint answered ${check.status}`);
}
const findingsUrl = `${base}/analysis/findings?instance_id=${instanceId}&limit=20`;
const findingsCheck = await fetch(findingsUrl, { headers });
const findingsBody = await findingsCheck.json();
if (findingsCheck.status !== 200 || findingsBody.data?.length !== 20) {
  throw new Error(`Benchmark setup is wrong: findings endpoint answered ${findingsCheck.status}`);
}

report(
  `bench api: ${concurrency} connections, ${seconds}s per endpoint, pool ${values.pool}, ${tdb.kind} database, ` +
    `session check on (cached ${config.SESSION_CHECK_TTL_MS} ms)`,
);
const select1 = await loadTest(`${base}/bench/select1`, { concurrency, seconds });
report(`  select 1 (baseline)      ${fmt(select1)}`);
const members = await loadTest(`${base}/organizations/${owner.orgId}/members?limit=50`, {
  concurrency,
  seconds,
  headers,
});
report(`  GET members (RLS)        ${fmt(members)}`);
const naive = await loadTest(`${base}/bench/naive/members`, { concurrency, seconds, headers });
report(`  GET members (naive tx)   ${fmt(naive)}`);
const findings = await loadTest(findingsUrl, { concurrency, seconds, headers });
report(`  GET findings (RLS)       ${fmt(findings)}`);
const findingsRatio = +(findings.rps / members.rps).toFixed(3);
const ratio = +(members.rps / select1.rps).toFixed(3);
const naiveRatio = +(naive.rps / select1.rps).toFixed(3);
report(`  ratio RLS/select1 = ${ratio} (target ≥ 0.5); naive/select1 = ${naiveRatio}`);
report(`  ratio findings/members = ${findingsRatio} (target ≥ 0.5)`);

await server.shutdown();
await db.close();
await tdb.close();
report(JSON.stringify({
  bench: "api",
  ratio,
  naive_ratio: naiveRatio,
  rps: members.rps,
  p50_ms: members.p50_ms,
  p95_ms: members.p95_ms,
  p99_ms: members.p99_ms,
  baseline_rps: select1.rps,
  baseline_p95_ms: select1.p95_ms,
  naive_rps: naive.rps,
  findings_rps: findings.rps,
  findings_p50_ms: findings.p50_ms,
  findings_p95_ms: findings.p95_ms,
  findings_p99_ms: findings.p99_ms,
  findings_ratio: findingsRatio,
  errors: members.errors + select1.errors + naive.errors + findings.errors,
  concurrency,
  session_check_ttl_ms: config.SESSION_CHECK_TTL_MS,
}));

function fmt(
  r: { rps: number; p50_ms: number; p95_ms: number; p99_ms: number; errors: number },
): string {
  return `${
    String(r.rps).padStart(6)
  } req/s  p50 ${r.p50_ms} ms  p95 ${r.p95_ms} ms  p99 ${r.p99_ms} ms  errors ${r.errors}`;
}
