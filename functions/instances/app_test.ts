import assert from "node:assert/strict";
import { createSnowSimulator } from "../../scripts/snow_sim/mod.ts";
import {
  createTestAuth,
  createTestDatabase,
  createTestServices,
  simulatorFetch,
  type TestUser,
} from "../../scripts/testing/mod.ts";
import { dispatchDueSyncs, generateKey, syncDispatchLimits } from "../../shared/instances/mod.ts";
import { createLogger } from "../../shared/log/mod.ts";
import { createInstancesApp } from "./app.ts";

const tdb = await createTestDatabase();
const auth = await createTestAuth();
Deno.test.afterAll(() => tdb.close());

// Every log line of the function, to prove credentials never reach one.
const lines: string[] = [];
const sim = createSnowSimulator({ instances: [{ name: "acme", users: 60, seed: 3 }] });
const SIM_URL = "http://sim.invalid/acme";
const PASSWORD = "integration-password";
const services = {
  ...createTestServices(tdb.db, auth, {
    CREDENTIALS_KEYS: `k1:${generateKey()}`,
    ALLOW_PRIVATE_INSTANCE_URLS: "true",
    SYNC_PAGE_SIZE: "50",
  }),
  log: createLogger({ level: "debug", sink: (line) => lines.push(line) }),
};
const app = createInstancesApp(services, {
  fetch: simulatorFetch(sim),
  client: {
    sleep: () => Promise.resolve(),
    requestsPerSecond: 10_000,
  },
});
const responses: string[] = [];

