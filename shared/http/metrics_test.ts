// What /metrics tells an operator beyond requests: the database pool, the task
// queue (depth and the oldest waiting job), the sync dispatcher's backlog, job durations by kind and outcome,
// and calls to other services.
import assert from "node:assert/strict";
import { z } from "zod";
import {
  createTestAuth,
  createTestDatabase,
  createTestServices,
} from "../../scripts/testing/mod.ts";
import { createLogger } from "../log/mod.ts";
import { observeOutgoing, outcomeOf, poolStats } from "../metrics/mod.ts";
import { createInProcessTaskClient, defineTask } from "../tasks/mod.ts";
import { createFunctionApp } from "./mod.ts";

const tdb = await createTestDatabase();
const auth = await createTestAuth();
Deno.test.afterAll(() => tdb.close());
const METRICS_TOKEN = "metrics-test-scrape-credential";
const services = createTestServices(tdb.db, auth, { METRICS_TOKEN });
const app = createFunctionApp("probe", services);
const owner = await auth.createUser(tdb.db, { orgName: "Metrics Org" });

async function scrape(): Promise<string> {
  const res = await app.request("http://localhost/probe/metrics", {
    headers: { authorization: `Bearer ${METRICS_TOKEN}` },
  });
  assert.equal(res.status, 200);
  return await res.text();
}

function value(text: string, series: string): number {
  const line = text.split("\n").find((l) => l.startsWith(`${series} `));
  assert.ok(line, `no ${series} in /metrics`);
  return Number(line.split(" ")[1]);
}

Deno.test("the task queue's depth and the oldest waiting job's age", async () => {
  await tdb.db.sql`
    insert into public.jobs (org_id, kind, status, created_at)
    values (${owner.orgId}, 'unit.waiting', 'queued', now() - interval '90 seconds'),
           (${owner.orgId}, 'unit.waiting', 'queued', now()),
           (${owner.orgId}, 'unit.working', 'running', now())`;
  const text = await scrape();
  assert.equal(value(text, 'ciq_task_queue_depth{status="queued"}'), 2);
  assert.equal(value(text, 'ciq_task_queue_depth{status="running"}'), 1);
  assert.ok(value(text, "ciq_task_queue_oldest_age_seconds") >= 89);
  await tdb.db.sql`delete from public.jobs where kind in ('unit.waiting', 'unit.working')`;
  assert.equal(value(await scrape(), "ciq_task_queue_oldest_age_seconds"), 0);
});

Deno.test("the sync dispatcher's backlog: scheduled syncs due and how late the oldest is", async () => {
  assert.equal(value(await scrape(), "ciq_sync_schedule_due"), 0);
  await tdb.db.sql`update public.organizations set plan = 'basic' where id = ${owner.orgId}`;
  await tdb.db.sql`
    insert into public.instances (org_id, name, url, auth_type, credentials, sync_cron,
                                  next_sync_at)
    values (${owner.orgId}, 'Late', 'https://late.service-now.com', 'basic', '{}', '0 2 * * *',
            now() - interval '10 minutes'),
           (${owner.orgId}, 'Later', 'https://later.service-now.com', 'basic', '{}', '0 2 * * *',
            now() + interval '1 hour')`;
  const text = await scrape();
  assert.equal(value(text, "ciq_sync_schedule_due"), 1);
  assert.ok(value(text, "ciq_sync_schedule_lag_seconds") >= 599);
  await tdb.db.sql`delete from public.instances where org_id = ${owner.orgId}`;
  assert.equal(value(await scrape(), "ciq_sync_schedule_lag_seconds"), 0);
});

Deno.test("the database pool: its size, and connections held while a transaction runs", async () => {
  assert.ok(value(await scrape(), "ciq_db_pool_max") >= 1);
  const before = poolStats.inUse;
  let release!: () => void;
  const held = new Promise<void>((resolve) => release = resolve);
  let entered!: () => void;
  const inside = new Promise<void>((resolve) => entered = resolve);
  const transaction = tdb.db.asService(async () => {
    entered();
    await held;
  });
  await inside;
  assert.equal(poolStats.inUse, before + 1);
  release();
  await transaction;
  assert.equal(poolStats.inUse, before);
  const text = await scrape();
  assert.equal(value(text, "ciq_db_pool_waiting"), 0);
  assert.equal(value(text, "ciq_db_pool_connections_in_use"), before);
});

Deno.test("jobs that finish are timed by kind and outcome", async () => {
  const tasks = createInProcessTaskClient({
    db: tdb.db,
    log: createLogger({ level: "silent" }),
    defaultRetries: 0,
  });
  const timed = defineTask({
    kind: "unit.timed",
    payload: z.object({ fail: z.boolean() }),
    handler: (ctx, { fail }) =>
      fail ? Promise.reject(new Error("Cannot finish")) : Promise.resolve(ctx.done()),
  });
  await tasks.enqueue(timed, { fail: false }, { orgId: owner.orgId! });
  await tasks.enqueue(timed, { fail: true }, { orgId: owner.orgId! });
  await tasks.drain();
  const text = await scrape();
  assert.equal(
    value(text, 'ciq_job_duration_seconds_count{kind="unit.timed",status="succeeded"}'),
    1,
  );
  assert.equal(value(text, 'ciq_job_duration_seconds_count{kind="unit.timed",status="failed"}'), 1);
});

Deno.test("outgoing calls are counted by outcome", async () => {
  assert.deepEqual([200, 404, 429, 503, null].map(outcomeOf), [
    "ok",
    "client_error",
    "rate_limited",
    "server_error",
    "network_error",
  ]);
  observeOutgoing("unit-target", 503);
  observeOutgoing("unit-target", null);
  const text = await scrape();
  assert.equal(
    value(text, 'ciq_outgoing_requests_total{target="unit-target",outcome="server_error"}'),
    1,
  );
  assert.equal(
    value(text, 'ciq_outgoing_requests_total{target="unit-target",outcome="network_error"}'),
    1,
  );
});
