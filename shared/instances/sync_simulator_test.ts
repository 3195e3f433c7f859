// End to end against the ServiceNow simulator with the production Table API
// client: rate limiting and faults on, a full and then an incremental sync must
// leave exactly the simulator's data in Postgres (compared record by record),
// denied tables must be reported, and credentials must appear in no log line,
// job, run or error.
import assert from "node:assert/strict";
import { createSnowSimulator, type SnowSimulator } from "../../scripts/snow_sim/mod.ts";
import { createTestAuth, createTestDatabase } from "../../scripts/testing/mod.ts";
import { workerClaims } from "../db/mod.ts";
import { loadConfig } from "../env/mod.ts";
import { createLogger } from "../log/mod.ts";
import { parseEncodedQuery } from "../servicenow/query/mod.ts";
import { windowStart } from "../servicenow/sync/mod.ts";
import { createInProcessTaskClient } from "../tasks/mod.ts";
import { generateKey, type InstanceCredentials } from "./credentials.ts";
import { configureInstanceRuntime } from "./runtime.ts";
import { syncTask } from "./sync_task.ts";

const tdb = await createTestDatabase();
const auth = await createTestAuth();
Deno.test.afterAll(() => tdb.close());

// One simulated clock drives the simulator's rate-limit windows and token
// expiry and the client's backoff and rate limiter, so waits take no real time.
let wallMs = Date.parse("2026-06-01T00:00:00Z");
const sleep = (ms: number) => {
  wallMs += ms;
  return Promise.resolve();
};
const sim: SnowSimulator = createSnowSimulator({
  instances: [{
    name: "acme",
    users: 150,
    changes: 80,
    incidents: 80,
    seed: 11,
    // No HR Service Delivery plugin: the sync must report the table as not found.
    absentTables: ["sn_hr_core_profile"],
  }],
  wallClock: () => wallMs,
  sleep,
  faultSeed: 5,
});
const BASE_URL = "http://sim.invalid/acme";
const statuses: number[] = [];
const simFetch = async (input: string | URL | Request, init?: RequestInit) => {
  const res = await sim.fetch(new Request(input, init));
  statuses.push(res.status);
  return res;
};

const lines: string[] = [];
const log = createLogger({ level: "debug", sink: (line) => lines.push(line) });
const config = loadConfig({
  CREDENTIALS_KEYS: `test:${generateKey()}`,
  ALLOW_PRIVATE_INSTANCE_URLS: "true",
  SYNC_PAGE_SIZE: "40",
  SYNC_KEY_SCAN_HOURS: "0",
});
const runtime = await configureInstanceRuntime({
  config,
  fetch: simFetch as typeof fetch,
  client: { sleep, now: () => wallMs, requestsPerSecond: 1000, maxAttempts: 8, random: () => 0.5 },
  // Log-table windows are measured on the simulated instance's clock.
  now: () => sim.clock.now(),
});
const tasks = createInProcessTaskClient({ db: tdb.db, log, timeBudgetMs: 50, defaultRetries: 8 });

const PASSWORD = "integration-password";
const SECRET = "connector-secret";
const owner = await auth.createUser(tdb.db, { orgName: "Simulated Org" });
const orgId = owner.orgId!;

async function addInstance(credentials: InstanceCredentials): Promise<string> {
  const id = crypto.randomUUID();
  const envelope = await runtime.keyring.seal(credentials, { orgId, instanceId: id });
  await tdb.db.sql`delete from public.instances where org_id = ${orgId}`;
  await tdb.db.sql`
    insert into public.instances (id, org_id, name, url, auth_type, credentials)
    values (${id}, ${orgId}, ${`acme-${id.slice(0, 4)}`}, ${BASE_URL}, ${credentials.type},
            ${tdb.db.sql.json(envelope as never)})`;
  return id;
}

