// Plan limits hold in the database under concurrency, answer with their
// figures, and a read-only organization (cancelled, trial over, payment overdue)
// starts no syncs or runs. Runs on PGlite, and on the server with DATABASE_URL.
import assert from "node:assert/strict";
import { createTestAuth, createTestDatabase, insertSampleRow } from "../../scripts/testing/mod.ts";
import { httpErrorFromPostgres } from "../http/mod.ts";
import { checkPlanLimit, lockOrgForLimits } from "./mod.ts";

const tdb = await createTestDatabase();
const auth = await createTestAuth();
Deno.test.afterAll(() => tdb.close());
const sql = tdb.db.sql;

const ROWS = {
  "public.instances": { url: "https://limits.service-now.com", auth_type: "basic" },
  "public.sync_runs": { mode: "full", status: "queued" },
  "public.analysis_runs": { status: "queued" },
};

async function newOrg(name: string) {
  const owner = await auth.createUser(tdb.db, { orgName: name });
  return { orgId: owner.orgId!, userId: owner.id };
}

function addInstance(tenant: { orgId: string; userId: string }) {
  return insertSampleRow(sql, "public.instances", tenant, {
    "public.instances": { ...ROWS["public.instances"], name: `i-${crypto.randomUUID()}` },
  });
}

Deno.test("two concurrent instance adds on a one-instance plan: exactly one passes", async () => {
  for (let round = 0; round < 3; round++) {
    const tenant = await newOrg(`Race ${round}`);
    const results = await Promise.allSettled([addInstance(tenant), addInstance(tenant)]);
    const passed = results.filter((r) => r.status === "fulfilled").length;
    assert.equal(passed, 1, JSON.stringify(results.map((r) => r.status)));
    const refused = results.find((r) => r.status === "rejected") as PromiseRejectedResult;
    const http = httpErrorFromPostgres(refused.reason);
    assert.equal(http?.status, 402);
    assert.equal(http?.code, "plan_limit_reached");
    const [row] = await sql<{ count: number }[]>`
      select count(*)::int as count from public.instances where org_id = ${tenant.orgId}`;
    assert.equal(row?.count, 1);
  }
});

Deno.test("five concurrent adds on the basic plan (3 instances) stop at three", async () => {
  const tenant = await newOrg("Basic Race");
  await sql`update public.organizations set plan = 'basic' where id = ${tenant.orgId}`;
  const results = await Promise.allSettled(Array.from({ length: 5 }, () => addInstance(tenant)));
  assert.equal(results.filter((r) => r.status === "fulfilled").length, 3);
});

Deno.test("a limit error names the limit, the usage and the plan to upgrade to", async () => {
  const tenant = await newOrg("Figures");
  await addInstance(tenant);
  const error = await addInstance(tenant).then(() => null, (e) => e);
  const http = httpErrorFromPostgres(error)!;
  assert.deepEqual(http.details, {
    limit: "instances",
    allowed: 1,
    used: 1,
    plan: "trial",
    upgrade_to: "basic",
  });
  assert.match(http.message, /Trial plan allows 1 instances; you have 1\. Upgrade to Basic/);
  await sql`update public.organizations set plan = 'basic' where id = ${tenant.orgId}`;
  await addInstance(tenant);
});

Deno.test("checkPlanLimit with a caller's own count (API keys), serialized by the lock", async () => {
  const tenant = await newOrg("Keys");
  const attempt = (used: number) =>
    tdb.db.asService(async (tx) => {
      await lockOrgForLimits(tx, tenant.orgId);
      await checkPlanLimit(tx, tenant.orgId, "api_keys", used);
    });
  await attempt(0);
  const error = await attempt(1).then(() => null, (e) => e);
  assert.equal(httpErrorFromPostgres(error)?.code, "plan_limit_reached");
  await sql`update public.organizations set plan = 'enterprise' where id = ${tenant.orgId}`;
  await attempt(99);
});

Deno.test("a read-only organization starts no syncs or runs, and keeps its data", async (t) => {
  const cases: [string, (orgId: string) => Promise<unknown>, string][] = [
    [
      "cancelled",
      (id) =>
        sql`update public.organizations set plan = 'basic', subscription_status = 'cancelled'
          where id = ${id}`,
      "subscription_cancelled",
    ],
    [
      "trial over",
      (id) =>
        sql`update public.organizations set trial_ends_at = now() - interval '1 day'
          where id = ${id}`,
      "trial_expired",
    ],
    [
      "past due beyond the grace period",
      (id) =>
        sql`update public.organizations set plan = 'basic', past_due_since = now() - interval '8 days'
          where id = ${id}`,
      "payment_overdue",
    ],
  ];
  for (const [name, make, reason] of cases) {
    await t.step(name, async () => {
      const tenant = await newOrg(`Read only ${name}`);
      const instance = await addInstance(tenant);
      await make(tenant.orgId);
      for (const table of ["public.sync_runs", "public.analysis_runs"]) {
        const error = await insertSampleRow(sql, table, tenant, {
          ...ROWS,
          [table]: { ...ROWS[table as keyof typeof ROWS], instance_id: instance.id },
        }).then(() => null, (e) => e);
        const http = httpErrorFromPostgres(error);
        assert.equal(http?.status, 402, `${table}: ${error}`);
        assert.equal(http?.code, "read_only");
        assert.equal((http?.details as { reason: string }).reason, reason);
      }
      const [row] = await sql`select id from public.instances where id = ${instance.id}`;
      assert.ok(row, "the data stays");
    });
  }
  await t.step("past due within the grace period still works", async () => {
    const tenant = await newOrg("Grace");
    const instance = await addInstance(tenant);
    await sql`update public.organizations set plan = 'basic', past_due_since = now() - interval '2 days'
              where id = ${tenant.orgId}`;
    await insertSampleRow(sql, "public.sync_runs", tenant, {
      ...ROWS,
      "public.sync_runs": { ...ROWS["public.sync_runs"], instance_id: instance.id },
    });
  });
});
