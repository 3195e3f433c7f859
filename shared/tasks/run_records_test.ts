import assert from "node:assert/strict";
import { createTestAuth, createTestDatabase } from "../../scripts/testing/mod.ts";
import { closeRunsOfEndedJobs } from "./mod.ts";

const tdb = await createTestDatabase();
const auth = await createTestAuth();
Deno.test.afterAll(() => tdb.close());
const sql = tdb.db.sql;

const owner = await auth.createUser(tdb.db, { orgName: "Runs Org" });
const org = owner.orgId!;
const [instance] = await sql<{ id: string }[]>`
  insert into public.instances (org_id, name, url, auth_type, credentials)
  values (${org}, 'Runs', 'https://runs.service-now.com', 'basic', '{}') returning id`;
const instanceId = instance!.id;

async function job(status: string, error: string | null = null): Promise<string> {
  const [row] = await sql<{ id: string }[]>`
    insert into public.jobs (org_id, kind, status, error)
    values (${org}, 'test.kind', ${status}::public.job_status, ${error}) returning id`;
  return row!.id;
}

/** Opens one sync run (one may be open at a time), closes stale ones, returns it. */
async function syncRun(jobId: string | null, age = "0 minutes") {
  const [run] = await sql<{ id: string }[]>`
    insert into public.sync_runs (org_id, instance_id, mode, status, job_id, created_at)
    values (${org}, ${instanceId}, 'full', ${jobId ? "running" : "queued"}, ${jobId},
            now() - ${age}::interval)
    returning id`;
  await tdb.db.asService((tx) => closeRunsOfEndedJobs(tx, "sync_runs", instanceId, "sync"));
  const [after] = await sql<{ status: string; error: string | null; finished: boolean }[]>`
    select status, error, finished_at is not null as finished
    from public.sync_runs where id = ${run!.id}`;
  // Leave nothing open for the next case.
  await sql`update public.sync_runs set status = 'failed' where id = ${run!.id}`;
  return after!;
}

Deno.test("closeRunsOfEndedJobs() closes runs whose job ended or never came, and only those", async () => {
  assert.deepEqual(await syncRun(await job("failed", "Cannot reach the instance")), {
    status: "failed",
    error: "Cannot reach the instance",
    finished: true,
  });
  assert.deepEqual(await syncRun(await job("succeeded")), {
    status: "failed",
    error: "The sync stopped before it finished",
    finished: true,
  });
  assert.deepEqual(await syncRun(await job("cancelled")), {
    status: "cancelled",
    error: "The sync was cancelled",
    finished: true,
  });
  assert.deepEqual(await syncRun(null, "11 minutes"), {
    status: "failed",
    error: "The sync was never queued",
    finished: true,
  });
  // Still working, or only just created: left alone.
  assert.deepEqual(await syncRun(await job("running")), {
    status: "running",
    error: null,
    finished: false,
  });
  assert.deepEqual(await syncRun(null), { status: "queued", error: null, finished: false });
});

Deno.test("closeRunsOfEndedJobs() names analysis runs as runs", async () => {
  const jobId = await job("cancelled");
  const [run] = await sql<{ id: string }[]>`
    insert into public.analysis_runs (org_id, instance_id, status, job_id, catalog_version)
    values (${org}, ${instanceId}, 'running', ${jobId}, 'test') returning id`;
  await tdb.db.asService((tx) => closeRunsOfEndedJobs(tx, "analysis_runs", instanceId, "run"));
  const [after] = await sql<{ status: string; error: string }[]>`
    select status, error from public.analysis_runs where id = ${run!.id}`;
  assert.deepEqual(after, { status: "cancelled", error: "The run was cancelled" });
});
