// The sync engine against an in-memory instance: exact copies across many
// deliveries, incremental reads with an overlap window, delete detection, denied
// tables and auth failures. The end-to-end test against the simulator and the
// real Table API client is in sync_simulator_test.ts.
import assert from "node:assert/strict";
import { createTestAuth, createTestDatabase } from "../../../scripts/testing/mod.ts";
import { workerClaims } from "../../db/mod.ts";
import { createLogger } from "../../log/mod.ts";
import { createInProcessTaskClient } from "../../tasks/mod.ts";
import { type FinishedSync, formatGlide, type SyncEngineDeps } from "./engine.ts";
import {
  InstanceAuthError,
  type ReadOptions,
  type RecordPage,
  type SnowTableReader,
  TableUnavailableError,
} from "./reader.ts";
import { createSyncTask } from "./task.ts";
import { type SyncTableSpec, windowStart } from "./tables.ts";

const tdb = await createTestDatabase();
const auth = await createTestAuth();
Deno.test.afterAll(() => tdb.close());
const log = createLogger({ level: "silent" });

type Rec = Record<string, string>;

/** An in-memory instance: tables of records, a clock, denied tables. */
class FakeInstance {
  tables = new Map<string, Map<string, Rec>>();
  denied = new Set<string>();
  /** Tables the instance does not have (400 "Invalid table"). */
  missing = new Set<string>();
  authFails = false;
  now = new Date("2026-06-01T00:00:00Z");
  requests = 0;
  /** Called after every page is served (to change data mid-sync). */
  afterPage: ((table: string, served: number) => void) | null = null;
  private seq = 0;

  tick(seconds = 1): string {
    this.now = new Date(this.now.getTime() + seconds * 1000);
    return formatGlide(this.now);
  }
  put(table: string, fields: Rec, sysId?: string): Rec {
    const id = sysId ?? (++this.seq).toString(16).padStart(32, "0");
    const map = this.tables.get(table) ?? new Map<string, Rec>();
    this.tables.set(table, map);
    const rec = { ...map.get(id), ...fields, sys_id: id, sys_updated_on: this.tick(10) };
    map.set(id, rec);
    return rec;
  }
  remove(table: string, sysId: string): void {
    this.tables.get(table)?.delete(sysId);
  }
  private check(table: string) {
    this.requests++;
    if (this.authFails) {
      throw new InstanceAuthError("Cannot read the instance: credentials were rejected");
    }
    if (this.missing.has(table)) {
      throw new TableUnavailableError(
        `Cannot read table "${table}": it does not exist on this instance`,
        "not_found",
      );
    }
    if (this.denied.has(table)) {
      throw new TableUnavailableError(
        `Cannot read table "${table}": instance returned 403`,
        "not_readable",
      );
    }
  }
  private matching(table: string, query: string): Rec[] {
    const since = /sys_updated_on>=([0-9-]+ [0-9:]+)/.exec(query)?.[1] ?? null;
    const created = /sys_created_on>=([0-9-]+ [0-9:]+)/.exec(query)?.[1] ?? null;
    const onlyActive = query.includes("active=true");
    return [...(this.tables.get(table)?.values() ?? [])]
      .filter((r) => !since || r.sys_updated_on! >= since)
      .filter((r) => !created || (r.sys_created_on ?? "") >= created)
      .filter((r) => !onlyActive || r.active === "true")
      .sort((a, b) => (a.sys_id! < b.sys_id! ? -1 : 1));
  }
  reader(): SnowTableReader {
    // deno-lint-ignore no-this-alias
    const self = this;
    return {
      async *pages(table: string, o: ReadOptions & { fields: readonly string[] }) {
        self.check(table);
        let after = o.after;
        let served = 0;
        while (true) {
          const all = self.matching(table, o.query);
          const page = all.filter((r) => after === null || r.sys_id! > after).slice(0, o.pageSize);
          if (page.length === 0) return;
          after = page.at(-1)!.sys_id!;
          const records = page.map((r) =>
            Object.fromEntries(o.fields.filter((f) => f in r).map((f) => [f, r[f]]))
          );
          const maxUpdatedOn = page.reduce(
            (m, r) => (r.sys_updated_on! > m ? r.sys_updated_on! : m),
            "",
          );
          yield { records: records as Rec[], cursor: after, maxUpdatedOn } satisfies RecordPage;
          served++;
          self.afterPage?.(table, served);
        }
      },
      async *keys(table: string, o: ReadOptions) {
        self.check(table);
        let after = o.after;
        while (true) {
          const page = self.matching(table, o.query).filter((r) =>
            after === null || r.sys_id! > after
          )
            .slice(0, o.pageSize);
          if (page.length === 0) return;
          after = page.at(-1)!.sys_id!;
          yield page.map((r) => r.sys_id!);
        }
      },
      count(table: string, o: { query: string }) {
        self.check(table);
        return Promise.resolve(self.matching(table, o.query).length);
      },
    };
  }
}