async function call(token: string | null, method: string, path: string, body?: unknown) {
  const headers: Record<string, string> = {};
  if (token) headers.authorization = `Bearer ${token}`;
  if (body !== undefined) headers["content-type"] = "application/json";
  const res = await app.request(`http://localhost/instances${path}`, {
    method,
    headers,
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  responses.push(text);
  return { status: res.status, body: text ? JSON.parse(text) : null };
}

function assertError(res: { status: number; body: unknown }, status: number, code?: string) {
  assert.equal(res.status, status, JSON.stringify(res.body));
  const error = (res.body as { error: { code: string; message: string } }).error;
  assert.equal(typeof error.message, "string");
  if (code) assert.equal(error.code, code);
}

const basic = { type: "basic", username: "complianceiq.integration", password: PASSWORD };

async function member(owner: TestUser, role: string): Promise<TestUser> {
  const user = await auth.createUser(tdb.db);
  await tdb.db.sql`insert into public.memberships (org_id, user_id, role)
                   values (${owner.orgId}, ${user.id}, ${role})`;
  return user;
}

/** An organization with an instance whose syncs the test starts itself. */
async function orgWithInstance(name = "Acme") {
  const owner = await auth.createUser(tdb.db, {
    orgName: `Org ${crypto.randomUUID().slice(0, 6)}`,
  });
  const res = await call(owner.token, "POST", "", {
    org_id: owner.orgId,
    name,
    url: `${SIM_URL}/`,
    credentials: basic,
    start_sync: false,
  });
  assert.equal(res.status, 201, JSON.stringify(res.body));
  return { owner, instance: res.body.data };
}

Deno.test("POST /instances adds an instance, tests it, and never echoes credentials", async () => {
  const { instance } = await orgWithInstance();
  assert.equal(instance.url, SIM_URL, "URL normalized (trailing slash removed)");
  assert.equal(instance.auth_type, "basic");
  assert.deepEqual(instance.credentials, { configured: true });
  assert.equal(instance.status, "healthy");
  assert.match(instance.build_tag, /glide/);
  const access = instance.last_health.tables.map((t: { access: string }) => t.access);
  assert.ok(access.includes("readable"));
  assert.ok(access.every((a: string) => a === "readable" || a === "not_found"), access.join());
  assert.ok(!JSON.stringify(instance).includes(PASSWORD));
});

Deno.test("the list leaves out each instance's per-table access; the instance itself has it", async () => {
  const { owner, instance } = await orgWithInstance();
  const list = await call(owner.token, "GET", `?org_id=${owner.orgId}`);
  assert.equal(list.status, 200, JSON.stringify(list.body));
  const listed = list.body.data.find((i: { id: string }) => i.id === instance.id);
  assert.equal(listed.last_health.status, "healthy");
  assert.equal(typeof listed.last_health.latency_ms, "number");
  assert.equal(listed.last_health.tables, undefined);
  const one = await call(owner.token, "GET", `/${instance.id}`);
  assert.ok(one.body.data.last_health.tables.length > 10);
});

Deno.test("adding an instance starts its first sync and the analysis after it, without another click", async (t) => {
  const owner = await auth.createUser(tdb.db, {
    orgName: `Org ${crypto.randomUUID().slice(0, 6)}`,
  });
  await t.step("wrong credentials: the instance is added, no sync starts", async () => {
    const res = await call(owner.token, "POST", "", {
      org_id: owner.orgId,
      name: "Wrong password",
      url: SIM_URL,
      credentials: { ...basic, password: "not-it" },
    });
    assert.equal(res.status, 201, JSON.stringify(res.body));
    assert.equal(res.body.sync, null);
    assert.equal(res.body.data.active_sync, null);
    await call(owner.token, "DELETE", `/${res.body.data.id}`);
  });
  await t.step(
    "working credentials: a full setup sync is queued, then the analysis follows",
    async () => {
      const res = await call(owner.token, "POST", "", {
        org_id: owner.orgId,
        name: "First run",
        url: SIM_URL,
        credentials: basic,
      });
      assert.equal(res.status, 201, JSON.stringify(res.body));
      assert.equal(res.body.sync.status, "queued");
      assert.deepEqual([res.body.sync.mode, res.body.sync.trigger], ["full", "setup"]);
      assert.equal(res.body.data.active_sync.id, res.body.sync.id);
      await services.tasks.drain({ maxDeliveries: 5_000 });
      const history = await call(owner.token, "GET", `/${res.body.data.id}/syncs`);
      assert.deepEqual(
        history.body.data.map((r: { status: string; trigger: string }) => [r.trigger, r.status]),
        [["setup", "succeeded"]],
      );
      const runs = await tdb.db.sql<{ status: string; trigger: string }[]>`
      select status, trigger from public.analysis_runs where instance_id = ${res.body.data.id}`;
      assert.deepEqual(runs.map((r) => [r.trigger, r.status]), [["sync", "succeeded"]]);
    },
  );
});

Deno.test("POST /instances validates the body and the plan's instance limit", async (t) => {
  const { owner } = await orgWithInstance();
  await t.step("a second instance exceeds the trial plan", async () => {
    const res = await call(owner.token, "POST", "", {
      org_id: owner.orgId,
      name: "Second",
      url: SIM_URL,
      credentials: basic,
    });
    assertError(res, 402, "plan_limit_reached");
    assert.deepEqual(res.body.error.details, {
      limit: "instances",
      allowed: 1,
      used: 1,
      plan: "trial",
      upgrade_to: "basic",
    });
  });
  await t.step("missing credentials and an unknown auth type are refused", async () => {
    const res = await call(owner.token, "POST", "", {
      org_id: owner.orgId,
      name: "Bad",
      url: SIM_URL,
      credentials: { type: "kerberos" },
    });
    assertError(res, 400, "validation_failed");
  });
  await t.step("a duplicate name is a 409", async () => {
    await tdb.db.sql`update public.organizations set plan = 'basic' where id = ${owner.orgId}`;
    const res = await call(owner.token, "POST", "", {
      org_id: owner.orgId,
      name: "Acme",
      url: SIM_URL,
      credentials: basic,
    });
    assertError(res, 409, "instance_name_taken");
  });
  await t.step("the limit holds in the database for every path", async () => {
    await tdb.db.sql`update public.organizations set plan = 'trial' where id = ${owner.orgId}`;
    await assert.rejects(
      tdb.db.sql`insert into public.instances (org_id, name, url, auth_type, credentials)
                 values (${owner.orgId}, 'direct', 'https://d.service-now.com', 'basic', '{}')`,
      /plan allows 1/,
    );
  });
});

Deno.test("roles: viewers read, analysts sync and test, admins change; outsiders get 404", async (t) => {
  const { owner, instance } = await orgWithInstance();
  const viewer = await member(owner, "viewer");
  const analyst = await member(owner, "analyst");
  const outsider = await auth.createUser(tdb.db, { orgName: "Elsewhere" });

  await t.step("viewers list and read", async () => {
    const list = await call(viewer.token, "GET", `?org_id=${owner.orgId}`);
    assert.equal(list.status, 200);
    assert.deepEqual(list.body.data.map((i: { id: string }) => i.id), [instance.id]);
    assert.equal((await call(viewer.token, "GET", `/${instance.id}`)).status, 200);
  });
  await t.step("viewers cannot sync, test, edit or schedule", async () => {
    assertError(await call(viewer.token, "POST", `/${instance.id}/sync`), 403, "insufficient_role");
    assertError(await call(viewer.token, "POST", `/${instance.id}/test`), 403, "insufficient_role");
    assertError(await call(viewer.token, "PATCH", `/${instance.id}`, { name: "x" }), 403);
  });
  await t.step("analysts test the saved connection but cannot edit or schedule", async () => {
    const res = await call(analyst.token, "POST", `/${instance.id}/test`);
    assert.equal(res.status, 200);
    assert.equal(res.body.data.status, "healthy");
    assertError(await call(analyst.token, "PATCH", `/${instance.id}`, { name: "x" }), 403);
    assertError(
      await call(analyst.token, "PUT", `/${instance.id}/schedule`, { schedule: null }),
      403,
    );
    assertError(
      await call(analyst.token, "POST", `/${instance.id}/test`, {
        url: "http://elsewhere.invalid",
      }),
      403,
    );
    assertError(await call(analyst.token, "DELETE", `/${instance.id}`), 403);
  });
  await t.step("outsiders see nothing", async () => {
    assertError(await call(outsider.token, "GET", `/${instance.id}`), 404);
    assertError(await call(outsider.token, "GET", `?org_id=${owner.orgId}`), 404);
    assertError(await call(outsider.token, "POST", `/${instance.id}/sync`), 404);
    assertError(await call(outsider.token, "DELETE", `/${instance.id}`), 404);
    assertError(await call(outsider.token, "GET", `/${instance.id}/syncs`), 404);
  });
  await t.step("no token, no access", async () => {
    assertError(await call(null, "GET", `?org_id=${owner.orgId}`), 401);
  });
});

Deno.test("GET /instances pages by name: limit and cursor cover every instance once; bad cursors are 400", async (t) => {
  const { owner } = await orgWithInstance("Bravo");
  await tdb.db.sql`update public.organizations set plan = 'enterprise' where id = ${owner.orgId}`;
  for (const name of ["Alpha", "Charlie", "Delta", "Echo"]) {
    await tdb.db.sql`
      insert into public.instances (org_id, name, url, auth_type, credentials, status)
      values (${owner.orgId}, ${name}, ${`https://${name.toLowerCase()}.service-now.com`},
              'basic', '{}'::jsonb, 'healthy')`;
  }
  const names = (res: { body: { data: { name: string }[] } }) => res.body.data.map((i) => i.name);

  await t.step("pages of 2 follow the cursor to the end", async () => {
    const seen: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const query: string = cursor ? `&cursor=${encodeURIComponent(cursor)}` : "";
      const res = await call(owner.token, "GET", `?org_id=${owner.orgId}&limit=2${query}`);
      assert.equal(res.status, 200, JSON.stringify(res.body));
      assert.ok(res.body.data.length <= 2);
      seen.push(...names(res));
      cursor = res.body.next_cursor;
      pages++;
    } while (cursor);
    assert.deepEqual(seen, ["Alpha", "Bravo", "Charlie", "Delta", "Echo"]);
    assert.equal(pages, 3);
  });
  await t.step("without a limit, one page holds them all", async () => {
    const res = await call(owner.token, "GET", `?org_id=${owner.orgId}`);
    assert.equal(res.body.data.length, 5);
    assert.equal(res.body.next_cursor, null);
  });
  await t.step("a tampered cursor or an out-of-range limit is a 400", async () => {
    const first = await call(owner.token, "GET", `?org_id=${owner.orgId}&limit=2`);
    const tampered = `${first.body.next_cursor.slice(0, -2)}!!`;
    assertError(
      await call(owner.token, "GET", `?org_id=${owner.orgId}&cursor=${tampered}`),
      400,
      "invalid_cursor",
    );
    assertError(
      await call(owner.token, "GET", `?org_id=${owner.orgId}&cursor=${btoa('[{"a":1}]')}`),
      400,
      "invalid_cursor",
    );
    assertError(
      await call(owner.token, "GET", `?org_id=${owner.orgId}&limit=501`),
      400,
      "validation_failed",
    );
    assertError(await call(owner.token, "GET", `?org_id=${owner.orgId}&limit=0`), 400);
  });
});

Deno.test("connection tests report reachability, credentials and each table", async (t) => {
  const { owner, instance } = await orgWithInstance();
  await t.step("wrong password → auth_failed, nothing stored", async () => {
    const res = await call(owner.token, "POST", "/test-connection", {
      org_id: owner.orgId,
      url: SIM_URL,
      credentials: { ...basic, password: "wrong-password" },
    });
    assert.equal(res.status, 200);
    assert.equal(res.body.data.status, "auth_failed");
    assert.equal(res.body.data.authenticated, false);
  });
  await t.step("a denied table → degraded, naming the table", async () => {
    sim.setKnobs({ denyTables: ["sys_audit"] });
    try {
      const res = await call(owner.token, "POST", `/${instance.id}/test`);
      assert.equal(res.body.data.status, "degraded");
      const audit = res.body.data.tables.find((x: { table: string }) => x.table === "sys_audit");
      assert.equal(audit.access, "not_readable");
      assert.equal(typeof res.body.data.latency_ms, "number");
      const saved = await call(owner.token, "GET", `/${instance.id}`);
      assert.equal(saved.body.data.status, "degraded");
    } finally {
      sim.setKnobs({ denyTables: [] });
    }
  });
  await t.step("a hibernating instance → unreachable", async () => {
    sim.setKnobs({ hibernating: true });
    try {
      const res = await call(owner.token, "POST", `/${instance.id}/test`);
      assert.equal(res.body.data.status, "unreachable");
      assert.equal(res.body.data.reachable, false);
    } finally {
      sim.setKnobs({ hibernating: false });
    }
  });
  await t.step("edited settings are tried with the saved password", async () => {
    const res = await call(owner.token, "POST", `/${instance.id}/test`, { url: `${SIM_URL}/` });
    assert.equal(res.body.data.status, "healthy");
  });
});

Deno.test("PATCH /instances/:id changes name, URL and credentials; credentials stay write-only", async () => {
  const { owner, instance } = await orgWithInstance();
  const res = await call(owner.token, "PATCH", `/${instance.id}`, {
    name: "Renamed",
    credentials: { ...basic, password: "rotated-secret-1" },
  });
  assert.equal(res.status, 200);
  assert.equal(res.body.data.name, "Renamed");
  assert.equal(res.body.data.status, "pending", "new credentials need a new test");
  assert.ok(!JSON.stringify(res.body).includes("rotated-secret-1"));
  const test = await call(owner.token, "POST", `/${instance.id}/test`);
  assert.equal(test.body.data.status, "auth_failed", "the new (wrong) password is used");
  assertError(await call(owner.token, "PATCH", `/${instance.id}`, {}), 400, "validation_failed");
  assertError(
    await call(owner.token, "PATCH", `/${instance.id}`, { url: "ftp://x.service-now.com" }),
    422,
  );
});

Deno.test("sync now runs the sync task and the history shows per-table figures", async (t) => {
  const { owner, instance } = await orgWithInstance();
  const analyst = await member(owner, "analyst");
  let runId = "";
  await t.step("202 with the queued run and its job; a second start is a 409", async () => {
    const res = await call(analyst.token, "POST", `/${instance.id}/sync`, { mode: "full" });
    assert.equal(res.status, 202, JSON.stringify(res.body));
    assert.equal(res.body.data.run.status, "queued");
    assert.equal(res.body.data.run.mode, "full");
    // Counts are numbers, as in the history (bigints used to arrive as strings).
    assert.equal(res.body.data.run.records_fetched, 0);
    assert.equal(res.body.data.job.kind, "servicenow.sync");
    runId = res.body.data.run.id;
    assertError(
      await call(analyst.token, "POST", `/${instance.id}/sync`),
      409,
      "sync_already_running",
    );
    const listed = await call(analyst.token, "GET", `/${instance.id}`);
    assert.equal(listed.body.data.active_sync.id, runId);
  });
  await t.step("the run completes with figures per table", async () => {
    await services.tasks.drain();
    const res = await call(owner.token, "GET", `/${instance.id}/syncs/${runId}`);
    assert.equal(res.status, 200);
    assert.equal(res.body.data.status, "succeeded", res.body.data.error);
    const users = res.body.data.tables.find((x: { table_name: string }) =>
      x.table_name === "sys_user"
    );
    assert.equal(users.records_fetched, sim.instance("acme").dataset.table("sys_user").size);
    assert.equal(users.records_upserted, users.records_fetched);
    assert.ok(res.body.data.records_fetched > 0);
    assert.equal(typeof res.body.data.duration_ms, "number");
  });
  await t.step("history, instance summary and table state", async () => {
    const history = await call(owner.token, "GET", `/${instance.id}/syncs?limit=5`);
    assert.equal(history.body.data[0].id, runId);
    assert.equal(history.body.next_cursor, null);
    const inst = await call(owner.token, "GET", `/${instance.id}`);
    assert.equal(inst.body.data.last_sync_status, "succeeded");
    assert.equal(inst.body.data.last_sync.id, runId);
    assert.equal(inst.body.data.active_sync, null);
    const tables = await call(owner.token, "GET", `/${instance.id}/tables`);
    const users = tables.body.data.find((x: { table_name: string }) => x.table_name === "sys_user");
    assert.equal(users.readable, true);
    assert.equal(users.record_count, sim.instance("acme").dataset.table("sys_user").size);
  });
  await t.step("an incremental sync follows", async () => {
    const res = await call(owner.token, "POST", `/${instance.id}/sync`);
    assert.equal(res.body.data.run.mode, "incremental");
    await services.tasks.drain();
    const history = await call(owner.token, "GET", `/${instance.id}/syncs`);
    assert.equal(history.body.data.length, 2);
    assert.equal(history.body.data[0].status, "succeeded");
  });
});

Deno.test("PUT /instances/:id/schedule validates the cron; the dispatcher starts the sync when due", async (t) => {
  const { owner, instance } = await orgWithInstance();
  const limits = syncDispatchLimits(services.config);
  const dispatch = (now: Date) =>
    dispatchDueSyncs({ db: tdb.db, log: services.log, tasks: services.tasks }, limits, now);
  let nextSyncAt: Date;
  await t.step("invalid or too frequent schedules are refused", async () => {
    for (const cron of ["every day", "61 * * * *", "*/5 * * * *", "0 2 * * * *"]) {
      assertError(
        await call(owner.token, "PUT", `/${instance.id}/schedule`, { schedule: { cron } }),
        400,
        "validation_failed",
      );
    }
    assertError(
      await call(owner.token, "PUT", `/${instance.id}/schedule`, {
        schedule: { cron: "0 2 * * *", timezone: "Mars/Olympus" },
      }),
      400,
    );
  });
  await t.step("a valid schedule is stored with its next sync time, spread after it", async () => {
    const res = await call(owner.token, "PUT", `/${instance.id}/schedule`, {
      schedule: { cron: "30 2 * * 1-5", timezone: "Europe/Paris" },
    });
    assert.equal(res.status, 200, JSON.stringify(res.body));
    const schedule = res.body.data.schedule;
    assert.deepEqual([schedule.cron, schedule.timezone], ["30 2 * * 1-5", "Europe/Paris"]);
    assert.equal(schedule.next_runs.length, 3);
    nextSyncAt = new Date(schedule.next_sync_at);
    const firstRun = new Date(schedule.next_runs[0]).getTime();
    const spreadMs = services.config.SYNC_SPREAD_SECONDS * 1000;
    assert.ok(
      nextSyncAt.getTime() >= firstRun && nextSyncAt.getTime() <= firstRun + spreadMs,
      `next sync ${nextSyncAt.toISOString()} is within the spread after ${schedule.next_runs[0]}`,
    );
    assert.equal(await services.tasks.schedules.get(`ciq-sync-${instance.id}`), null);
  });
  await t.step(
    "nothing starts before the time; at the time an incremental sync starts",
    async () => {
      const early = await dispatch(new Date(nextSyncAt.getTime() - 60_000));
      assert.equal(early.started, 0);
      const due = await dispatch(new Date(nextSyncAt.getTime() + 1_000));
      assert.equal(due.started, 1);
      await services.tasks.drain();
      const history = await call(owner.token, "GET", `/${instance.id}/syncs`);
      assert.equal(history.body.data[0].trigger, "schedule");
      assert.equal(history.body.data[0].mode, "incremental");
      assert.equal(history.body.data[0].status, "succeeded", history.body.data[0].error);
      const after = await call(owner.token, "GET", `/${instance.id}`);
      assert.ok(
        new Date(after.body.data.schedule.next_sync_at) > nextSyncAt,
        "the next sync moved to the following weekday",
      );
    },
  );
  await t.step("null removes it", async () => {
    const res = await call(owner.token, "PUT", `/${instance.id}/schedule`, { schedule: null });
    assert.equal(res.body.data.schedule, null);
    await dispatch(new Date(Date.now() + 30 * 86_400_000));
    const [queued] = await tdb.db.sql<{ n: number }[]>`
      select count(*)::int as n from public.jobs
      where subject = ${instance.id} and status = 'queued'`;
    assert.equal(queued!.n, 0, "no sync is started for an instance without a schedule");
  });
});

Deno.test("DELETE /instances/:id removes the instance and its synced data", async () => {
  const { owner, instance } = await orgWithInstance();
  await call(owner.token, "PUT", `/${instance.id}/schedule`, { schedule: { cron: "0 3 * * *" } });
  await call(owner.token, "POST", `/${instance.id}/sync`, { mode: "full" });
  await services.tasks.drain();
  const count = async (table: string) =>
    Number(
      (await tdb.db.sql`select count(*) from ${
        tdb.db.sql(table)
      } where instance_id = ${instance.id}`)[0]!.count,
    );
  assert.ok(await count("public.snow_records") > 0);
  const res = await call(owner.token, "DELETE", `/${instance.id}`);
  assert.equal(res.status, 204);
  for (const table of ["public.snow_records", "public.sync_runs", "public.instance_tables"]) {
    assert.equal(await count(table), 0, `${table} kept rows`);
  }
  assertError(await call(owner.token, "GET", `/${instance.id}`), 404);
});

Deno.test("credentials appear in no response and no log line", () => {
  // Runs last: every request above has been captured.
  const everything = [...responses, ...lines].join("\n");
  assert.ok(responses.length > 20 && lines.length > 20);
  for (
    const secret of [
      PASSWORD,
      "wrong-password",
      "rotated-secret-1",
      btoa(`complianceiq.integration:${PASSWORD}`),
    ]
  ) {
    assert.ok(!everything.includes(secret), `found a credential: ${secret.slice(0, 3)}…`);
  }
});
