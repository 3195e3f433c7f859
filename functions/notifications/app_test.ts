// Notifications through the HTTP API and the dispatcher: channels (secrets
// shown once, rotation, masking), rules, alerts after a failed sync and after an
// analysis run with new critical findings — email through the memory mailer, a
// webhook verified with the `standardwebhooks` library, Slack and Teams messages
// captured with msw, in-app rows — deduplicated per cause and throttled per rule.
import assert from "node:assert/strict";
import { http, HttpResponse } from "msw";
import { setupServer } from "msw/node";
import { Webhook } from "standardwebhooks";
import {
  createTestAuth,
  createTestDatabase,
  createTestServices,
  insertSampleRow,
} from "../../scripts/testing/mod.ts";
import { memoryMailer } from "../../shared/mail/mod.ts";
import { notifyJobEnded, setNotificationChannels } from "../../shared/notifications/mod.ts";
import { createNotificationsApp } from "./app.ts";

const tdb = await createTestDatabase();
const auth = await createTestAuth();
const sql = tdb.db.sql;
const services = createTestServices(tdb.db, auth, {
  ALLOW_PRIVATE_INSTANCE_URLS: "true",
  PUBLIC_URL: "https://ciq.example",
});
const app = createNotificationsApp(services);

const owner = await auth.createUser(tdb.db, { orgName: "Alerting Org" });
const orgId = owner.orgId!;
const viewer = await auth.createUser(tdb.db);
await sql`insert into public.memberships (org_id, user_id, role) values (${orgId}, ${viewer.id}, 'viewer')`;
const stranger = await auth.createUser(tdb.db, { orgName: "Elsewhere" });

// Receivers through msw: a webhook endpoint, Slack and Teams.
const received: { headers: Headers; body: string }[] = [];
const hookUrl = "https://siem.example/hooks/ciq";
const chat: { to: string; body: Record<string, unknown> }[] = [];
const mock = setupServer(
  http.post(hookUrl, async ({ request }) => {
    received.push({ headers: request.headers, body: await request.text() });
    return new HttpResponse("ok", { status: 200 });
  }),
  http.post("https://hooks.slack.com/services/T0/B0/secretpath", async ({ request }) => {
    chat.push({ to: "slack", body: await request.json() as Record<string, unknown> });
    return new HttpResponse("ok", { status: 200 });
  }),
  http.post("https://acme.webhook.office.com/webhookb2/secretpath", async ({ request }) => {
    chat.push({ to: "teams", body: await request.json() as Record<string, unknown> });
    return new HttpResponse(null, { status: 202 });
  }),
);
mock.listen({ onUnhandledRequest: "error" });
const mailer = memoryMailer();
setNotificationChannels({
  mailer,
  allowPrivate: true,
  resolve: () => Promise.resolve(["93.184.216.34"]),
});
Deno.test.afterAll(async () => {
  setNotificationChannels(null);
  mock.close();
  await tdb.close();
});

