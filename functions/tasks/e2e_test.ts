// Background work end to end: the task client publishes to the QStash stand-in,
// which delivers over HTTP, signed, to the tasks endpoint, which runs the
// handler under worker claims and records everything on the job.
import assert from "node:assert/strict";
import { waitFor } from "../../scripts/testing/mod.ts";
import { probeChecksum, probeTask, reapStaleJobs } from "../../shared/tasks/mod.ts";
import {
  countChunkedTask,
  countLongTask,
  failingTask,
  flakyTask,
  handlerRuns,
  startTaskTestStack,
} from "./_test_stack.ts";

const stack = await startTaskTestStack();
Deno.test.afterAll(() => stack.close());
const { services, tdb, auth } = stack;
const owner = await auth.createUser(tdb.db, { orgName: "Background Co" });
const orgId = owner.orgId!;

const deliveriesOf = (jobId: string) =>
  tdb.db.asService((tx) =>
    tx<
      { message_id: string; segment: number; retried: number; attempts: number; status: string }[]
    >`
      select message_id, segment, retried, attempts, status from public.job_deliveries
      where job_id = ${jobId} order by segment, received_at`
  );
const messageIdOf = async (jobId: string) =>
  (await tdb.db.asService((tx) =>
    tx<{ message_id: string }[]>`select message_id from public.jobs where id = ${jobId}`
  ))[0]!.message_id;
const effectsOf = async (jobId: string) =>
  (await tdb.db.asService((tx) =>
    tx<{ n: number }[]>`select n from test_support.effects where job_id = ${jobId} order by n`
  )).map((row) => row.n);

Deno.test("an enqueued job is delivered through QStash, runs once and records its result", async () => {
  const queued = await services.tasks.enqueue(probeTask, { items: 40, batch: 10 }, {
    orgId,
    subject: "probe",
    actorUserId: owner.id,
  });
  assert.equal(queued.status, "queued");
  assert.equal(queued.actor_user_id, owner.id);
  const job = await stack.waitForJob(queued.id);
  assert.equal(job.status, "succeeded");
  assert.deepEqual(job.result, { items: 40, checksum: probeChecksum(40) });
  assert.equal(job.progress, 1);
  assert.equal(job.progress_message, "Processed 40 of 40 items");
  assert.deepEqual(job.counters, { processed: 40 });
  assert.ok(job.started_at && job.finished_at);
  const deliveries = await deliveriesOf(job.id);
  assert.deepEqual(deliveries.map((d) => d.status), ["succeeded"]);
});

Deno.test("a failing handler answers 5xx, is retried by QStash, and succeeds on a later attempt", async () => {
  const queued = await services.tasks.enqueue(flakyTask, { fail_times: 2 }, { orgId, retries: 3 });
  const job = await stack.waitForJob(queued.id);
  assert.equal(job.status, "succeeded");
  assert.deepEqual(job.result, { attempts: 3 });
  assert.equal(job.attempts, 3);
  assert.equal(job.error, null, "the last attempt's success clears the error");
  assert.equal(handlerRuns.get(job.id), 3);
  const [delivery] = await deliveriesOf(job.id);
  assert.equal(delivery!.attempts, 3);
  assert.equal(delivery!.retried, 2);
  assert.equal(delivery!.status, "succeeded");
});

Deno.test("after the last retry the job is failed with its error, and the message is dead-lettered", async () => {
  const queued = await services.tasks.enqueue(failingTask, {}, { orgId, retries: 2 });
  const job = await stack.waitForJob(queued.id);
  assert.equal(job.status, "failed");
  assert.equal(job.error, "Cannot reach the instance: connection refused");
  assert.equal(job.error_code, "task_failed");
  assert.equal(job.attempts, 3, "the first attempt and two retries");
  assert.equal(handlerRuns.get(job.id), 3);
  // The endpoint records the failure before it answers 500; the stand-in dead-letters
  // the message once that answer arrives, so the entry may follow a moment later.
  const messageId = await messageIdOf(queued.id);
  const messages = await waitFor("the message in the dead-letter queue", async () => {
    const page = await stack.client.dlq.listMessages({ filter: { messageId } });
    return page.messages.length > 0 && page.messages;
  });
  assert.equal(messages.length, 1, "the message is in the dead-letter queue once");
  assert.equal(messages[0]!.responseStatus, 500);
  assert.match(messages[0]!.responseBody ?? "", /connection refused/);
  const [delivery] = await deliveriesOf(job.id);
  assert.equal(delivery!.status, "failed");
});