const PLAN: SyncTableSpec[] = [
  { table: "sys_user", fields: ["sys_id", "sys_updated_on", "user_name", "active"] },
  { table: "sys_user_has_role", fields: ["sys_id", "sys_updated_on", "user", "role"] },
  { table: "sys_properties", fields: ["sys_id", "sys_updated_on", "name", "value"] },
];

async function setup(
  options: {
    budgetMs?: number;
    keyScanHours?: number;
    plan?: SyncTableSpec[];
    afterSync?: SyncEngineDeps["afterSync"];
  } = {},
) {
  const user = await auth.createUser(tdb.db, {
    orgName: `Sync ${crypto.randomUUID().slice(0, 6)}`,
  });
  const orgId = user.orgId!;
  const instanceId = crypto.randomUUID();
  await tdb.db.sql`
    insert into public.instances (id, org_id, name, url, auth_type, credentials)
    values (${instanceId}, ${orgId}, 'fake', 'https://fake.service-now.com', 'basic', '{"v":1}')`;
  const fake = new FakeInstance();
  let clock = new Date("2026-06-01T00:00:00Z");
  const deps: SyncEngineDeps = {
    open: () => Promise.resolve(fake.reader()),
    plan: () => options.plan ?? PLAN,
    settings: { pageSize: 7, overlapSeconds: 60, keyScanHours: options.keyScanHours ?? 0 },
    now: () => clock,
    ...(options.afterSync ? { afterSync: options.afterSync } : {}),
  };
  const task = createSyncTask(deps);
  const tasks = createInProcessTaskClient({
    db: tdb.db,
    log,
    timeBudgetMs: options.budgetMs ?? 20_000,
  });
  const sync = async (mode: "full" | "incremental" = "incremental") => {
    const job = await tasks.enqueue(task, { instanceId, mode, trigger: "manual" }, {
      orgId,
      subject: instanceId,
    });
    const report = await tasks.drain();
    const [run] = await tdb.db.sql`select * from public.sync_runs where job_id = ${job.id}`;
    const tables = await tdb.db.sql`
      select table_name, status, records_fetched::int as fetched, records_upserted::int as upserted,
             records_deleted::int as deleted, records_expired::int as expired, error
      from public.sync_table_results where sync_run_id = ${run!.id} order by table_name`;
    return { job, run: run!, tables, deliveries: report.delivered, outcomes: report.outcomes };
  };
  const stored = async (table: string) => {
    const rows = await tdb.db.asTenant(
      workerClaims(orgId),
      (tx) =>
        tx<{ sys_id: string; data: Rec }[]>`
        select sys_id, data from public.snow_records
        where instance_id = ${instanceId} and table_name = ${table} order by sys_id`,
    );
    return new Map(rows.map((r) => [r.sys_id, r.data]));
  };
  const expectExact = async (table: string) => {
    const fields = PLAN.find((p) => p.table === table)!.fields;
    const want = new Map(
      [...(fake.tables.get(table)?.values() ?? [])].map((r) => [
        r.sys_id!,
        Object.fromEntries(fields.filter((f) => f in r).map((f) => [f, r[f]])),
      ]),
    );
    assert.deepEqual(await stored(table), want, `${table} differs from the instance`);
  };
  return {
    orgId,
    instanceId,
    fake,
    sync,
    stored,
    expectExact,
    tasks,
    advance: (ms: number) => (clock = new Date(clock.getTime() + ms)),
  };
}

