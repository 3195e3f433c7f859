// Usage is counted where work is recorded (triggers), and per-request counts
// reach the database only through an idempotent flush.
import assert from "node:assert/strict";
import { createTestAuth, createTestDatabase, insertSampleRow } from "../../scripts/testing/mod.ts";
import { createMemoryCache } from "../cache/mod.ts";
import { flushUsage, meter } from "./mod.ts";

const tdb = await createTestDatabase();
const auth = await createTestAuth();
Deno.test.afterAll(() => tdb.close());
const sql = tdb.db.sql;

async function today(orgId: string): Promise<Record<string, number>> {
  const rows = await sql<{ metric: string; value: string }[]>`
    select metric, value::text from public.usage_daily
    where org_id = ${orgId} and day = (now() at time zone 'utc')::date`;
  return Object.fromEntries(rows.map((r) => [r.metric, Number(r.value)]));
}

Deno.test("syncs, records synced and analysis runs are counted when recorded", async () => {
  const owner = await auth.createUser(tdb.db, { orgName: "Busy" });
  const tenant = { orgId: owner.orgId!, userId: owner.id };
  const instance = await insertSampleRow(sql, "public.instances", tenant, {
    "public.instances": { url: "https://usage.service-now.com", auth_type: "basic" },
  });
  const run = await insertSampleRow(sql, "public.sync_runs", tenant, {
    "public.sync_runs": { instance_id: instance.id, mode: "full", status: "queued" },
  });
  await sql`update public.sync_runs set status = 'succeeded', records_upserted = 50
            where id = ${run.id}`;
  await insertSampleRow(sql, "public.analysis_runs", tenant, {
    "public.analysis_runs": { instance_id: instance.id, status: "queued" },
  });
  const counts = await today(tenant.orgId);
  assert.equal(counts.syncs, 1);
  assert.equal(counts.records_synced, 50);
  assert.equal(counts.analysis_runs, 1);
});

Deno.test("metered requests are written by the flush, once, whatever the number of flushes", async () => {
  const owner = await auth.createUser(tdb.db, { orgName: "Chatty" });
  const orgId = owner.orgId!;
  const cache = createMemoryCache();
  for (let i = 0; i < 5; i++) await meter(cache, orgId, "api_calls");
  await meter(cache, orgId, "embed_views");
  assert.equal((await today(orgId)).api_calls, undefined, "nothing written per request");
  await flushUsage({ db: tdb.db, cache });
  await flushUsage({ db: tdb.db, cache });
  const counts = await today(orgId);
  assert.equal(counts.api_calls, 5);
  assert.equal(counts.embed_views, 1);
  assert.equal(counts.members, 1);
  await meter(cache, orgId, "api_calls");
  await flushUsage({ db: tdb.db, cache }, orgId);
  assert.equal((await today(orgId)).api_calls, 6);
});
