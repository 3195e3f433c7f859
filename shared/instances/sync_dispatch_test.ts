import assert from "node:assert/strict";
import { createTestAuth, createTestDatabase } from "../../scripts/testing/mod.ts";
import { createLogger } from "../log/mod.ts";
import {
  createInProcessTaskClient,
  createTaskClient,
  createTaskRegistry,
  processMessage,
  type TaskTransport,
} from "../tasks/mod.ts";
import { nextSyncAt } from "./schemas.ts";
import {
  dispatchAfterSyncEnded,
  dispatchDueSyncs,
  type SyncDispatchLimits,
} from "./sync_dispatch.ts";

const tdb = await createTestDatabase();
const auth = await createTestAuth();
Deno.test.afterAll(() => tdb.close());
const sql = tdb.db.sql;
const log = createLogger({ level: "error" });
const tasks = createInProcessTaskClient({ db: tdb.db, log });
const limits: SyncDispatchLimits = { maxConcurrent: 5, maxPerOrg: 2, spreadSeconds: 900 };
const T = new Date("2030-01-07T02:00:00Z");
const deps = { db: tdb.db, log, tasks };

async function orgWith(name: string, instances: number): Promise<{ orgId: string; ids: string[] }> {
  const owner = await auth.createUser(tdb.db, { orgName: name });
  await sql`update public.organizations set plan = 'enterprise' where id = ${owner.orgId!}`;
  const ids: string[] = [];
  for (let i = 0; i < instances; i++) {
    const [row] = await sql<{ id: string }[]>`
      insert into public.instances (org_id, name, url, auth_type, credentials, sync_cron,
                                    next_sync_at)
      values (${owner
      .orgId!}, ${`${name} ${i}`}, ${`https://${name.toLowerCase()}${i}.service-now.com`},
              'basic', '{}', '0 2 * * *', ${new Date(T.getTime() + i * 1000)})
      returning id`;
    ids.push(row!.id);
  }
  return { orgId: owner.orgId!, ids };
}

async function activeSyncsByOrg(): Promise<Map<string, number>> {
  const rows = await sql<{ org_id: string; n: number }[]>`
    select org_id, count(*)::int as n from public.jobs
    where kind = 'servicenow.sync' and status in ('queued', 'running') group by org_id`;
  return new Map(rows.map((r) => [r.org_id, r.n]));
}

async function finishSyncsOf(orgId: string): Promise<void> {
  await sql`update public.jobs set status = 'succeeded', finished_at = now()
            where org_id = ${orgId} and kind = 'servicenow.sync' and status = 'queued'`;
}

const big = await orgWith("Big", 10);
const small = await orgWith("Small", 2);
const tiny = await orgWith("Tiny", 1);

Deno.test("the dispatcher starts due syncs round-robin across organizations within both caps", async (t) => {
  await t.step("nothing is due before the time", async () => {
    const report = await dispatchDueSyncs(deps, limits, new Date(T.getTime() - 1000));
    assert.equal(report.due, 0);
    assert.equal(report.started, 0);
  });
  await t.step("every organization gets its first sync before any gets a second", async () => {
    const report = await dispatchDueSyncs(deps, limits, new Date(T.getTime() + 60_000));
    assert.equal(report.due, 13);
    assert.equal(report.started, 5, "the global cap");
    assert.equal(report.waiting, 8);
    assert.equal(report.max_lag_seconds, 60);
    const active = await activeSyncsByOrg();
    assert.equal(active.get(tiny.orgId), 1);
    assert.equal(active.get(small.orgId), 2);
    assert.equal(active.get(big.orgId), 2, "the big organization waits for its turn");
  });
  await t.step("the jobs are incremental scheduled syncs, queued on the task queue", async () => {
    const jobs = await sql<{ subject: string; payload: { mode: string; trigger: string } }[]>`
      select subject, payload from public.jobs where org_id = ${tiny.orgId}`;
    assert.deepEqual(jobs.map((j) => [j.subject, j.payload.mode, j.payload.trigger]), [
      [tiny.ids[0], "incremental", "schedule"],
    ]);
    const pending = tasks.pending.filter((m) => m.body.type === "job");
    assert.equal(pending.length, 5);
  });
  await t.step("with the caps full, a second pass starts nothing", async () => {
    const report = await dispatchDueSyncs(deps, limits, new Date(T.getTime() + 120_000));
    assert.equal(report.started, 0);
    assert.equal(report.active, 5);
  });
  await t.step("when syncs end, the room goes to the organizations still waiting", async () => {
    await finishSyncsOf(small.orgId);
    await finishSyncsOf(tiny.orgId);
    const report = await dispatchDueSyncs(deps, limits, new Date(T.getTime() + 180_000));
    assert.equal(report.started, 0, "Big is at its own cap of 2, Small and Tiny are done");
    await finishSyncsOf(big.orgId);
    const next = await dispatchDueSyncs(deps, limits, new Date(T.getTime() + 240_000));
    assert.equal(next.started, 2);
    assert.equal((await activeSyncsByOrg()).get(big.orgId), 2);
  });
  await t.step("a started instance's next sync is the next day, within the spread", async () => {
    const [row] = await sql<{ next_sync_at: Date }[]>`
      select next_sync_at from public.instances where id = ${tiny.ids[0]!}`;
    const base = Date.parse("2030-01-08T02:00:00Z");
    const at = row!.next_sync_at.getTime();
    assert.ok(at >= base && at < base + 900_000, row!.next_sync_at.toISOString());
  });
});

Deno.test("a slot freed by a sync that ended goes to the next due instance at once", async () => {
  const org = await orgWith("Queue", 3);
  const roomy = { ...limits, maxConcurrent: 1000, maxPerOrg: 1 };
  const at = new Date(T.getTime() + 400_000);
  const first = await dispatchDueSyncs(deps, roomy, at);
  assert.equal((await activeSyncsByOrg()).get(org.orgId), 1, "one at a time in this organization");
  assert.ok(first.waiting >= 2);
  await finishSyncsOf(org.orgId);
  const notSync = await dispatchAfterSyncEnded(deps, roomy, "analysis.run", at);
  assert.equal(notSync, null, "only a sync ending frees a sync slot");
  assert.equal((await activeSyncsByOrg()).get(org.orgId), undefined);
  const pass = await dispatchAfterSyncEnded(deps, roomy, "servicenow.sync", at);
  assert.ok(pass && pass.started >= 1);
  assert.equal((await activeSyncsByOrg()).get(org.orgId), 1, "the next instance started");
});

Deno.test("a due instance whose sync is still running skips this time", async () => {
  const org = await orgWith("Busy", 1);
  const id = org.ids[0]!;
  await sql`insert into public.jobs (org_id, kind, subject, status)
            values (${org.orgId}, 'servicenow.sync', ${id}, 'running')`;
  const report = await dispatchDueSyncs(
    deps,
    { ...limits, maxConcurrent: 1000, maxPerOrg: 10 },
    new Date(T.getTime() + 300_000),
  );
  assert.ok(report.skipped_running >= 1);
  const [row] = await sql<{ n: number; next: Date }[]>`
    select (select count(*)::int from public.jobs where subject = ${id}) as n,
           (select next_sync_at from public.instances where id = ${id}) as next`;
  assert.equal(row!.n, 1, "no second sync of the same instance");
  assert.ok(row!.next.getTime() > T.getTime() + 86_400_000 - 1000, "moved to the next day");
});

Deno.test("instances scheduled before the dispatcher get a next time and lose their QStash schedule", async () => {
  const org = await orgWith("Legacy", 1);
  const id = org.ids[0]!;
  const legacyId = `ciq-sync-${id}`;
  await tasks.transport.upsertSchedule({
    id: legacyId,
    cron: "0 2 * * *",
    body: { v: 1, type: "system", action: "reap" },
    retries: 0,
  });
  await sql`update public.instances set next_sync_at = null, sync_schedule_id = ${legacyId}
            where id = ${id}`;
  const now = new Date(T.getTime() + 400_000);
  const report = await dispatchDueSyncs(deps, limits, now);
  assert.ok(report.repaired >= 1);
  assert.equal(await tasks.schedules.get(legacyId), null);
  const [row] = await sql<{ next_sync_at: Date | null; sync_schedule_id: string | null }[]>`
    select next_sync_at, sync_schedule_id from public.instances where id = ${id}`;
  assert.equal(row!.sync_schedule_id, null);
  assert.ok(row!.next_sync_at && row!.next_sync_at > now);
});

Deno.test("a sync the queue refuses is failed visibly and counted", async () => {
  const org = await orgWith("Refused", 1);
  const refusing: TaskTransport = {
    ...tasks.transport,
    publish: () => Promise.reject(new Error("queue down")),
  };
  const failing = createTaskClient({ db: tdb.db, log, transport: refusing, defaultRetries: 0 });
  const report = await dispatchDueSyncs(
    { db: tdb.db, log, tasks: failing },
    { ...limits, maxConcurrent: 1000, maxPerOrg: 10 },
    new Date(T.getTime() + 500_000),
  );
  assert.ok(report.publish_failed >= 1);
  const [job] = await sql<{ status: string; error_code: string }[]>`
    select status, error_code from public.jobs where subject = ${org.ids[0]!}`;
  assert.deepEqual([job!.status, job!.error_code], ["failed", "queue_unavailable"]);
});

Deno.test("the dispatch system message runs the deployment's dispatcher, or is refused without one", async () => {
  const runner = {
    db: tdb.db,
    log,
    registry: createTaskRegistry([]),
    transport: tasks.transport,
    timeBudgetMs: 10_000,
    leaseMs: 10_000,
    staleAfterMs: 60_000,
  };
  const message = { v: 1 as const, type: "system" as const, action: "dispatch_syncs" as const };
  const meta = { messageId: "m-1", retried: 0 };
  const without = await processMessage(runner, message, meta);
  assert.equal(without.status, "rejected");
  const withIt = await processMessage(
    {
      ...runner,
      systemActions: { dispatch_syncs: () => Promise.resolve({ started: 3 }) },
    },
    message,
    meta,
  );
  assert.deepEqual(withIt, { status: "dispatched", report: { started: 3 } });
});

Deno.test("nextSyncAt() spreads instances over at most the spread or half the gap", () => {
  const after = new Date("2030-03-01T00:00:00Z");
  const daily = { cron: "0 2 * * *", timezone: "UTC" };
  const quarter = { cron: "*/15 * * * *", timezone: "UTC" };
  const offsets = new Set<number>();
  for (let i = 0; i < 200; i++) {
    const id = crypto.randomUUID();
    const d = nextSyncAt(daily, id, 900, after)!.getTime() - Date.parse("2030-03-01T02:00:00Z");
    assert.ok(d >= 0 && d < 900_000, `daily offset ${d}`);
    offsets.add(Math.floor(d / 60_000));
    const q = nextSyncAt(quarter, id, 900, after)!.getTime() - Date.parse("2030-03-01T00:15:00Z");
    assert.ok(q >= 0 && q < 450_000, `every-15-minutes offset ${q}`);
    assert.equal(
      nextSyncAt(daily, id, 900, after)!.getTime(),
      nextSyncAt(daily, id, 900, after)!.getTime(),
      "the same instance always gets the same offset",
    );
  }
  assert.ok(offsets.size >= 12, `200 instances spread over the 15 minutes (${offsets.size})`);
  const none = nextSyncAt(daily, crypto.randomUUID(), 0, after)!;
  assert.equal(none.toISOString(), "2030-03-01T02:00:00.000Z");
});
