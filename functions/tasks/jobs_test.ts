// The jobs API: list, get, deliveries, cancel, live progress (SSE) and the
// probe, with the in-process task queue (`services.tasks.drain()` delivers).
import assert from "node:assert/strict";
import { createTestAuth, createTestDatabase } from "../../scripts/testing/mod.ts";
import { createTestServices } from "../../scripts/testing/services.ts";
import { probeChecksum, probeTask } from "../../shared/tasks/mod.ts";
import { createTasksApp } from "./app.ts";

const tdb = await createTestDatabase();
const auth = await createTestAuth();
const services = createTestServices(tdb.db, auth, {
  PUBLIC_URL: "http://localhost:8000",
  QSTASH_CURRENT_SIGNING_KEY: "sig_test_current",
  QSTASH_NEXT_SIGNING_KEY: "sig_test_next",
  TASKS_SSE_POLL_MS: "50",
});
const app = createTasksApp(services);
Deno.test.afterAll(() => tdb.close());

const owner = await auth.createUser(tdb.db, { orgName: "Jobs Org" });
const orgId = owner.orgId!;
const analyst = await auth.createUser(tdb.db);
const viewer = await auth.createUser(tdb.db);
await tdb.db.sql`insert into public.memberships (org_id, user_id, role) values
  (${orgId}, ${analyst.id}, 'analyst'), (${orgId}, ${viewer.id}, 'viewer')`;
const outsider = await auth.createUser(tdb.db, { orgName: "Someone Else" });