async function call(token: string, method: string, path: string, body?: unknown) {
  const res = await app.request(`http://localhost/notifications${path}`, {
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

const channels: Record<string, { id: string; secret: string | null }> = {};

Deno.test("admins add channels; a webhook's secret is shown once, chat URLs are masked", async () => {
  const webhook = await call(owner.token, "POST", `/${orgId}/channels`, {
    name: "SIEM",
    kind: "webhook",
    url: hookUrl,
  });
  assert.equal(webhook.status, 201, webhook.text);
  assert.match(webhook.body.data.secret, /^whsec_/);
  channels.webhook = webhook.body.data;
  await assertStoredSealed(webhook.body.data.id, webhook.body.data.secret);
  for (
    const [kind, url] of [
      ["slack", "https://hooks.slack.com/services/T0/B0/secretpath"],
      ["teams", "https://acme.webhook.office.com/webhookb2/secretpath"],
    ]
  ) {
    const res = await call(owner.token, "POST", `/${orgId}/channels`, { name: kind, kind, url });
    assert.equal(res.status, 201, res.text);
    assert.equal(res.body.data.secret, null);
    channels[kind!] = res.body.data;
  }
  const email = await call(owner.token, "POST", `/${orgId}/channels`, {
    name: "Security team",
    kind: "email",
    emails: ["sec@example.com", "ciso@example.com"],
  });
  assert.equal(email.status, 201, email.text);
  channels.email = email.body.data;

  const list = await call(viewer.token, "GET", `/${orgId}/channels`);
  assert.equal(list.status, 200);
  assert.equal(list.body.data.length, 4);
  assert.ok(!list.text.includes("whsec_"), "the secret is never listed");
  assert.ok(!list.text.includes("secretpath"), "Slack/Teams URLs are masked");
});

/** A webhook channel's secret is stored sealed: no plaintext, nothing of the secret in the envelope. */
async function assertStoredSealed(channelId: string, secret: string) {
  const [row] = await tdb.db.sql<{ secret: string | null; sealed: string; kid: string }[]>`
    select secret, secret_sealed::text as sealed, secret_sealed ->> 'kid' as kid
    from public.notification_channels where id = ${channelId}`;
  assert.equal(row!.secret, null, "no plaintext column value");
  assert.equal(row!.kid, "test");
  assert.ok(!row!.sealed.includes(secret.slice(6, 30)), "the sealed form holds no plaintext");
  assert.ok(!row!.sealed.includes("whsec_"));
}

Deno.test("channels are refused to viewers, outsiders and with the wrong target", async () => {
  const body = { name: "x", kind: "email", emails: ["a@example.com"] };
  assert.equal((await call(viewer.token, "POST", `/${orgId}/channels`, body)).status, 403);
  assert.equal((await call(stranger.token, "GET", `/${orgId}/channels`)).status, 404);
  const noUrl = await call(owner.token, "POST", `/${orgId}/channels`, { name: "x", kind: "slack" });
  assert.equal(noUrl.status, 422);
  const ftp = await call(owner.token, "POST", `/${orgId}/channels`, {
    name: "x",
    kind: "webhook",
    url: "ftp://example.com/x",
  });
  assert.equal(ftp.status, 422);
  assert.match(ftp.body.error.message, /https/);
});

Deno.test("rotating a webhook secret returns a new one", async () => {
  const res = await call(
    owner.token,
    "POST",
    `/${orgId}/channels/${channels.webhook!.id}/rotate-secret`,
  );
  assert.equal(res.status, 200, res.text);
  assert.match(res.body.data.secret, /^whsec_/);
  assert.notEqual(res.body.data.secret, channels.webhook!.secret);
  channels.webhook!.secret = res.body.data.secret;
  await assertStoredSealed(channels.webhook!.id, res.body.data.secret);
  const slack = await call(
    owner.token,
    "POST",
    `/${orgId}/channels/${channels.slack!.id}/rotate-secret`,
  );
  assert.equal(slack.status, 409);
});

async function failedSync(): Promise<string> {
  const [job] = await sql<{ id: string }[]>`
    insert into public.jobs (org_id, kind, status, error)
    values (${orgId}, 'servicenow.sync', 'failed', 'The instance answered 401') returning id`;
  return job!.id;
}

Deno.test("a failed sync alerts every channel and member once, signed and formatted", async () => {
  const rule = await call(owner.token, "POST", `/${orgId}/rules`, {
    name: "Sync failures",
    event: "job.failed",
    channel_ids: Object.values(channels).map((c) => c.id),
    in_app_role: "viewer",
    throttle_minutes: 60,
  });
  assert.equal(rule.status, 201, rule.text);
  const jobId = await failedSync();
  const outcome = await notifyJobEnded(services, {
    orgId,
    jobId,
    kind: "servicenow.sync",
    status: "failed",
  });
  assert.deepEqual(outcome, { sent: 6, failed: 0, throttled: 0, duplicates: 0 });

  // The webhook: verified by the Standard Webhooks library with the rotated secret.
  assert.equal(received.length, 1);
  const hook = received[0]!;
  const payload = new Webhook(channels.webhook!.secret!).verify(hook.body, {
    "webhook-id": hook.headers.get("webhook-id")!,
    "webhook-timestamp": hook.headers.get("webhook-timestamp")!,
    "webhook-signature": hook.headers.get("webhook-signature")!,
  }) as { type: string; data: { job_id: string; body: string } };
  assert.equal(payload.type, "alert.job.failed");
  assert.equal(payload.data.job_id, jobId);
  assert.match(payload.data.body, /answered 401/);

  // Slack: Block Kit with a header; Teams: an Adaptive Card.
  const slack = chat.find((m) => m.to === "slack")!.body as {
    text: string;
    blocks: { type: string; text?: { text: string } }[];
  };
  assert.equal(slack.blocks[0]!.type, "header");
  assert.equal(slack.blocks[0]!.text!.text, "A sync failed");
  const teams = chat.find((m) => m.to === "teams")!.body as {
    type: string;
    attachments: { contentType: string; content: { type: string; body: { text: string }[] } }[];
  };
  assert.equal(teams.type, "message");
  assert.equal(teams.attachments[0]!.contentType, "application/vnd.microsoft.card.adaptive");
  assert.equal(teams.attachments[0]!.content.body[0]!.text, "A sync failed");

  // Email: both addresses, HTML and text.
  assert.deepEqual(mailer.sent.map((m) => m.to).sort(), ["ciso@example.com", "sec@example.com"]);
  assert.match(mailer.sent[0]!.subject, /A sync failed/);
  assert.match(mailer.sent[0]!.html, /<h1/);

  // The delivery log: one row per channel with the receiver's response code, and the in-app row.
  const log = await call(owner.token, "GET", `/${orgId}/deliveries`);
  assert.equal(log.status, 200);
  const codes = Object.fromEntries(
    log.body.data.map((d: { channel_kind: string; response_code: number | null }) => [
      d.channel_kind,
      d.response_code,
    ]),
  );
  assert.deepEqual(codes, { webhook: 200, slack: 200, teams: 202, email: null, in_app: null });
  assert.equal((await call(viewer.token, "GET", `/${orgId}/deliveries`)).status, 403);

  // The same job's end reported again (a redelivery): nothing goes out twice.
  const again = await notifyJobEnded(services, {
    orgId,
    jobId,
    kind: "servicenow.sync",
    status: "failed",
  });
  assert.deepEqual(again, { sent: 0, failed: 0, throttled: 0, duplicates: 1 });
  assert.equal(received.length, 1);

  // Another failure within the throttle window: recorded as throttled, not sent.
  const next = await failedSync();
  const throttled = await notifyJobEnded(services, {
    orgId,
    jobId: next,
    kind: "servicenow.sync",
    status: "failed",
  });
  assert.deepEqual(throttled, { sent: 0, failed: 0, throttled: 1, duplicates: 0 });
  assert.equal(received.length, 1);
  assert.equal(mailer.sent.length, 2);
});

Deno.test("the delivery log pages and filters by status; channels show their latest delivery", async () => {
  // After the test above: 6 sent rows (4 channels, in-app) then 1 throttled in-app row.
  const all = await call(owner.token, "GET", `/${orgId}/deliveries?limit=100`);
  assert.equal(all.status, 200, all.text);
  assert.equal(all.body.next_cursor, null);
  const total = all.body.data.length;
  assert.ok(total >= 6, all.text);

  const seen: string[] = [];
  let cursor: string | null = null;
  do {
    const query: string = cursor ? `&cursor=${cursor}` : "";
    const page = await call(owner.token, "GET", `/${orgId}/deliveries?limit=2${query}`);
    assert.equal(page.status, 200, page.text);
    assert.ok(page.body.data.length <= 2);
    seen.push(...page.body.data.map((d: { id: string }) => d.id));
    cursor = page.body.next_cursor;
  } while (cursor);
  assert.deepEqual(
    seen,
    all.body.data.map((d: { id: string }) => d.id),
    "every row once, in order",
  );

  const throttled = await call(owner.token, "GET", `/${orgId}/deliveries?status=throttled`);
  assert.ok(throttled.body.data.length >= 1);
  assert.ok(throttled.body.data.every((d: { status: string }) => d.status === "throttled"));
  const bad = await call(owner.token, "GET", `/${orgId}/deliveries?status=lost`);
  assert.equal(bad.status, 400);
  const badCursor = await call(owner.token, "GET", `/${orgId}/deliveries?cursor=nonsense`);
  assert.equal(badCursor.status, 400);
  assert.equal(badCursor.body.error.code, "invalid_cursor");

  type Listed = { id: string; last_delivery: { status: string; response_code: number } | null };
  const listed = await call(owner.token, "GET", `/${orgId}/channels`);
  const webhook = listed.body.data.find((c: Listed) => c.id === channels.webhook!.id) as Listed;
  assert.equal(webhook.last_delivery?.status, "sent");
  assert.equal(webhook.last_delivery?.response_code, 200);
  // Members who are not admins cannot read the delivery log, so not this either.
  const asViewer = await call(viewer.token, "GET", `/${orgId}/channels`);
  assert.ok(asViewer.body.data.every((c: Listed) => c.last_delivery === null));
});

Deno.test("each member sees their own in-app notifications and marks them read", async () => {
  const mine = await call(viewer.token, "GET", `/${orgId}/inbox`);
  assert.equal(mine.status, 200, mine.text);
  assert.equal(mine.body.unread, 1);
  assert.equal(mine.body.data[0].title, "A sync failed");
  assert.equal(mine.body.data[0].link, "https://ciq.example/app/instances");
  const ownerInbox = await call(owner.token, "GET", `/${orgId}/inbox`);
  const ownerNote = ownerInbox.body.data[0].id;
  // Someone else's notification cannot be marked by the viewer.
  assert.equal((await call(viewer.token, "POST", `/${orgId}/inbox/${ownerNote}/read`)).status, 404);
  const read = await call(viewer.token, "POST", `/${orgId}/inbox/${mine.body.data[0].id}/read`);
  assert.deepEqual(read.body, { data: { unread: 0 } });
  const unreadOnly = await call(viewer.token, "GET", `/${orgId}/inbox?unread_only=true`);
  assert.deepEqual(unreadOnly.body, { data: [], unread: 0 });
  const all = await call(owner.token, "POST", `/${orgId}/inbox/read-all`);
  assert.deepEqual(all.body, { data: { marked: 1 } });
  assert.equal((await call(owner.token, "GET", `/${orgId}/inbox`)).body.unread, 0);
  assert.equal((await call(stranger.token, "GET", `/${orgId}/inbox`)).status, 404);
});

Deno.test("an analysis run with new critical findings fires the findings rule, not the score rule", async () => {
  const findings = await call(owner.token, "POST", `/${orgId}/rules`, {
    name: "New criticals",
    event: "findings.new",
    min_severity: "critical",
    channel_ids: [channels.webhook!.id],
    in_app_role: "admin",
  });
  assert.equal(findings.status, 201, findings.text);
  const scoreRule = await call(owner.token, "POST", `/${orgId}/rules`, {
    name: "Score drop",
    event: "score.drop",
    threshold: 20,
    channel_ids: [channels.webhook!.id],
  });
  assert.equal(scoreRule.status, 201, scoreRule.text);
  const tenant = { orgId, userId: owner.id };
  const instance = await insertSampleRow(sql, "public.instances", tenant, {
    "public.instances": { url: "https://alerting.service-now.com", auth_type: "basic" },
  });
  const jobId = crypto.randomUUID();
  const [previous] = await sql<{ id: string }[]>`
    insert into public.analysis_runs (org_id, instance_id, status, catalog_version, scores)
    values (${orgId}, ${instance.id}, 'succeeded', 'test', '{"overall": {"score": 80}}')
    returning id`;
  const [run] = await sql<{ id: string }[]>`
    insert into public.analysis_runs
      (org_id, instance_id, status, catalog_version, scores, previous_run_id, job_id)
    values (${orgId}, ${instance.id}, 'succeeded', 'test', '{"overall": {"score": 70}}',
            ${previous!.id}, ${jobId}) returning id`;
  await sql`
    insert into public.analysis_run_summaries (run_id, org_id, instance_id, checks)
    values (${run!.id}, ${orgId}, ${instance.id}, array[
      row('c1', 'Admin without MFA', 'access', 'hardening', 'critical', 1, 9.0, null, '{}', 'FAIL', 3, 2, 0, 1)::public.analysis_check_summary,
      row('c2', 'Weak session timeout', 'access', 'hardening', 'high', 2, 7.0, null, '{}', 'FAIL', 5, 5, 0, 0)::public.analysis_check_summary])`;
  const before = received.length;
  const outcome = await notifyJobEnded(services, {
    orgId,
    jobId,
    kind: "analysis.run",
    status: "succeeded",
  });
  // The webhook, plus the owner (the only admin or above) in-app; a 10-point drop is under 20.
  assert.deepEqual(outcome, { sent: 2, failed: 0, throttled: 0, duplicates: 0 });
  assert.equal(received.length, before + 1);
  const body = JSON.parse(received.at(-1)!.body);
  assert.equal(body.type, "alert.findings.new");
  assert.equal(body.data.critical, 3);
  assert.equal(body.data.high, 5);
  assert.equal(body.data.run_id, run!.id);
  assert.equal(body.data.title, "3 new critical findings on " + instance.name);
});

Deno.test("a test-send reports what the receiver answered", async () => {
  const res = await call(owner.token, "POST", `/${orgId}/channels/${channels.teams!.id}/test`);
  assert.equal(res.status, 200, res.text);
  assert.deepEqual(res.body.data, { ok: true, status: 202, error: null });
  assert.equal(
    (await call(viewer.token, "POST", `/${orgId}/channels/${channels.teams!.id}/test`)).status,
    403,
  );
});

Deno.test("removing a channel takes it out of the rules that used it", async () => {
  const res = await call(owner.token, "DELETE", `/${orgId}/channels/${channels.slack!.id}`);
  assert.equal(res.status, 204, res.text);
  const rules = await call(owner.token, "GET", `/${orgId}/rules`);
  for (const rule of rules.body.data) assert.ok(!rule.channel_ids.includes(channels.slack!.id));
  const foreign = await call(owner.token, "POST", `/${orgId}/rules`, {
    name: "Bad",
    event: "report.ready",
    channel_ids: [crypto.randomUUID()],
  });
  assert.equal(foreign.status, 422);
});
