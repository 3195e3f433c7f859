// The QStash callback endpoint: what it accepts (signed by QStash for exactly
// this URL and body), what it refuses, and how it keeps redeliveries harmless.
import assert from "node:assert/strict";
import { signDelivery } from "../../scripts/qstash_server/mod.ts";
import type { TaskMessage } from "../../shared/tasks/mod.ts";
import { countLongTask, handlerRuns, startTaskTestStack } from "./_test_stack.ts";

const stack = await startTaskTestStack();
Deno.test.afterAll(() => stack.close());
const { services, tdb, auth } = stack;
const owner = await auth.createUser(tdb.db, { orgName: "Signed Deliveries Inc" });
const orgId = owner.orgId!;

interface Delivery {
  body: string;
  messageId?: string;
  retried?: number;
  key?: string;
  url?: string;
  signedBody?: string;
  now?: number;
  signature?: string | null;
}

async function deliver(delivery: Delivery) {
  const headers: Record<string, string> = {
    "content-type": "application/json",
    "upstash-message-id": delivery.messageId ?? `msg_test_${crypto.randomUUID()}`,
    "upstash-retried": String(delivery.retried ?? 0),
  };
  const signature = delivery.signature === undefined
    ? await signDelivery({
      key: delivery.key ?? stack.qstash.currentSigningKey,
      url: delivery.url ?? stack.callbackUrl,
      body: new TextEncoder().encode(delivery.signedBody ?? delivery.body),
      now: delivery.now,
    })
    : delivery.signature;
  if (signature !== null) headers["upstash-signature"] = signature;
  const res = await stack.app.request("http://internal/tasks/qstash", {
    method: "POST",
    headers,
    body: delivery.body,
  });
  return { status: res.status, body: await res.json() };
}

/** A job that QStash will not deliver by itself (an hour's delay), and its message body. */
async function parkedJob(upTo = 3): Promise<{ jobId: string; body: string }> {
  const job = await services.tasks.enqueue(countLongTask, { up_to: upTo }, { orgId, delay: 3600 });
  const message: TaskMessage = {
    v: 1,
    type: "job",
    jobId: job.id,
    orgId,
    kind: countLongTask.kind,
    segment: 0,
    maxRetries: 3,
  };
  return { jobId: job.id, body: JSON.stringify(message) };
}

const jobStatus = async (jobId: string) =>
  (await tdb.db.asService((tx) =>
    tx<{ status: string; error_code: string | null; attempts: number }[]>`
      select status, error_code, attempts from public.jobs where id = ${jobId}`
  ))[0]!;

const securityEvents = () =>
  stack.logs.filter((line) => line.includes('"event":"security.qstash_delivery_rejected"'));

Deno.test("the endpoint refuses deliveries not signed by QStash for it, with 401 and a security log", async (t) => {
  const { jobId, body } = await parkedJob();
  const before = securityEvents().length;
  const cases: [string, Delivery][] = [
    ["no signature", { body, signature: null }],
    ["a signature made with a wrong key", { body, key: "sig_attackers_own_key" }],
    ["a body modified after signing", {
      body: body.replace('"segment":0', '"segment":1'),
      signedBody: body,
    }],
    ["a signature for another URL", { body, url: `${stack.url}/functions/v1/other/qstash` }],
    ["an expired signature", { body, now: Math.floor(Date.now() / 1000) - 3600 }],
    ["garbage instead of a JWT", { body, signature: "not.a.jwt" }],
  ];
  for (const [what, delivery] of cases) {
    await t.step(`${what}`, async () => {
      const res = await deliver(delivery);
      assert.equal(res.status, 401);
      assert.equal(res.body.error.code, "invalid_signature");
    });
  }
  assert.equal(
    securityEvents().length - before,
    cases.length,
    "each one logged as a security event",
  );
  assert.equal(handlerRuns.get(jobId), undefined, "the handler never ran");
  assert.equal((await jobStatus(jobId)).status, "queued");
});

Deno.test("a delivery signed with the next signing key is accepted (key rotation)", async () => {
  const { jobId, body } = await parkedJob();
  const res = await deliver({ body, key: stack.qstash.nextSigningKey });
  assert.equal(res.status, 200, JSON.stringify(res.body));
  assert.equal(res.body.data.status, "succeeded");
  assert.equal((await jobStatus(jobId)).status, "succeeded");
});