async function sync(instanceId: string, mode: "full" | "incremental") {
  const job = await tasks.enqueue(syncTask, { instanceId, mode, trigger: "manual" }, {
    orgId,
    subject: instanceId,
  });
  const report = await tasks.drain({ maxDeliveries: 20_000 });
  const [run] = await tdb.db.sql`select * from public.sync_runs where job_id = ${job.id}`;
  assert.ok(run, `no sync run for job ${job.id}: ${JSON.stringify(report.outcomes.at(-1))}`);
  const tables = await tdb.db.sql<{ table_name: string; status: string; error: string | null }[]>`
    select table_name, status, error, records_fetched::int as fetched,
           records_upserted::int as upserted, records_deleted::int as deleted
    from public.sync_table_results where sync_run_id = ${run.id} order by table_name`;
  return { job, run, tables, deliveries: report.delivered };
}

/**
 * The simulator's records of a table that the plan keeps (its filter, and its
 * time window on the simulated clock), restricted to the fields it requests.
 */
function expected(table: string): Map<string, Record<string, string>> {
  const inst = sim.instance("acme");
  const store = inst.dataset.table(table);
  const spec = runtime.plan().find((t) => t.table === table)!;
  const fields = spec.fields.filter((f) => store.index.has(f));
  const userId = inst.userByName(inst.integrationUserName)![0]!;
  const query = [
    spec.filter ?? "",
    spec.window ? `sys_created_on>=${windowStart(spec.window.days, sim.clock.now())}` : "",
  ].filter(Boolean).join("^");
  const rows = query ? inst.matching(table, query, parseEncodedQuery(query), userId) : store.rows;
  const out = new Map<string, Record<string, string>>();
  for (const row of rows) {
    const record: Record<string, string> = {};
    for (const f of fields) record[f] = store.get(row, f);
    out.set(store.get(row, "sys_id"), record);
  }
  return out;
}

async function stored(instanceId: string, table: string) {
  const rows = await tdb.db.asTenant(
    workerClaims(orgId),
    (tx) =>
      tx<{ sys_id: string; data: Record<string, string> }[]>`
      select sys_id, data from public.snow_records
      where instance_id = ${instanceId} and table_name = ${table}`,
  );
  return new Map(rows.map((r) => [r.sys_id, r.data]));
}

async function assertExactCopy(instanceId: string, denied: readonly string[]) {
  for (const { table } of runtime.plan()) {
    if (denied.includes(table) || !sim.instance("acme").hasTable(table)) continue;
    const want = expected(table);
    const got = await stored(instanceId, table);
    assert.equal(got.size, want.size, `${table}: ${got.size} stored, ${want.size} on the instance`);
    for (const [sysId, record] of want) {
      assert.deepEqual(got.get(sysId), record, `${table} ${sysId} differs`);
    }
  }
}

function assertNoSecrets(where: string, text: string) {
  for (const secret of [PASSWORD, SECRET, btoa(`complianceiq.integration:${PASSWORD}`)]) {
    assert.ok(!text.includes(secret), `${where} contains a credential`);
  }
}