function seed(fake: FakeInstance, users = 30) {
  for (let i = 0; i < users; i++) {
    const u = fake.put("sys_user", { user_name: `user${i}`, active: i % 5 ? "true" : "false" });
    fake.put("sys_user_has_role", { user: u.sys_id!, role: "itil" });
  }
  fake.put("sys_properties", { name: "glide.ui.session_timeout", value: "30" });
}

Deno.test("a full sync copies every record and reports each table's figures", async () => {
  const s = await setup();
  seed(s.fake);
  const { run, tables } = await s.sync("full");
  assert.equal(run.status, "succeeded");
  for (const t of PLAN) await s.expectExact(t.table);
  assert.deepEqual(
    tables.map((t) => [t.table_name, t.status, t.fetched, t.upserted, t.deleted]),
    [
      ["sys_properties", "succeeded", 1, 1, 0],
      ["sys_user", "succeeded", 30, 30, 0],
      ["sys_user_has_role", "succeeded", 30, 30, 0],
    ],
  );
  assert.equal(Number(run.records_fetched), 61);
  const [inst] = await tdb.db
    .sql`select last_sync_status from public.instances where id = ${s.instanceId}`;
  assert.equal(inst!.last_sync_status, "succeeded");
  const [seen] = await tdb.db
    .sql`select count(*)::int as n from public.sync_seen_keys where sync_run_id = ${run.id}`;
  assert.equal(seen!.n, 0, "scratch keys are cleared");
});

Deno.test("a sync resumes across many short deliveries and still copies exactly", async () => {
  const s = await setup({ budgetMs: 1 });
  seed(s.fake, 40);
  const { run, deliveries } = await s.sync("full");
  assert.equal(run.status, "succeeded");
  assert.ok(deliveries > 5, `expected continuations, got ${deliveries} deliveries`);
  for (const t of PLAN) await s.expectExact(t.table);
});

Deno.test("an incremental sync applies changes, additions and deletions", async (t) => {
  const s = await setup({ keyScanHours: 24 });
  seed(s.fake, 25);
  await s.sync("full");
  const users = [...s.fake.tables.get("sys_user")!.values()];
  s.fake.tick(600);
  s.fake.put("sys_user", { active: "false" }, users[3]!.sys_id);
  s.fake.put("sys_user", { user_name: "new.hire", active: "true" });
  s.fake.remove("sys_user", users[7]!.sys_id!);

  await t.step("changes and additions arrive; deletions wait for the key scan", async () => {
    s.advance(3_600_000);
    const { run, tables } = await s.sync();
    assert.equal(run.mode, "incremental");
    const user = tables.find((r) => r.table_name === "sys_user")!;
    assert.equal(user.upserted, 2);
    assert.equal(user.deleted, 0);
    assert.ok(user.fetched < 10, `incremental should read few records, read ${user.fetched}`);
    const stored = await s.stored("sys_user");
    assert.equal(stored.get(users[3]!.sys_id!)!.active, "false");
    assert.ok(stored.has(users[7]!.sys_id!), "not deleted before a key scan is due");
  });
  await t.step("once a key scan is due, deletions are found", async () => {
    s.advance(25 * 3_600_000);
    const { run, tables } = await s.sync();
    assert.equal(run.status, "succeeded");
    assert.equal(tables.find((r) => r.table_name === "sys_user")!.deleted, 1);
    for (const p of PLAN) await s.expectExact(p.table);
  });
});