Deno.test("a job continued across many chunks ends exactly like one long run", async () => {
  const chunked = await services.tasks.enqueue(countChunkedTask, { up_to: 25 }, { orgId });
  const long = await services.tasks.enqueue(countLongTask, { up_to: 25 }, { orgId });
  const [a, b] = await Promise.all([stack.waitForJob(chunked.id), stack.waitForJob(long.id)]);
  assert.equal(a.status, "succeeded");
  assert.equal(b.status, "succeeded");
  assert.deepEqual(a.result, b.result);
  assert.deepEqual(a.result, {
    sum: Array.from({ length: 25 }, (_, i) => i * i).reduce((x, y) => x + y),
    counted: 25,
  });
  assert.deepEqual(a.counters, b.counters);
  assert.equal(a.progress_message, b.progress_message);
  const expected = Array.from({ length: 25 }, (_, n) => n);
  assert.deepEqual(await effectsOf(a.id), expected);
  assert.deepEqual(await effectsOf(b.id), expected);
  assert.equal(a.segment, 24, "one delivery per step: 25 deliveries");
  assert.equal(b.segment, 0, "one delivery for everything");
  assert.equal(handlerRuns.get(a.id), 25);
  const deliveries = await deliveriesOf(a.id);
  assert.deepEqual(deliveries.map((d) => d.segment), Array.from({ length: 25 }, (_, i) => i));
  assert.ok(deliveries.every((d) => d.status === "succeeded"));
});

Deno.test("a delivery that died mid-job is resumed from its last saved cursor by the redelivery", async () => {
  const queued = await services.tasks.enqueue(countLongTask, { up_to: 12 }, {
    orgId,
    delay: 3600,
  });
  const firstMessageId = await messageIdOf(queued.id);
  // What a process killed during segment 0 leaves behind: 5 steps committed,
  // the job still marked running under its lease, the delivery marked running.
  const dead = crypto.randomUUID();
  await tdb.db.asService(async (tx) => {
    for (let n = 0; n < 5; n++) {
      await tx`insert into test_support.effects (job_id, n) values (${queued.id}, ${n})`;
    }
    await tx`update public.jobs set status = 'running', attempts = 1,
               cursor = ${tx.json({ next: 5, sum: 30 })}, lease_token = ${dead},
               lease_until = now() + interval '1 second', started_at = now()
             where id = ${queued.id}`;
    await tx`insert into public.job_deliveries (message_id, org_id, job_id, segment, status)
             values (${firstMessageId}, ${orgId}, ${queued.id}, 0, 'running')`;
  });
  // QStash redelivers the same message; it waits out the dead lease.
  await stack.client.messages.cancel(firstMessageId);
  const { messageId } = await stack.services.tasks.transport.publish({
    body: {
      v: 1,
      type: "job",
      jobId: queued.id,
      orgId,
      kind: countLongTask.kind,
      segment: 0,
      maxRetries: 3,
    },
    retries: 3,
  });
  const job = await stack.waitForJob(queued.id);
  assert.equal(job.status, "succeeded");
  assert.deepEqual(job.result, {
    sum: Array.from({ length: 12 }, (_, i) => i * i).reduce((x, y) => x + y),
    counted: 12,
  });
  assert.deepEqual(await effectsOf(job.id), Array.from({ length: 12 }, (_, n) => n));
  assert.equal(job.attempts, 2);
  const deliveries = await deliveriesOf(job.id);
  assert.deepEqual(
    deliveries.map((d) => [d.message_id === messageId, d.status]).sort(),
    [[false, "running"], [true, "succeeded"]],
  );
});

Deno.test("a cron schedule starts a job at each firing and skips one while the last is running", async (t) => {
  const start = Date.parse("2026-06-01T10:01:00Z");
  stack.setClock(start);
  try {
    const info = await services.tasks.schedules.upsert({
      id: "test-count-every-15",
      task: countLongTask,
      payload: { up_to: 3 },
      cron: "*/15 * * * *",
      orgId,
      subject: "instance-1",
    });
    assert.equal(info.nextRunAt?.toISOString(), "2026-06-01T10:15:00.000Z");
    const jobsOfSchedule = () =>
      tdb.db.asService((tx) =>
        tx<{ id: string; status: string }[]>`
          select id, status from public.jobs where schedule_id = 'test-count-every-15'
          order by created_at`
      );

    await t.step("the firing at 10:15 creates and runs a job", async () => {
      stack.setClock(Date.parse("2026-06-01T10:15:00Z"));
      await stack.qstash.processDue();
      const [job] = await waitFor("the scheduled job", async () => {
        const jobs = await jobsOfSchedule();
        return jobs.length > 0 && jobs;
      });
      const done = await stack.waitForJob(job!.id);
      assert.equal(done.status, "succeeded");
      assert.equal(done.subject, "instance-1");
    });
    await t.step("the firing at 10:30 is skipped while another run is active", async () => {
      const blocker = await services.tasks.enqueue(countLongTask, { up_to: 1 }, {
        orgId,
        subject: "instance-1",
        delay: 3600,
      });
      stack.setClock(Date.parse("2026-06-01T10:30:00Z"));
      await stack.qstash.processDue();
      await waitFor(
        "the skipped firing",
        () => stack.logs.some((l) => l.includes("scheduled run skipped")),
      );
      assert.equal((await jobsOfSchedule()).length, 1);
      await services.tasks.cancel({ sub: owner.id, role: "authenticated" }, blocker.id);
    });
    await t.step("the firing at 10:45 runs again, and removing the schedule stops it", async () => {
      stack.setClock(Date.parse("2026-06-01T10:45:00Z"));
      await stack.qstash.processDue();
      const jobs = await waitFor("the second scheduled job", async () => {
        const jobs = await jobsOfSchedule();
        return jobs.length > 1 && jobs;
      });
      assert.equal(jobs.length, 2);
      await stack.waitForJob(jobs[1]!.id);
      assert.equal(await services.tasks.schedules.remove("test-count-every-15"), true);
      assert.equal(await services.tasks.schedules.get("test-count-every-15"), null);
      assert.equal(await services.tasks.schedules.remove("test-count-every-15"), false);
    });
  } finally {
    stack.setClock(null);
  }
});