async function call(token: string | null, method: string, path: string, body?: unknown) {
  const headers: Record<string, string> = {};
  if (token) headers.authorization = `Bearer ${token}`;
  if (body !== undefined) headers["content-type"] = "application/json";
  const res = await app.request(`http://localhost/tasks${path}`, {
    method,
    headers,
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : null };
}

const startProbe = async (items = 10, extra: Record<string, number> = {}) => {
  const res = await call(owner.token, "POST", "/probe", { org_id: orgId, items, ...extra });
  assert.equal(res.status, 202, JSON.stringify(res.body));
  return res.body.data as { id: string; status: string };
};

Deno.test("POST /tasks/probe starts a diagnostic job for admins only", async () => {
  const job = await startProbe(25, { batch: 5 });
  assert.equal(job.status, "queued");
  const refused = await call(viewer.token, "POST", "/probe", { org_id: orgId, items: 5 });
  assert.equal(refused.status, 403);
  assert.equal(refused.body.error.code, "insufficient_role");
  const foreign = await call(outsider.token, "POST", "/probe", { org_id: orgId, items: 5 });
  assert.equal(foreign.status, 404);
  const invalid = await call(owner.token, "POST", "/probe", { org_id: orgId, items: 0 });
  assert.equal(invalid.status, 400);
  await services.tasks.drain();
  const done = await call(viewer.token, "GET", `/jobs/${job.id}`);
  assert.equal(done.body.data.status, "succeeded");
  assert.deepEqual(done.body.data.result, { items: 25, checksum: probeChecksum(25) });
});

Deno.test("GET /tasks/jobs lists an organization's jobs newest first, filtered and paged", async (t) => {
  const a = await startProbe(3);
  const b = await startProbe(3);
  const c = await startProbe(3);
  await t.step("to any member", async () => {
    const res = await call(viewer.token, "GET", `/jobs?org_id=${orgId}&status=active&limit=2`);
    assert.equal(res.status, 200);
    assert.deepEqual(res.body.data.map((j: { id: string }) => j.id), [c.id, b.id]);
    assert.ok(res.body.next_cursor);
    const next = await call(
      viewer.token,
      "GET",
      `/jobs?org_id=${orgId}&status=active&limit=2&cursor=${res.body.next_cursor}`,
    );
    assert.deepEqual(next.body.data.map((j: { id: string }) => j.id), [a.id]);
    assert.equal(next.body.next_cursor, null);
  });
  await t.step("filtered by kind and status", async () => {
    const res = await call(
      viewer.token,
      "GET",
      `/jobs?org_id=${orgId}&kind=tasks.probe&status=queued`,
    );
    assert.equal(res.body.data.length, 3);
    const none = await call(viewer.token, "GET", `/jobs?org_id=${orgId}&kind=servicenow.sync`);
    assert.deepEqual(none.body.data, []);
  });
  await t.step("never to another organization's members", async () => {
    const res = await call(outsider.token, "GET", `/jobs?org_id=${orgId}`);
    assert.equal(res.status, 404);
    const own = await call(outsider.token, "GET", `/jobs?org_id=${outsider.orgId}`);
    assert.deepEqual(own.body.data, []);
  });
  await t.step("refusing a missing org_id or a bad cursor", async () => {
    assert.equal((await call(viewer.token, "GET", "/jobs")).status, 400);
    assert.equal((await call(viewer.token, "GET", `/jobs?org_id=${orgId}&cursor=x`)).status, 400);
  });
  await services.tasks.drain();
});

Deno.test("GET /tasks/jobs/:jobId and its deliveries are visible to members only", async () => {
  const job = await startProbe(4);
  await services.tasks.drain();
  const res = await call(viewer.token, "GET", `/jobs/${job.id}`);
  assert.equal(res.status, 200);
  assert.equal(res.body.data.kind, "tasks.probe");
  assert.equal(res.body.data.subject, "probe");
  assert.equal(res.body.data.actor_user_id, owner.id);
  assert.ok(!("payload" in res.body.data) && !("lease_token" in res.body.data));
  const deliveries = await call(viewer.token, "GET", `/jobs/${job.id}/deliveries`);
  assert.deepEqual(deliveries.body.data.map((d: { status: string }) => d.status), ["succeeded"]);
  assert.equal((await call(outsider.token, "GET", `/jobs/${job.id}`)).status, 404);
  assert.equal((await call(outsider.token, "GET", `/jobs/${job.id}/deliveries`)).status, 404);
  assert.equal((await call(viewer.token, "GET", `/jobs/${crypto.randomUUID()}`)).status, 404);
  assert.equal((await call(viewer.token, "GET", "/jobs/not-a-uuid")).status, 400);
  assert.equal((await call(null, "GET", `/jobs/${job.id}`)).status, 401);
});

Deno.test("POST /tasks/jobs/:jobId/cancel stops a queued job for analysts and up", async (t) => {
  const job = await startProbe(5);
  await t.step("not for a viewer or an outsider", async () => {
    const refused = await call(viewer.token, "POST", `/jobs/${job.id}/cancel`);
    assert.equal(refused.status, 403);
    assert.equal((await call(outsider.token, "POST", `/jobs/${job.id}/cancel`)).status, 404);
  });
  await t.step("an analyst cancels it and its queued message is dropped", async () => {
    const res = await call(analyst.token, "POST", `/jobs/${job.id}/cancel`);
    assert.equal(res.status, 200);
    assert.equal(res.body.data.status, "cancelled");
    assert.equal(res.body.data.cancelled_by, analyst.id);
    assert.ok(res.body.data.finished_at);
    assert.ok(!services.tasks.pending.some((m) => "jobId" in m.body && m.body.jobId === job.id));
  });
  await t.step("a finished job cannot be cancelled", async () => {
    const again = await call(analyst.token, "POST", `/jobs/${job.id}/cancel`);
    assert.equal(again.status, 409);
    assert.equal(again.body.error.code, "job_finished");
  });
});

Deno.test("cancelling a running job stops it at its next checkpoint", async () => {
  const job = await startProbe(200, { item_delay_ms: 5, batch: 1 });
  const draining = services.tasks.drain();
  for (let i = 0; i < 400; i++) {
    const now = await call(owner.token, "GET", `/jobs/${job.id}`);
    if (now.body.data.progress > 0) break;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  const res = await call(analyst.token, "POST", `/jobs/${job.id}/cancel`);
  assert.equal(res.status, 200);
  const report = await draining;
  assert.ok(report.outcomes.some((o) => o.status === "cancelled"));
  const after = await call(owner.token, "GET", `/jobs/${job.id}`);
  assert.equal(after.body.data.status, "cancelled");
  assert.ok(after.body.data.progress < 1, "it stopped before the end");
});

Deno.test("GET /tasks/jobs/:jobId/events streams progress until the job ends", async (t) => {
  const job = await startProbe(30, { batch: 3, item_delay_ms: 2 });
  const open = async (init: { token?: string; query?: string }) => {
    const res = await app.request(
      `http://localhost/tasks/jobs/${job.id}/events${init.query ?? ""}`,
      {
        headers: init.token ? { authorization: `Bearer ${init.token}` } : {},
      },
    );
    assert.equal(res.status, 200);
    assert.match(res.headers.get("content-type") ?? "", /text\/event-stream/);
    return res;
  };
  const events = async (res: Response) => {
    const text = await res.text();
    return text.split("\n\n").filter(Boolean).map((chunk) => {
      const event = /^event: (.*)$/m.exec(chunk)?.[1];
      const data = /^data: (.*)$/m.exec(chunk)?.[1];
      return { event, data: data ? JSON.parse(data) : null };
    });
  };
  await t.step("with the Authorization header", async () => {
    const stream = await open({ token: viewer.token });
    const [received] = await Promise.all([events(stream), services.tasks.drain()]);
    const jobs = received.filter((e) => e.event === "job").map((e) => e.data);
    assert.equal(jobs[0].status, "queued");
    assert.equal(jobs.at(-1).status, "succeeded");
    assert.equal(jobs.at(-1).progress, 1);
    const progress = jobs.map((j) => j.progress);
    assert.deepEqual(progress, [...progress].sort((x, y) => x - y), "progress only grows");
    assert.deepEqual(received.at(-1), { event: "end", data: { status: "succeeded" } });
  });
  await t.step("with ?access_token= for EventSource", async () => {
    const received = await events(await open({ query: `?access_token=${viewer.token}` }));
    assert.deepEqual(received.map((e) => e.event), ["job", "end"]);
  });
  await t.step("not without a token, nor for another organization", async () => {
    const res = await app.request(`http://localhost/tasks/jobs/${job.id}/events`);
    assert.equal(res.status, 401);
    const foreign = await app.request(
      `http://localhost/tasks/jobs/${job.id}/events?access_token=${outsider.token}`,
    );
    assert.equal(foreign.status, 404);
  });
});

Deno.test("Postgres lets people only cancel jobs; progress and results are the workers'", async () => {
  const job = await services.tasks.enqueue(probeTask, { items: 2 }, { orgId });
  const asOwner = { sub: owner.id, role: "authenticated" as const };
  const attempt = (fn: Parameters<typeof tdb.db.asTenant>[1]) =>
    tdb.db.asTenant(asOwner, fn).then(() => null, (error) => error as { code: string });
  const forged = await attempt((tx) =>
    tx`update public.jobs set status = 'succeeded', progress = 1 where id = ${job.id}`
  );
  assert.equal(forged?.code, "CQ409");
  const progress = await attempt((tx) =>
    tx`update public.jobs set progress = 1 where id = ${job.id}`
  );
  assert.equal(progress?.code, "CQ409");
  const inserted = await attempt((tx) =>
    tx`insert into public.jobs (org_id, kind) values (${orgId}, 'tasks.probe')`
  );
  assert.equal(inserted?.code, "CQ403");
  const delivery = await attempt((tx) =>
    tx`insert into public.job_deliveries (message_id, org_id, job_id, segment)
       values ('msg_forged', ${orgId}, ${job.id}, 0)`
  );
  // Deliveries are evidence: `authenticated` has no write privilege on them at all.
  assert.equal(delivery?.code, "42501");
  const viewerCancel = await tdb.db.asTenant(
    { sub: viewer.id, role: "authenticated" },
    (tx) => tx`update public.jobs set status = 'cancelled' where id = ${job.id} returning id`,
  );
  assert.equal(viewerCancel.length, 0, "RLS: viewers cannot update jobs at all");
  await services.tasks.drain();
});