Deno.test("an incremental sync re-reads the overlap window without rewriting unchanged records", async () => {
  const s = await setup({ keyScanHours: 1000 });
  seed(s.fake, 10);
  await s.sync("full");
  const { tables } = await s.sync();
  const user = tables.find((r) => r.table_name === "sys_user")!;
  assert.ok(user.fetched > 0, "the overlap window is read again");
  assert.equal(user.upserted, 0, "identical records are not rewritten");
});

Deno.test("a record changed behind the sync's position is caught by the next incremental sync", async () => {
  const s = await setup({ keyScanHours: 1000 });
  seed(s.fake, 30);
  await s.sync("full");
  const first = [...s.fake.tables.get("sys_user")!.values()][0]!;
  s.fake.tick(7200);
  // Many changes after the high-water mark, so the incremental reads several pages.
  for (const u of [...s.fake.tables.get("sys_user")!.values()].slice(10)) {
    s.fake.put("sys_user", { title: "x" }, u.sys_id);
  }
  let changed = false;
  s.fake.afterPage = (table, served) => {
    if (table === "sys_user" && served === 2 && !changed) {
      changed = true;
      s.fake.tick(3600);
      s.fake.put("sys_user", { active: "false", user_name: "renamed" }, first.sys_id);
    }
  };
  await s.sync();
  assert.ok(changed);
  assert.equal(
    (await s.stored("sys_user")).get(first.sys_id!)!.user_name,
    "user0",
    "behind the cursor",
  );
  s.fake.afterPage = null;
  await s.sync();
  assert.equal((await s.stored("sys_user")).get(first.sys_id!)!.user_name, "renamed");
  await s.expectExact("sys_user");
});

Deno.test("a denied table is reported as not readable and the rest still syncs", async () => {
  const s = await setup();
  seed(s.fake);
  s.fake.denied.add("sys_properties");
  const { run, tables } = await s.sync("full");
  assert.equal(run.status, "partial");
  assert.match(run.error, /sys_properties \(not readable\)/);
  const props = tables.find((r) => r.table_name === "sys_properties")!;
  assert.equal(props.status, "not_readable");
  assert.match(props.error, /403/);
  await s.expectExact("sys_user");
  const [state] = await tdb.db.sql`
    select readable from public.instance_tables where instance_id = ${s.instanceId} and table_name = 'sys_properties'`;
  assert.equal(state!.readable, false);
});

Deno.test("rejected credentials fail the run at once and mark the instance", async () => {
  const s = await setup();
  seed(s.fake);
  s.fake.authFails = true;
  const { run, job } = await s.sync("full");
  assert.equal(run.status, "failed");
  assert.match(run.error, /credentials were rejected/);
  const [inst] = await tdb.db
    .sql`select status, last_sync_status from public.instances where id = ${s.instanceId}`;
  assert.deepEqual([inst!.status, inst!.last_sync_status], ["auth_failed", "failed"]);
  const [row] = await tdb.db.sql`select status, attempts from public.jobs where id = ${job.id}`;
  assert.equal(row!.status, "failed");
  assert.equal(row!.attempts, 1, "not retried");
});

Deno.test("a filtered table keeps only matching records and drops those that stop matching", async () => {
  const plan: SyncTableSpec[] = [{
    table: "sys_user",
    fields: ["sys_id", "sys_updated_on", "user_name", "active"],
    filter: "active=true",
  }];
  const s = await setup({ plan });
  seed(s.fake, 10);
  await s.sync("full");
  const active = [...s.fake.tables.get("sys_user")!.values()].filter((u) => u.active === "true");
  assert.equal((await s.stored("sys_user")).size, active.length);
  s.fake.put("sys_user", { active: "false" }, active[0]!.sys_id);
  s.advance(48 * 3_600_000);
  await s.sync();
  assert.ok(!(await s.stored("sys_user")).has(active[0]!.sys_id!));
});