Deno.test("the dispatcher's system schedule fires every minute and starts a due scheduled sync", async () => {
  await tdb.db.sql`update public.organizations set plan = 'basic' where id = ${orgId}`;
  const [instance] = await tdb.db.sql<{ id: string }[]>`
    insert into public.instances (org_id, name, url, auth_type, credentials, sync_cron,
                                  next_sync_at)
    values (${orgId}, 'Due', 'https://due.service-now.com', 'basic', '{}', '0 2 * * *',
            now() - interval '1 minute')
    returning id`;
  const start = Date.parse("2026-06-02T09:00:30Z");
  stack.setClock(start);
  try {
    await services.tasks.ensureSystemSchedules();
    stack.setClock(Date.parse("2026-06-02T09:01:00Z"));
    await stack.qstash.processDue();
    const [job] = await waitFor("the scheduled sync's job", async () => {
      const jobs = await tdb.db.asService((tx) =>
        tx<{ id: string; payload: { trigger: string } }[]>`
          select id, payload from public.jobs
          where kind = 'servicenow.sync' and subject = ${instance!.id}`
      );
      return jobs.length > 0 && jobs;
    });
    assert.equal(job!.payload.trigger, "schedule");
    await services.tasks.cancel({ sub: owner.id, role: "authenticated" }, job!.id)
      .catch(() => {});
  } finally {
    stack.setClock(null);
  }
});

Deno.test("the reaper re-enqueues a job whose message was lost and fails one whose message died", async () => {
  // Lost: the job exists but its message never reached the queue.
  const lost = await tdb.db.asService((tx) =>
    tx<{ id: string }[]>`
      insert into public.jobs (org_id, kind, payload, max_retries)
      values (${orgId}, ${countLongTask.kind}, ${tx.json({ up_to: 2 })}, 2) returning id`
  );
  // Died: its message ran out of retries without the endpoint recording it.
  stack.services.log.info("publishing a message that will die");
  const { messageId } = await stack.client.publishJSON({
    url: `${stack.url}/nowhere`,
    body: {},
    retries: 0,
  });
  await new Promise((resolve) => setTimeout(resolve, 200));
  await stack.qstash.processDue();
  const died = await tdb.db.asService((tx) =>
    tx<{ id: string }[]>`
      insert into public.jobs (org_id, kind, payload, message_id)
      values (${orgId}, ${countLongTask.kind}, ${tx.json({ up_to: 2 })}, ${messageId}) returning id`
  );
  const report = await reapStaleJobs({ ...stack.runner, staleAfterMs: 0 });
  assert.ok(report.republished >= 1 && report.failed >= 1, JSON.stringify(report));
  const revived = await stack.waitForJob(lost[0]!.id);
  assert.equal(revived.status, "succeeded");
  const failed = await stack.waitForJob(died[0]!.id);
  assert.equal(failed.status, "failed");
  assert.equal(failed.error_code, "delivery_failed");
});

Deno.test("enqueue() refuses a payload its task's schema rejects, creating nothing", async () => {
  await assert.rejects(
    services.tasks.enqueue(probeTask, { items: 0 } as never, { orgId }),
    /Cannot queue "tasks.probe": invalid payload/,
  );
});

Deno.test("enqueue() with the same dedupId returns the first job instead of a second", async () => {
  const first = await services.tasks.enqueue(countLongTask, { up_to: 1 }, {
    orgId,
    dedupId: "report-2026-06",
  });
  const again = await services.tasks.enqueue(countLongTask, { up_to: 1 }, {
    orgId,
    dedupId: "report-2026-06",
  });
  assert.equal(again.id, first.id);
  await stack.waitForJob(first.id);
  const [row] = await tdb.db.asService((tx) =>
    tx<{ count: number }[]>`select count(*)::int as count from public.jobs
                            where dedup_key = 'report-2026-06'`
  );
  assert.equal(row?.count, 1);
});