Deno.test("a redelivered message, or another message for the same work, runs the handler once", async (t) => {
  const { jobId, body } = await parkedJob();
  const messageId = `msg_test_${crypto.randomUUID()}`;
  await t.step("the first delivery runs", async () => {
    const res = await deliver({ body, messageId });
    assert.equal(res.status, 200);
    assert.equal(res.body.data.status, "succeeded");
  });
  await t.step("the same message again is acknowledged without running", async () => {
    const res = await deliver({ body, messageId, retried: 1 });
    assert.equal(res.status, 200);
    assert.equal(res.body.data.status, "duplicate");
    assert.equal(res.body.data.reason, "message already processed");
  });
  await t.step("another message for the same segment is acknowledged without running", async () => {
    const res = await deliver({ body });
    assert.equal(res.status, 200);
    assert.equal(res.body.data.status, "duplicate");
    assert.equal(res.body.data.reason, "job already succeeded");
  });
  assert.equal(handlerRuns.get(jobId), 1);
  assert.equal((await jobStatus(jobId)).attempts, 1);
});

Deno.test("two deliveries of the same work at the same moment run it once", async () => {
  const { jobId, body } = await parkedJob(20);
  const results = await Promise.all([deliver({ body }), deliver({ body }), deliver({ body })]);
  assert.deepEqual(results.map((r) => r.status), [200, 200, 200]);
  assert.deepEqual(results.map((r) => r.body.data.status).sort(), [
    "duplicate",
    "duplicate",
    "succeeded",
  ]);
  assert.equal(handlerRuns.get(jobId), 1);
  const [row] = await tdb.db.asService((tx) =>
    tx<{ count: number }[]>`
      select count(*)::int as count from test_support.effects where job_id = ${jobId}`
  );
  assert.equal(row?.count, 20, "every step applied exactly once");
});

Deno.test("a job whose payload fails its schema is failed at once and acknowledged", async () => {
  const [job] = await tdb.db.asService((tx) =>
    tx<{ id: string }[]>`
      insert into public.jobs (org_id, kind, payload) values
        (${orgId}, ${countLongTask.kind}, ${tx.json({ up_to: "lots" })}) returning id`
  );
  const body = JSON.stringify({
    v: 1,
    type: "job",
    jobId: job!.id,
    orgId,
    kind: countLongTask.kind,
    segment: 0,
    maxRetries: 3,
  });
  const res = await deliver({ body });
  assert.equal(res.status, 200, "retrying cannot fix it, so QStash must not retry");
  assert.equal(res.body.data.status, "rejected");
  const status = await jobStatus(job!.id);
  assert.equal(status.status, "failed");
  assert.equal(status.error_code, "invalid_payload");
});

Deno.test("an unknown task kind answers 5xx so QStash retries, and fails the job at the last retry", async () => {
  const [job] = await tdb.db.asService((tx) =>
    tx<{ id: string }[]>`
      insert into public.jobs (org_id, kind, payload, max_retries) values
        (${orgId}, 'test.not_deployed_yet', '{}', 2) returning id`
  );
  const body = JSON.stringify({
    v: 1,
    type: "job",
    jobId: job!.id,
    orgId,
    kind: "test.not_deployed_yet",
    segment: 0,
    maxRetries: 2,
  });
  const first = await deliver({ body, retried: 0 });
  assert.equal(first.status, 500);
  assert.equal((await jobStatus(job!.id)).status, "queued");
  const last = await deliver({ body, retried: 2 });
  assert.equal(last.status, 500);
  assert.equal(last.body.error.code, "task_failed");
  const status = await jobStatus(job!.id);
  assert.equal(status.status, "failed");
  assert.equal(status.error_code, "unknown_task_kind");
});

Deno.test("a signed body that is not a task message is answered 400", async () => {
  const res = await deliver({ body: JSON.stringify({ v: 1, type: "job", jobId: "nope" }) });
  assert.equal(res.status, 400);
  assert.equal(res.body.error.code, "validation_failed");
  const malformed = await deliver({ body: "{not json" });
  assert.equal(malformed.status, 400);
  assert.equal(malformed.body.error.code, "malformed_json");
});