const DAY = 86_400_000;

Deno.test("a log table is synced to its time window; records that age out leave the copy without counting as deletions", async (t) => {
  const plan: SyncTableSpec[] = [{
    table: "syslog_transaction",
    fields: ["sys_id", "sys_updated_on", "sys_created_on", "type"],
    window: { days: 30 },
  }];
  const s = await setup({ plan });
  // One transaction a day, 1 to 50 days before the sync's clock (2026-06-01), at noon.
  const start = Date.parse("2026-06-01T00:00:00Z");
  const byAge = new Map<number, Rec>();
  for (let days = 1; days <= 50; days++) {
    const created = formatGlide(new Date(start - days * DAY + DAY / 2));
    byAge.set(days, s.fake.put("syslog_transaction", { type: "rest", sys_created_on: created }));
  }
  const keptUpTo = async (days: number) => {
    const want = [...byAge].filter(([age, r]) =>
      age <= days && s.fake.tables.get("syslog_transaction")!.has(r.sys_id!)
    ).map(([, r]) => r.sys_id!).sort();
    assert.deepEqual([...(await s.stored("syslog_transaction")).keys()], want);
  };

  await t.step("a full sync reads only the last 30 days", async () => {
    const { run, tables, job } = await s.sync("full");
    assert.equal(run.status, "succeeded");
    assert.equal(windowStart(30, new Date(start)), "2026-05-02 00:00:00");
    await keptUpTo(30);
    assert.deepEqual([tables[0]!.fetched, tables[0]!.deleted], [30, 0]);
    const [row] = await tdb.db.sql`select result from public.jobs where id = ${job.id}`;
    assert.equal(row!.result.records_expired, 0);
  });
  await t.step(
    "ten days later, older records leave the copy and only real deletions count",
    async () => {
      s.advance(10 * DAY);
      s.fake.remove("syslog_transaction", byAge.get(1)!.sys_id!);
      s.fake.remove("syslog_transaction", byAge.get(2)!.sys_id!);
      s.fake.tick(60);
      s.fake.put("syslog_transaction", { type: "form", sys_created_on: s.fake.tick(1) });
      const { run, tables, job } = await s.sync();
      assert.equal(run.mode, "incremental");
      assert.equal(run.status, "succeeded");
      const stored = await s.stored("syslog_transaction");
      // 18 of the first batch are inside the new window (days 3–20), plus the new one.
      assert.equal(stored.size, 19);
      for (const [age, r] of byAge) {
        assert.equal(stored.has(r.sys_id!), age >= 3 && age <= 20, `the record ${age} days old`);
      }
      assert.equal(tables[0]!.deleted, 2, "the two records deleted on the instance");
      assert.equal(Number(run.records_deleted), 2);
      const [row] = await tdb.db.sql`select result, counters from public.jobs where id = ${job.id}`;
      assert.equal(row!.result.records_expired, 10, "days 21–30 fell out of the window");
      assert.equal(row!.counters.records_expired, 10);
      // The sync history keeps them too, for the run and for the table.
      assert.equal(Number(run.records_expired), 10);
      assert.equal(tables[0]!.expired, 10);
      const [state] = await tdb.db.sql`
      select record_count from public.instance_tables
      where instance_id = ${s.instanceId} and table_name = 'syslog_transaction'`;
      assert.equal(Number(state!.record_count), 19);
    },
  );
  await t.step("without a key scan, an incremental sync still drops what aged out", async () => {
    const s2 = await setup({ plan, keyScanHours: 1000 });
    for (const r of byAge.values()) {
      s2.fake.put("syslog_transaction", { type: r.type!, sys_created_on: r.sys_created_on! });
    }
    await s2.sync("full");
    assert.equal((await s2.stored("syslog_transaction")).size, 30);
    s2.advance(5 * DAY);
    const { job } = await s2.sync();
    assert.equal((await s2.stored("syslog_transaction")).size, 25);
    const [row] = await tdb.db.sql`select result from public.jobs where id = ${job.id}`;
    assert.equal(row!.result.records_expired, 5);
    assert.equal(row!.result.records_deleted, 0);
  });
});

