// Delivery reliability of URL channels: a failed webhook delivery is retried
// through the task queue (QStash in production) with the same webhook-id, each
// attempt logged with its response code; sustained failure disables the
// channel, tells the admins in-app and by email and lands in the audit trail;
// re-enabling resets it. The receiver is captured with msw.
import assert from "node:assert/strict";
import { http, HttpResponse } from "msw";
import { setupServer } from "msw/node";
import { Webhook } from "standardwebhooks";
import {
  createTestAuth,
  createTestDatabase,
  createTestServices,
} from "../../scripts/testing/mod.ts";
import { memoryMailer } from "../../shared/mail/mod.ts";
import {
  DELIVERY_RETRIES,
  DISABLE_AFTER_FAILURES,
  notifyJobEnded,
  setNotificationChannels,
} from "../../shared/notifications/mod.ts";
import { createNotificationsApp } from "./app.ts";

const tdb = await createTestDatabase();
const auth = await createTestAuth();
const sql = tdb.db.sql;
const services = createTestServices(tdb.db, auth, {
  ALLOW_PRIVATE_INSTANCE_URLS: "true",
  PUBLIC_URL: "https://ciq.example",
});
const app = createNotificationsApp(services);
const owner = await auth.createUser(tdb.db, { orgName: "Flaky Receivers Org" });
const orgId = owner.orgId!;
const admin = await auth.createUser(tdb.db);
const viewer = await auth.createUser(tdb.db);
await sql`insert into public.memberships (org_id, user_id, role)
          values (${orgId}, ${admin.id}, 'admin'), (${orgId}, ${viewer.id}, 'viewer')`;

const hookUrl = "https://siem.example/hooks/flaky";
/** Statuses the receiver answers with, in order; the last one repeats. */
let script: number[] = [200];
const received: { headers: Headers; body: string }[] = [];
const mock = setupServer(
  http.post(hookUrl, async ({ request }) => {
    received.push({ headers: request.headers, body: await request.text() });
    const status = script.length > 1 ? script.shift()! : script[0]!;
    return new HttpResponse(status >= 400 ? "down" : "ok", { status });
  }),
);
mock.listen({ onUnhandledRequest: "error" });
const mailer = memoryMailer();
setNotificationChannels({ mailer, resolve: () => Promise.resolve(["93.184.216.34"]) });
Deno.test.afterAll(async () => {
  setNotificationChannels(null);
  mock.close();
  await tdb.close();
});