Deno.test("with rate limiting and faults on, full then incremental syncs copy the simulator exactly", async (t) => {
  const denied = ["sys_audit", "sys_certificate"];
  sim.setKnobs({
    rateLimit: { limit: 60, windowSeconds: 10 },
    errorRate: 0.05,
    burst: { status: 503, count: 3 },
    truncateNext: 2,
    denyTables: denied,
  });
  const instanceId = await addInstance({
    type: "basic",
    username: "complianceiq.integration",
    password: PASSWORD,
  });

  await t.step("full sync", async () => {
    const { run, tables, deliveries } = await sync(instanceId, "full");
    assert.ok(deliveries > 3, "the sync continued across deliveries");
    assert.ok(statuses.includes(429), "the rate limit was hit");
    assert.ok(statuses.includes(503) && statuses.includes(500), "faults were injected");
    assert.equal(run.status, "partial", run.error);
    for (const table of denied) {
      const result = tables.find((r) => r.table_name === table);
      assert.equal(result?.status, "not_readable", `${table} should be reported as not readable`);
    }
    assert.deepEqual(tables.filter((r) => r.status === "failed"), []);
    for (const r of tables) {
      const exists = sim.instance("acme").hasTable(r.table_name);
      assert.equal(r.status === "not_found", !exists, `${r.table_name}: ${r.status}`);
    }
    assert.equal(tables.find((r) => r.table_name === "sn_hr_core_profile")?.status, "not_found");
    await assertExactCopy(instanceId, denied);
  });

  await t.step("incremental sync after the simulator moved on", async () => {
    const before = new Set(
      (await tdb.db.sql<{ k: string }[]>`
        select table_name || '/' || sys_id as k from public.snow_records where instance_id = ${instanceId}`)
        .map((r) => r.k),
    );
    const report = sim.clock.advance("6h").acme!;
    const n = (m: Record<string, string[]>) =>
      Object.values(m).reduce((a, ids) => a + ids.length, 0);
    assert.ok(n(report.updated) + n(report.inserted) > 0, "the simulator changed data");
    const { run, tables } = await sync(instanceId, "incremental");
    assert.equal(run.mode, "incremental");
    assert.equal(run.status, "partial", run.error);
    await assertExactCopy(instanceId, denied);
    const users = tables.find((r) => r.table_name === "sys_user") as unknown as { fetched: number };
    assert.ok(users.fetched < expected("sys_user").size, "incremental reads only recent changes");
    const planned = new Set(runtime.plan().map((p) => p.table));
    const deletedBefore = Object.entries(report.deleted)
      .filter(([table]) => planned.has(table) && !denied.includes(table))
      .flatMap(([table, ids]) => ids.map((id) => `${table}/${id}`))
      .filter((key) => before.has(key));
    assert.equal(Number(run.records_deleted), deletedBefore.length, "every deletion is detected");
  });

  await t.step("credentials appear in no log line, job, run or table result", async () => {
    assert.ok(lines.length > 0, "logs were captured");
    assertNoSecrets("the logs", lines.join("\n"));
    const rows = await tdb.db.sql`
      select (select coalesce(json_agg(j), '[]') from public.jobs j where j.org_id = ${orgId})::text as jobs,
             (select coalesce(json_agg(r), '[]') from public.sync_runs r where r.org_id = ${orgId})::text as runs,
             (select coalesce(json_agg(s), '[]') from public.sync_table_results s where s.org_id = ${orgId})::text as results`;
    assertNoSecrets("the database", JSON.stringify(rows));
  });
  sim.setKnobs({ rateLimit: null, errorRate: 0, burst: null, truncateNext: 0, denyTables: [] });
});

Deno.test("OAuth client credentials sync the same data", async () => {
  const instanceId = await addInstance({
    type: "oauth_client_credentials",
    client_id: "complianceiq-connector",
    client_secret: SECRET,
  });
  const { run } = await sync(instanceId, "full");
  assert.equal(run.status, "succeeded", run.error);
  await assertExactCopy(instanceId, []);
  assertNoSecrets("the logs", lines.join("\n"));
});

Deno.test("a wrong password fails the sync as rejected credentials without retrying", async () => {
  const instanceId = await addInstance({
    type: "basic",
    username: "complianceiq.integration",
    password: "not-the-password",
  });
  const { run, job } = await sync(instanceId, "full");
  assert.equal(run.status, "failed");
  assert.match(run.error, /rejected the credentials/);
  const [row] = await tdb.db
    .sql`select status, error from public.jobs where id = ${job.id}`;
  assert.equal(row!.status, "failed");
  // Not retried: no delivery was a QStash retry. (A slow machine may split the
  // job into continuation segments before its first request: those are
  // deliveries, not retries, so the job's attempt count is not the measure.)
  const retries = await tdb.db.sql<{ n: number }[]>`
    select count(*)::int as n from public.job_deliveries where job_id = ${job.id} and retried > 0`;
  assert.equal(retries[0]!.n, 0);
  assert.ok(!JSON.stringify(row).includes("not-the-password"));
});
