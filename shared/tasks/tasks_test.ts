import assert from "node:assert/strict";
import { z } from "zod";
import { createTestAuth, createTestDatabase } from "../../scripts/testing/mod.ts";
import { createLogger } from "../log/mod.ts";
import {
  createInProcessTaskClient,
  createTaskRegistry,
  defineTask,
  PermanentTaskError,
} from "./mod.ts";
import { describeTaskError } from "./errors.ts";

const tdb = await createTestDatabase();
const auth = await createTestAuth();
Deno.test.afterAll(() => tdb.close());
const owner = await auth.createUser(tdb.db, { orgName: "Unit Tasks" });
const orgId = owner.orgId!;
const log = createLogger({ level: "silent" });

Deno.test("defineTask() refuses kinds that are not dotted lowercase names", () => {
  const handler = () => Promise.resolve();
  assert.throws(
    () => defineTask({ kind: "Sync", payload: z.object({}), handler }),
    /Cannot define task "Sync"/,
  );
  assert.throws(() => defineTask({ kind: "sync", payload: z.object({}), handler }), /dotted/);
  assert.throws(
    () => defineTask({ kind: "a.b", payload: z.object({}), retries: -1, handler }),
    /retries must be a whole number/,
  );
  assert.equal(
    defineTask({ kind: "servicenow.sync", payload: z.object({}), handler }).kind,
    "servicenow.sync",
  );
});

Deno.test("createTaskRegistry() refuses two definitions of one kind", () => {
  const handler = () => Promise.resolve();
  const a = defineTask({ kind: "x.one", payload: z.object({}), handler });
  const b = defineTask({ kind: "x.one", payload: z.object({}), handler });
  const registry = createTaskRegistry([a]);
  registry.add(a);
  assert.throws(() => registry.add(b), /another task has that kind/);
  assert.deepEqual(registry.kinds, ["x.one"]);
});

Deno.test("describeTaskError() shows our messages and hides database internals", () => {
  assert.deepEqual(
    describeTaskError(new PermanentTaskError("Cannot sync: gone", { code: "gone" })),
    {
      message: "Cannot sync: gone",
      code: "gone",
    },
  );
  assert.deepEqual(
    describeTaskError(Object.assign(new Error('relation "secret_table" does not exist'), {
      severity: "ERROR",
      code: "42P01",
    })),
    { message: "A database error interrupted the job (SQLSTATE 42P01)", code: "database_error" },
  );
  assert.equal(describeTaskError(new TypeError("bad")).message, "TypeError: bad");
});

Deno.test("the in-process client runs jobs on drain(), retrying and dead-lettering like QStash", async (t) => {
  const tasks = createInProcessTaskClient({ db: tdb.db, log, defaultRetries: 2 });
  let calls = 0;
  const sometimes = defineTask({
    kind: "unit.sometimes",
    payload: z.object({ fail: z.number().int() }),
    handler(ctx, { fail }) {
      calls++;
      if (ctx.job.attempt <= fail) return Promise.reject(new Error("Cannot do it yet"));
      return Promise.resolve(ctx.done({ attempt: ctx.job.attempt }));
    },
  });
  await t.step("a job that fails once succeeds on its retry", async () => {
    const job = await tasks.enqueue(sometimes, { fail: 1 }, { orgId });
    assert.equal(tasks.pending.length, 1);
    const report = await tasks.drain();
    assert.deepEqual(report.outcomes.map((o) => o.status), ["failed", "succeeded"]);
    const [row] = await tdb.db.sql`select status, result from public.jobs where id = ${job.id}`;
    assert.equal(row?.status, "succeeded");
    assert.deepEqual(row?.result, { attempt: 2 });
  });
  await t.step("a job that keeps failing is failed and dead-lettered", async () => {
    const job = await tasks.enqueue(sometimes, { fail: 99 }, { orgId });
    await tasks.drain();
    const [row] = await tdb.db.sql`select status, error from public.jobs where id = ${job.id}`;
    assert.equal(row?.status, "failed");
    assert.equal(row?.error, "Cannot do it yet");
    assert.equal(tasks.deadLetters.length, 1);
  });
  await t.step("a permanent error fails the job without retrying", async () => {
    const refusing = defineTask({
      kind: "unit.refusing",
      payload: z.object({}),
      handler: () =>
        Promise.reject(
          new PermanentTaskError("Cannot continue: no instance", { code: "no_instance" }),
        ),
    });
    const job = await tasks.enqueue(refusing, {}, { orgId });
    const report = await tasks.drain();
    assert.deepEqual(report.outcomes.map((o) => o.status), ["rejected"]);
    const [row] = await tdb.db.sql`select status, error_code from public.jobs where id = ${job.id}`;
    assert.equal(row?.status, "failed");
    assert.equal(row?.error_code, "no_instance");
  });
  await t.step("fire() runs a schedule's job", async () => {
    await tasks.schedules.upsert({
      id: "unit-nightly",
      task: sometimes,
      payload: { fail: 0 },
      cron: "0 2 * * *",
      orgId,
      subject: "nightly",
    });
    await tasks.fire("unit-nightly");
    await tasks.drain();
    const [row] = await tdb.db.sql`
      select status, subject from public.jobs where schedule_id = 'unit-nightly'`;
    assert.deepEqual({ ...row }, { status: "succeeded", subject: "nightly" });
  });
  assert.ok(calls > 0);
});

Deno.test("progress() reports are saved while the handler runs and kept at the end", async () => {
  const tasks = createInProcessTaskClient({ db: tdb.db, log });
  const reporting = defineTask({
    kind: "unit.reporting",
    payload: z.object({}),
    async handler(ctx) {
      ctx.progress(0.25, "Reading tables", { tables: 1 });
      await new Promise((resolve) => setTimeout(resolve, 700));
      const [mid] = await ctx.tx((tx) =>
        tx`select progress, progress_message, counters from public.jobs where id = ${ctx.job.id}`
      );
      ctx.progress(0.9, "Almost there", { records: 12 });
      return ctx.done({ seenMidway: { ...mid, progress: Number(mid?.progress) } });
    },
  });
  const job = await tasks.enqueue(reporting, {}, { orgId });
  await tasks.drain();
  const [row] = await tdb.db.sql`
    select status, progress, progress_message, counters, result from public.jobs where id = ${job.id}`;
  assert.deepEqual(row?.result, {
    seenMidway: { progress: 0.25, progress_message: "Reading tables", counters: { tables: 1 } },
  });
  assert.equal(row?.status, "succeeded");
  assert.equal(Number(row?.progress), 1);
  assert.equal(row?.progress_message, "Almost there");
  assert.deepEqual(row?.counters, { tables: 1, records: 12 });
});
