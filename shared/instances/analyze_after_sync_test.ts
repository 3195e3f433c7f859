// Every completed sync is followed by a full analysis of the instance, through
// the task system: whatever started the sync (sync now, its schedule), once per
// sync run (a redelivered completion queues nothing more), never after a failed
// sync, not when the organization turned it off, and — while another analysis
// is running — queued when that one finishes.
import assert from "node:assert/strict";
import { createSnowSimulator } from "../../scripts/snow_sim/mod.ts";
import {
  createTestAuth,
  createTestDatabase,
  createTestServices,
  simulatorFetch,
} from "../../scripts/testing/mod.ts";
import { analyzeAfterSync, startRun } from "../analysis/mod.ts";
import { type JwtClaims, workerClaims } from "../db/mod.ts";
import { createLogger } from "../log/mod.ts";
import { createInProcessTaskClient, type TaskContext } from "../tasks/mod.ts";
import { generateKey, type InstanceCredentials } from "./credentials.ts";
import { configureInstanceRuntime } from "./runtime.ts";
import { setSyncSchedule, startSync } from "./service.ts";
import { dispatchDueSyncs, syncDispatchLimits } from "./sync_dispatch.ts";

const tdb = await createTestDatabase();
const auth = await createTestAuth();
Deno.test.afterAll(() => tdb.close());
const sql = tdb.db.sql;

const sim = createSnowSimulator({
  instances: [{ name: "acme", users: 40, changes: 30, incidents: 30, seed: 9 }],
});
const services = createTestServices(tdb.db, auth, {
  CREDENTIALS_KEYS: `test:${generateKey()}`,
  ALLOW_PRIVATE_INSTANCE_URLS: "true",
  SYNC_PAGE_SIZE: "500",
});
const runtime = await configureInstanceRuntime({
  config: services.config,
  fetch: simulatorFetch(sim),
  client: {
    sleep: () => Promise.resolve(),
    requestsPerSecond: 100_000,
  },
  // Log-table windows are measured on the simulated instance's clock.
  now: () => sim.clock.now(),
});

const owner = await auth.createUser(tdb.db, { orgName: "Analyse After Sync" });
const orgId = owner.orgId!;
await sql`update public.organizations set plan = 'enterprise' where id = ${orgId}`;
const claims: JwtClaims = { sub: owner.id, role: "authenticated", email: owner.email };
const PASSWORD = "integration-password";

async function addInstance(password = PASSWORD): Promise<string> {
  const id = crypto.randomUUID();
  const credentials: InstanceCredentials = {
    type: "basic",
    username: "complianceiq.integration",
    password,
  };
  const envelope = await runtime.keyring.seal(credentials, { orgId, instanceId: id });
  await sql`
    insert into public.instances (id, org_id, name, url, auth_type, credentials)
    values (${id}, ${orgId}, ${`acme-${id.slice(0, 8)}`}, 'http://sim.invalid/acme', 'basic',
            ${sql.json(envelope as never)})`;
  return id;
}

interface RunRow {
  id: string;
  status: string;
  trigger: string;
  requested_by: string | null;
  job_id: string | null;
  checks_total: number;
  previous_run_id: string | null;
}

async function runsOf(instanceId: string): Promise<RunRow[]> {
  return [
    ...await sql<RunRow[]>`
      select id, status, trigger, requested_by, job_id, checks_total, previous_run_id
      from public.analysis_runs where instance_id = ${instanceId} order by created_at`,
  ];
}

async function syncsOf(instanceId: string) {
  return await sql<{ id: string; status: string; trigger: string; job_id: string }[]>`
    select id, status, trigger, job_id from public.sync_runs
    where instance_id = ${instanceId} order by created_at`;
}

async function analysisJobs(instanceId: string): Promise<number> {
  const [row] = await sql<{ n: number }[]>`
    select count(*)::int as n from public.jobs where kind = 'analysis.run' and subject = ${instanceId}`;
  return row!.n;
}

