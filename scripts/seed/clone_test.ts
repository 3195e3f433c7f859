// The bulk seed's proof: the same simulated data taken through the product
// (sync → analysis through the task system, twice) and through the bulk copy
// give the same rows, column by column, for every table the product writes —
// ids, timestamps and durations aside, but with every reference checked to
// point at the matching copied row.
import assert from "node:assert/strict";
import { z } from "zod";
import { createTestDatabase } from "../testing/mod.ts";
import { instanceRuntime } from "../../shared/instances/mod.ts";
import { cloneInstances } from "./clone.ts";
import {
  createProductInstance,
  runRounds,
  seedPasswordHash,
  signUp,
  simUrl,
  startProductBuild,
} from "./template.ts";

const tdb = await createTestDatabase();
Deno.test.afterAll(() => tdb.close());
const sql = tdb.db.sql;
const PROFILE = { users: 12, changes: 10, incidents: 10 };
const ROUNDS = 2;

const build = await startProductBuild(tdb.db, PROFILE, 3);
const hash = await seedPasswordHash();
const template = await createProductInstance(build, {
  orgName: "Template",
  email: "tpl@seed-scale.test",
  copy: 0,
  passwordHash: hash,
});
// The reference: one organization with two instances built by the product.
const ref1 = await createProductInstance(build, {
  orgName: "Reference",
  email: "ref@seed-scale.test",
  copy: 1,
  passwordHash: hash,
});
const { addInstance } = await import("../../shared/instances/mod.ts");
const { instance: ref2 } = await addInstance(build.services, {
  sub: ref1.ownerId,
  role: "authenticated",
  email: "ref@seed-scale.test",
}, {
  org_id: ref1.orgId,
  name: "Acme 2 (simulated ServiceNow)",
  url: simUrl(2),
  credentials: {
    type: "basic",
    username: "complianceiq.integration",
    password: "integration-password",
  },
  schedule: null,
  start_sync: false,
});
await runRounds(build, [
  { instance: template, email: "tpl@seed-scale.test" },
  { instance: ref1, email: "ref@seed-scale.test" },
  { instance: { ...ref1, instanceId: ref2.id }, email: "ref@seed-scale.test" },
], ROUNDS);

// The bulk copy: another organization, two instances copied from the template.
const bulkOwner = await signUp(tdb.db, {
  email: "bulk@seed-scale.test",
  name: "Seed Owner",
  passwordHash: hash,
  orgName: "Bulk",
});
const bulkOrg = bulkOwner.orgId!;
await sql`update public.organizations set plan = 'enterprise' where id = ${bulkOrg}`;
const runtime = await instanceRuntime();
const targets = await Promise.all([1, 2].map(async (n) => {
  const id = crypto.randomUUID();
  const credentials = await runtime.keyring.seal(
    { type: "basic", username: "complianceiq.integration", password: "integration-password" },
    { orgId: bulkOrg, instanceId: id },
  );
  return {
    n,
    id,
    name: n === 1 ? "Acme (simulated ServiceNow)" : "Acme 2 (simulated ServiceNow)",
    credentials,
  };
}));
await sql.begin(async (tx) => {
  await tx`create temp table seed_targets (n int, org_id uuid, owner_id uuid, instance_id uuid,
           name text, credentials jsonb, records boolean) on commit drop`;
  for (const t of targets) {
    await tx`insert into seed_targets values (${t.n}, ${bulkOrg}, ${bulkOwner.id}, ${t.id},
             ${t.name}, ${tx.json(t.credentials as never)}, true)`;
  }
  await cloneInstances(tx, template);
});

const UUID = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/g;
const TIMESTAMP = /\d{4}-\d\d-\d\d[T ]\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d(:\d\d)?)?/g;
/** Values that differ between two product runs of the same data, too. */
const VOLATILE = new Set(["duration_ms", "message_id", "lease_token", "url", "credentials"]);