Deno.test("afterSync runs once the sync has completed, and its failure does not fail the sync", async (t) => {
  const calls: FinishedSync[] = [];
  const s = await setup({
    afterSync: (sync) => {
      calls.push(sync);
      return Promise.reject(new Error("the analysis queue is down"));
    },
  });
  seed(s.fake, 5);
  await t.step("a completed sync is reported with its outcome", async () => {
    const { run, job } = await s.sync("full");
    assert.equal(run.status, "succeeded");
    const [row] = await tdb.db.sql`select status from public.jobs where id = ${job.id}`;
    assert.equal(row!.status, "succeeded", "the hook's failure is logged, not the sync's");
    assert.equal(calls.length, 1);
    assert.deepEqual(
      [calls[0]!.runId, calls[0]!.instanceId, calls[0]!.orgId, calls[0]!.status, calls[0]!.trigger],
      [run.id, s.instanceId, s.orgId, "succeeded", "manual"],
    );
  });
  await t.step("a sync that stops with an error is not", async () => {
    s.fake.authFails = true;
    const { run } = await s.sync("full");
    assert.equal(run.status, "failed");
    assert.equal(calls.length, 1);
  });
});

Deno.test("the sync records which fields each table returned and which tables do not exist", async () => {
  const s = await setup();
  // `active` is omitted from every sys_user record (a field-level ACL); an empty
  // string is a value, so `user_name` is present even where it is "".
  s.fake.put("sys_user", { user_name: "" });
  s.fake.put("sys_user", { user_name: "bob" });
  s.fake.put("sys_user_has_role", { user: "u1", role: "r1" });
  s.fake.missing.add("sys_properties");
  await s.sync("full");
  const state = async () =>
    new Map(
      (await tdb.db.sql<
        {
          table_name: string;
          readable: boolean;
          table_missing: boolean;
          fields_requested: string[] | null;
          fields_present: string[] | null;
        }[]
      >`
        select table_name, readable, table_missing, fields_requested, fields_present
        from public.instance_tables where instance_id = ${s.instanceId}`).map((
        r,
      ) => [r.table_name, r]),
    );
  let tables = await state();
  assert.deepEqual(tables.get("sys_user")?.fields_requested, [
    "active",
    "sys_id",
    "sys_updated_on",
    "user_name",
  ]);
  assert.deepEqual(tables.get("sys_user")?.fields_present, [
    "sys_id",
    "sys_updated_on",
    "user_name",
  ]);
  assert.deepEqual(
    [tables.get("sys_properties")?.readable, tables.get("sys_properties")?.table_missing],
    [false, true],
  );
  // An incremental read that sees the field adds it; one that reads nothing keeps what was known.
  s.fake.put("sys_user", { user_name: "carol", active: "true" });
  await s.sync("incremental");
  tables = await state();
  assert.ok(tables.get("sys_user")?.fields_present?.includes("active"));
  assert.deepEqual(tables.get("sys_user_has_role")?.fields_present, [
    "role",
    "sys_id",
    "sys_updated_on",
    "user",
  ]);
  // The table appears once the plugin is installed.
  s.fake.missing.delete("sys_properties");
  s.fake.put("sys_properties", { name: "x", value: "" });
  await s.sync("full");
  tables = await state();
  assert.deepEqual(
    [tables.get("sys_properties")?.readable, tables.get("sys_properties")?.table_missing],
    [true, false],
  );
});