Deno.test("a sync through the task system is followed by a full analysis with trigger sync and findings", async (t) => {
  const instanceId = await addInstance();

  await t.step("sync now", async () => {
    await startSync(services, claims, instanceId, "full");
    await services.tasks.drain({ maxDeliveries: 5_000 });
    const [sync] = await syncsOf(instanceId);
    assert.equal(sync?.status, "succeeded");
    const runs = await runsOf(instanceId);
    assert.equal(runs.length, 1);
    const run = runs[0]!;
    assert.deepEqual([run.status, run.trigger, run.requested_by], ["succeeded", "sync", null]);
    assert.ok(run.checks_total > 300, "the whole catalog");
    const [job] =
      await sql`select kind, status, actor_user_id from public.jobs where id = ${run.job_id}`;
    assert.deepEqual(
      [job!.kind, job!.status, job!.actor_user_id],
      ["analysis.run", "succeeded", owner.id],
      "the analysis job keeps the sync's actor for the record",
    );
    // The planted interactive use of an integration account (L6) is read from
    // the windowed transaction log and found.
    const l6 = await sql<{ sys_id: string }[]>`
      select f.sys_id from public.analysis_finding_results fr
      join public.analysis_findings f on f.id = fr.finding_id
      where fr.run_id = ${run.id} and fr.status = 'FAIL'
        and fr.check_id = 'integration_account_interactive_use'`;
    const planted = sim.manifest("acme").controls.L6.violations.map((v) => v.sysId).sort();
    assert.ok(planted.length > 0);
    assert.deepEqual(l6.map((r) => r.sys_id).sort(), planted);
    const [failing] = await sql<{ n: number }[]>`
      select count(*)::int as n from public.analysis_finding_results
      where run_id = ${run.id} and status = 'FAIL'`;
    assert.ok(failing!.n > 20, `findings of the planted violations, got ${failing!.n}`);
  });

  await t.step("a scheduled sync is followed by the next analysis", async () => {
    const view = await setSyncSchedule(services, claims, instanceId, {
      cron: "0 2 * * *",
      timezone: "UTC",
    });
    sim.clock.advance("6h");
    const due = new Date(view.schedule!.next_sync_at!.getTime() + 1_000);
    const pass = await dispatchDueSyncs(
      { db: services.db, log: services.log, tasks: services.tasks },
      syncDispatchLimits(services.config),
      due,
    );
    assert.equal(pass.started, 1);
    await services.tasks.drain({ maxDeliveries: 5_000 });
    const syncs = await syncsOf(instanceId);
    assert.deepEqual(syncs.map((s) => [s.trigger, s.status]), [
      ["manual", "succeeded"],
      ["schedule", "succeeded"],
    ]);
    const runs = await runsOf(instanceId);
    assert.deepEqual(runs.map((r) => [r.trigger, r.status]), [
      ["sync", "succeeded"],
      ["sync", "succeeded"],
    ]);
    assert.equal(runs[1]!.previous_run_id, runs[0]!.id, "deltas against the previous run");
  });

  await t.step("a redelivered completion queues nothing more", async () => {
    const last = (await syncsOf(instanceId)).at(-1)!;
    const before = {
      runs: (await runsOf(instanceId)).length,
      jobs: await analysisJobs(instanceId),
    };
    // As if the process stopped after the sync's outcome was committed but
    // before its job was marked succeeded: QStash delivers the message again.
    const [job] = await sql<{ segment: number; max_retries: number; attempts: number }[]>`
      update public.jobs set status = 'running', finished_at = null, lease_token = null,
        lease_until = null
      where id = ${last.job_id} returning segment, max_retries, attempts`;
    await services.tasks.transport.publish({
      body: {
        v: 1,
        type: "job",
        jobId: last.job_id,
        orgId,
        kind: "servicenow.sync",
        segment: job!.segment,
        maxRetries: job!.max_retries,
      },
      dedupId: `redelivery-${last.job_id}`,
      retries: 0,
    });
    await services.tasks.drain();
    const [again] = await sql`select status, attempts from public.jobs where id = ${last.job_id}`;
    assert.deepEqual([again!.status, again!.attempts], ["succeeded", job!.attempts + 1]);
    assert.equal((await runsOf(instanceId)).length, before.runs);
    assert.equal(await analysisJobs(instanceId), before.jobs);
  });
  await setSyncSchedule(services, claims, instanceId, null);
});