function mask(value: unknown): string | undefined {
  return JSON.stringify(value)?.replace(UUID, "<id>").replace(TIMESTAMP, "<t>")
    // Wall-clock durations and instants (ms) inside JSON; the simulator copy a URL names.
    .replace(/(\w*_ms|\w*Ms|\w*StartedAt)\\?":\d+/g, "$1:<n>")
    .replace(/sim-\d+\.invalid/g, "sim.invalid");
}

/**
 * An organization's rows of `table` as comparable strings: uuids and
 * timestamps masked, references resolved to what they point at.
 */
async function rowsOf(table: string, orgId: string, select = "*"): Promise<string[]> {
  const rows = await sql.unsafe(`select ${select} from public.${table} where org_id = $1`, [orgId]);
  return rows.map((row) => {
    const masked = Object.entries(row)
      .filter(([key, value]) => !VOLATILE.has(key) && !(value instanceof Date))
      .map(([key, value]) => [key, mask(value)]);
    return JSON.stringify(masked);
  }).sort();
}

const TABLES = [
  "instances",
  "instance_tables",
  "sync_runs",
  "sync_table_results",
  "jobs",
  "job_deliveries",
  "analysis_runs",
  "analysis_check_results",
  "analysis_findings",
  "analysis_finding_results",
  "analysis_run_summaries",
];

for (const table of TABLES) {
  Deno.test(`bulk copy = product path: ${table}`, async () => {
    const product = await rowsOf(table, ref1.orgId);
    const bulk = await rowsOf(table, bulkOrg);
    assert.ok(product.length > 0, `the product wrote ${table} rows`);
    assert.deepEqual(bulk, product);
  });
}

Deno.test("bulk copy = product path: the dashboard's materialised folds", async () => {
  const instances = await rowsOf("posture_instance_rollups", ref1.orgId);
  assert.ok(instances.length > 0, "the product folded its runs");
  assert.deepEqual(await rowsOf("posture_instance_rollups", bulkOrg), instances);
  // The per-check rows without their sequence ids.
  const columns = `check_id, effective, status, has_sc, title, area, family, severity,
    severity_rank, risk, frameworks, n, tenths, sc_tenths, affected`;
  const checks = await rowsOf("posture_check_rollups", ref1.orgId, columns);
  assert.ok(checks.length > 0);
  assert.deepEqual(await rowsOf("posture_check_rollups", bulkOrg, columns), checks);
});

Deno.test("bulk copy = product path: snow_records", async () => {
  const digest = (orgId: string) =>
    sql`select count(*)::int as n, md5(string_agg(table_name || sys_id || data::text, ',' order by
          table_name, sys_id, data::text)) as digest
        from public.snow_records where org_id = ${orgId}`;
  const [product] = await digest(ref1.orgId);
  const [bulk] = await digest(bulkOrg);
  assert.ok(product!.n > 0);
  assert.deepEqual({ ...bulk }, { ...product });
});

Deno.test("bulk copy = product path: references point at the matching rows", async () => {
  // Each result's finding, each run's predecessor and each finding's runs, by content.
  const shape = (orgId: string) =>
    sql`
    select f.check_id, f.resource_key, r.status, r.delta,
           (select count(*) from public.analysis_runs p where p.instance_id = ar.instance_id
              and p.created_at <= ar.created_at)::int as run_no,
           (select count(*) from public.analysis_runs p where p.instance_id = ar.instance_id
              and p.id = ar.previous_run_id)::int as has_previous,
           (f.first_seen_run_id in (select id from public.analysis_runs
              where instance_id = f.instance_id)) as first_seen_here,
           (sr.job_id in (select id from public.jobs where org_id = f.org_id)) as sync_job_here
    from public.analysis_finding_results r
    join public.analysis_findings f on f.id = r.finding_id
    join public.analysis_runs ar on ar.id = r.run_id and ar.instance_id = f.instance_id
    left join lateral (select job_id from public.sync_runs where instance_id = f.instance_id
                       limit 1) sr on true
    where r.org_id = ${orgId}
    order by 1, 2, 3, 4, 5`.then((rows) => rows.map((r) => JSON.stringify(r)).sort());
  assert.deepEqual(await shape(bulkOrg), await shape(ref1.orgId));
});

Deno.test("bulk copy = product path: usage metered and audit entries", async () => {
  const usage = (orgId: string) =>
    sql`select day::text, metric, value::int from public.usage_daily
        where org_id = ${orgId} order by 1, 2`.then((rows) => rows.map((r) => ({ ...r })));
  assert.deepEqual(await usage(bulkOrg), await usage(ref1.orgId));
  const audit = (orgId: string) =>
    // The organizations' own set-up (sign-up, plan) is not part of the copy.
    rowsOf(
      "audit_log",
      orgId,
      "actor_kind, action, category, operation, target_table, before, after",
    )
      .then((rows) =>
        rows.filter((r) => !/"target_table","\\"(organizations|memberships)/.test(r))
      );
  assert.deepEqual(await audit(bulkOrg), await audit(ref1.orgId));
  // The appended entries keep the organization's hash chain valid.
  const [chain] = await sql`
    select count(*)::int as n,
           count(*) filter (where a.prev_hash is distinct from
             coalesce(p.hash, a.prev_hash))::int as broken
    from public.audit_log a left join public.audit_log p on p.org_id = a.org_id and p.seq = a.seq - 1
    where a.org_id = ${bulkOrg}`;
  assert.ok(chain!.n > 0);
  assert.equal(chain!.broken, 0);
});

Deno.test("bulk copy: no template id is left in a copied row, and credentials open for the copy", async () => {
  for (const table of [...TABLES, "audit_log"]) {
    const [row] = await sql.unsafe(
      `select count(*)::int as n from public.${table} s
       where org_id = $1 and (s::text like '%' || $2 || '%' or s::text like '%' || $3 || '%')`,
      [bulkOrg, template.instanceId, template.orgId],
    );
    assert.equal(row!.n, 0, `${table} names the template`);
  }
  const [instance] = await sql`
    select credentials from public.instances where id = ${targets[0]!.id}`;
  const opened = await runtime.keyring.open(instance!.credentials, {
    orgId: bulkOrg,
    instanceId: targets[0]!.id,
  });
  assert.equal((opened as { username: string }).username, "complianceiq.integration");
});

Deno.test("bulk copy: every copied id is a UUID the API accepts, and finding ids are the engine's", async () => {
  // The API validates path and query ids as RFC 9562 UUIDs: an id outside that
  // shape made a copied finding impossible to open (400 on GET /findings/:id).
  const ids = await sql<{ id: string }[]>`
    select id::text from public.analysis_runs where org_id = ${bulkOrg}
    union all select id::text from public.sync_runs where org_id = ${bulkOrg}
    union all select id::text from public.jobs where org_id = ${bulkOrg}
    union all select id::text from public.analysis_findings where org_id = ${bulkOrg}
    union all select finding_id::text from public.analysis_finding_results where org_id = ${bulkOrg}`;
  assert.ok(ids.length > 0);
  const invalid = ids.filter(({ id }) => !z.uuid().safeParse(id).success);
  assert.deepEqual(invalid, []);
  const [mismatch] = await sql<{ n: number }[]>`
    select count(*)::int as n from public.analysis_findings f
    where f.org_id = ${bulkOrg}
      and f.id <> private.analysis_finding_id(f.org_id, f.instance_id, f.check_id, f.resource_key)`;
  assert.equal(mismatch!.n, 0);
});