async function call(token: string, method: string, path: string, body?: unknown) {
  const res = await app.request(`http://localhost/notifications/${orgId}${path}`, {
    method,
    headers: {
      authorization: `Bearer ${token}`,
      ...(body === undefined ? {} : { "content-type": "application/json" }),
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : null, text };
}

async function webhookRule(name: string): Promise<{ channelId: string; secret: string }> {
  const channel = await call(owner.token, "POST", "/channels", {
    name,
    kind: "webhook",
    url: hookUrl,
  });
  assert.equal(channel.status, 201, channel.text);
  const rule = await call(owner.token, "POST", "/rules", {
    name: `${name} rule`,
    event: "job.failed",
    channel_ids: [channel.body.data.id],
    throttle_minutes: 0,
  });
  assert.equal(rule.status, 201, rule.text);
  await call(owner.token, "PATCH", `/rules/${rule.body.data.id}`, { enabled: true });
  return { channelId: channel.body.data.id, secret: channel.body.data.secret };
}

async function failSync(): Promise<string> {
  const [job] = await sql<{ id: string }[]>`
    insert into public.jobs (org_id, kind, status, error)
    values (${orgId}, 'servicenow.sync', 'failed', 'The instance answered 401') returning id`;
  await notifyJobEnded(services, {
    orgId,
    jobId: job!.id,
    kind: "servicenow.sync",
    status: "failed",
  });
  return job!.id;
}

async function attempts(channelId: string, jobId: string) {
  return await sql<
    { attempt: number; status: string; response_code: number | null; message_id: string }[]
  >`
    select attempt, status, response_code, message_id from public.notification_deliveries
    where channel_id = ${channelId} and cause_key = ${`job:${jobId}`} order by attempt`;
}

async function channelRow(id: string) {
  const [row] = await sql<
    {
      enabled: boolean;
      consecutive_failures: number;
      disabled_at: Date | null;
      disabled_reason: string | null;
    }[]
  >`select enabled, consecutive_failures, disabled_at, disabled_reason
    from public.notification_channels where id = ${id}`;
  return row!;
}

Deno.test("a failed webhook is retried through the queue with the same webhook-id until it answers", async () => {
  const { channelId, secret } = await webhookRule("Flaky SIEM");
  script = [503, 502, 200];
  received.length = 0;
  const jobId = await failSync();
  assert.equal(received.length, 1);
  assert.equal((await channelRow(channelId)).consecutive_failures, 1);
  await services.tasks.drain();
  assert.equal(received.length, 3);
  const log = await attempts(channelId, jobId);
  assert.deepEqual(log.map((r) => [r.attempt, r.status, r.response_code]), [
    [1, "failed", 503],
    [2, "failed", 502],
    [3, "sent", 200],
  ]);
  // One message: every attempt carries its webhook-id, and each one verifies.
  const ids = new Set(received.map((r) => r.headers.get("webhook-id")));
  assert.deepEqual([...ids], [log[0]!.message_id]);
  for (const r of received) {
    new Webhook(secret).verify(r.body, {
      "webhook-id": r.headers.get("webhook-id")!,
      "webhook-timestamp": r.headers.get("webhook-timestamp")!,
      "webhook-signature": r.headers.get("webhook-signature")!,
    });
  }
  // A success starts the count afresh; the API shows it and the attempts.
  const channel = (await call(owner.token, "GET", "/channels")).body.data
    .find((c: { id: string }) => c.id === channelId);
  assert.equal(channel.consecutive_failures, 0);
  assert.equal(channel.failing_since, null);
  const deliveries = await call(owner.token, "GET", "/deliveries");
  assert.deepEqual(
    deliveries.body.data.filter((d: { channel_id: string }) => d.channel_id === channelId)
      .map((d: { attempt: number }) => d.attempt).sort(),
    [1, 2, 3],
  );
  await call(owner.token, "DELETE", `/channels/${channelId}`);
});

Deno.test("retries stop after the last one; a channel failing for less than a day stays enabled", async () => {
  const { channelId } = await webhookRule("Down SIEM");
  script = [500];
  received.length = 0;
  const jobId = await failSync();
  await services.tasks.drain();
  // The first try, the job's first delivery and its retries.
  const log = await attempts(channelId, jobId);
  assert.equal(log.length, DELIVERY_RETRIES + 2);
  assert.ok(log.every((r) => r.status === "failed" && r.response_code === 500));
  const [job] = await sql<{ status: string }[]>`
    select status from public.jobs where kind = 'notifications.deliver'
    and payload ->> 'channelId' = ${channelId}`;
  assert.equal(job!.status, "failed");
  const row = await channelRow(channelId);
  assert.ok(row.consecutive_failures >= DISABLE_AFTER_FAILURES);
  assert.equal(row.enabled, true, "failing for minutes is not sustained failure");
  await call(owner.token, "DELETE", `/channels/${channelId}`);
});

Deno.test("sustained failure disables the channel, tells the admins and is audited; re-enabling resets it", async () => {
  const { channelId } = await webhookRule("Dead SIEM");
  script = [500];
  // The channel has failed five times in a row since yesterday.
  await sql`update public.notification_channels
            set consecutive_failures = ${DISABLE_AFTER_FAILURES - 1},
                failing_since = now() - interval '25 hours'
            where id = ${channelId}`;
  mailer.sent.length = 0;
  await failSync();
  const row = await channelRow(channelId);
  assert.equal(row.enabled, false);
  assert.ok(row.disabled_at);
  assert.match(row.disabled_reason!, /failed deliveries in a row over at least 24 hours.*500/);
  // No retry is queued for a disabled channel.
  assert.equal(services.tasks.pending.length, 0);

  // Admins and the owner are told in-app and by email; viewers are not.
  for (const [user, expected] of [[owner, 1], [admin, 1], [viewer, 0]] as const) {
    const inbox = await call(user.token, "GET", "/inbox");
    const notes = inbox.body.data.filter((n: { title: string }) => /Dead SIEM/.test(n.title));
    assert.equal(notes.length, expected, `inbox of ${user.email}`);
  }
  assert.deepEqual(mailer.sent.map((m) => m.to).sort(), [admin.email, owner.email].sort());
  assert.match(mailer.sent[0]!.subject, /The webhook channel "Dead SIEM" was disabled/);
  assert.match(mailer.sent[0]!.text, /enable the channel/);

  // The audit trail records the engine disabling it.
  const audit = await sql<{ actor_kind: string; category: string }[]>`
    select actor_kind, category from public.audit_log
    where org_id = ${orgId} and target_id = ${channelId} and operation = 'update'
      and after ->> 'enabled' = 'false'`;
  assert.equal(audit.length, 1);
  assert.equal(audit[0]!.category, "security");

  // A disabled channel gets nothing; an admin re-enabling it starts afresh.
  received.length = 0;
  await failSync();
  assert.equal(received.length, 0);
  const enabled = await call(admin.token, "PATCH", `/channels/${channelId}`, { enabled: true });
  assert.equal(enabled.status, 200, enabled.text);
  assert.equal(enabled.body.data.enabled, true);
  assert.equal(enabled.body.data.consecutive_failures, 0);
  assert.equal(enabled.body.data.disabled_at, null);
  assert.equal(enabled.body.data.disabled_reason, null);
});