Deno.test("a failed sync queues no analysis", async (t) => {
  await t.step("rejected credentials", async () => {
    const instanceId = await addInstance("not-the-password");
    await startSync(services, claims, instanceId, "full");
    await services.tasks.drain();
    assert.equal((await syncsOf(instanceId))[0]?.status, "failed");
    assert.deepEqual(await runsOf(instanceId), []);
  });
  await t.step("no table readable", async () => {
    const instanceId = await addInstance();
    sim.setKnobs({ denyTables: runtime.plan().map((p) => p.table) });
    try {
      await startSync(services, claims, instanceId, "full");
      await services.tasks.drain();
    } finally {
      sim.setKnobs({ denyTables: [] });
    }
    assert.equal((await syncsOf(instanceId))[0]?.status, "failed");
    assert.deepEqual(await runsOf(instanceId), []);
  });
});

Deno.test("an organization with analyze_after_sync off gets no analysis after its syncs", async () => {
  const instanceId = await addInstance();
  await sql`update public.organizations
            set settings = settings || '{"analyze_after_sync": false}'::jsonb where id = ${orgId}`;
  try {
    await startSync(services, claims, instanceId, "full");
    await services.tasks.drain({ maxDeliveries: 5_000 });
  } finally {
    await sql`update public.organizations set settings = settings - 'analyze_after_sync'
              where id = ${orgId}`;
  }
  assert.equal((await syncsOf(instanceId))[0]?.status, "succeeded");
  assert.deepEqual(await runsOf(instanceId), []);
});

Deno.test("a sync that completes while an analysis runs has its analysis queued when that one finishes", async () => {
  const instanceId = await addInstance();
  await startSync(services, claims, instanceId, "full");
  await services.tasks.drain({ maxDeliveries: 5_000 });
  const [first] = await runsOf(instanceId);
  assert.equal(first?.status, "succeeded");

  // A person's analysis, delivered in short slices by its own queue: after one
  // delivery it is running.
  const slow = createInProcessTaskClient({ db: tdb.db, log: services.log, timeBudgetMs: 1 });
  const { run: manual } = await startRun({ ...services, tasks: slow }, claims, {
    instance_id: instanceId,
    scope: { type: "all" },
  });
  await slow.drain({ maxDeliveries: 1 }).catch(() => {});
  const [running] = await sql`select status from public.analysis_runs where id = ${manual.id}`;
  assert.equal(running!.status, "running");

  sim.clock.advance("2h");
  await startSync(services, claims, instanceId, "incremental");
  await services.tasks.drain({ maxDeliveries: 5_000 });
  assert.equal((await syncsOf(instanceId)).at(-1)?.status, "succeeded");
  assert.deepEqual(
    (await runsOf(instanceId)).map((r) => [r.trigger, r.status]),
    [["sync", "succeeded"], ["manual", "running"]],
    "no second analysis while one runs",
  );

  await slow.drain({ maxDeliveries: 5_000 });
  assert.deepEqual(
    (await runsOf(instanceId)).map((r) => [r.trigger, r.status]),
    [["sync", "succeeded"], ["manual", "succeeded"], ["sync", "succeeded"]],
  );
});

Deno.test("background work of another organization cannot queue an analysis of this instance", async () => {
  const instanceId = await addInstance();
  const other = await auth.createUser(tdb.db, { orgName: "Someone Else" });
  const log = createLogger({ level: "silent" });
  const outsider: Pick<TaskContext<unknown>, "tx" | "enqueue" | "log"> = {
    tx: (fn) => tdb.db.asTenant(workerClaims(other.orgId!), fn),
    enqueue: (task, payload, options) =>
      services.tasks.enqueue(task, payload, { ...options, orgId: other.orgId! }),
    log,
  };
  const outcome = await analyzeAfterSync(outsider, {
    instanceId,
    runId: crypto.randomUUID(),
    status: "succeeded",
  });
  assert.equal(outcome?.status, "skipped");
  assert.equal(outcome?.status === "skipped" && outcome.reason, "instance_gone");
  assert.deepEqual(await runsOf(instanceId), []);
});
