// Each member's notification preferences through the API; alerts follow them
// (in-app off, email at once with an unsubscribe link, or a digest), and the
// unsubscribe link works without sign-in but only for the member it names.
import assert from "node:assert/strict";
import {
  createTestAuth,
  createTestDatabase,
  createTestServices,
} from "../../scripts/testing/mod.ts";
import { memoryMailer } from "../../shared/mail/mod.ts";
import {
  dailyScheduleId,
  notifyJobEnded,
  sendDigests,
  setNotificationChannels,
} from "../../shared/notifications/mod.ts";
import { createNotificationsApp } from "./app.ts";

const tdb = await createTestDatabase();
const auth = await createTestAuth();
const sql = tdb.db.sql;
const services = createTestServices(tdb.db, auth, { PUBLIC_URL: "https://ciq.example" });
const app = createNotificationsApp(services);
const owner = await auth.createUser(tdb.db, { orgName: "Prefs Org" });
const orgId = owner.orgId!;
const viewer = await auth.createUser(tdb.db);
await sql`insert into public.memberships (org_id, user_id, role) values (${orgId}, ${viewer.id}, 'viewer')`;
const stranger = await auth.createUser(tdb.db, { orgName: "Elsewhere" });
const mailer = memoryMailer();
setNotificationChannels({ mailer, allowPrivate: true });
Deno.test.afterAll(async () => {
  setNotificationChannels(null);
  await tdb.close();
});

async function call(token: string | null, method: string, path: string, body?: unknown) {
  const res = await app.request(`http://localhost/notifications${path}`, {
    method,
    headers: {
      ...(token ? { authorization: `Bearer ${token}` } : {}),
      ...(body === undefined ? {} : { "content-type": "application/json" }),
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  let json = null;
  try {
    json = text ? JSON.parse(text) : null;
  } catch { /* HTML */ }
  return { status: res.status, body: json, text, headers: res.headers };
}

async function failedRun(): Promise<string> {
  const [job] = await sql<{ id: string }[]>`
    insert into public.jobs (org_id, kind, status, error)
    values (${orgId}, 'analysis.run', 'failed', 'boom') returning id`;
  await notifyJobEnded(services, { orgId, jobId: job!.id, kind: "analysis.run", status: "failed" });
  return job!.id;
}

const inboxCount = async (token: string) =>
  (await call(token, "GET", `/${orgId}/inbox`)).body.data.length as number;

await sql`insert into public.notification_rules (org_id, name, event, in_app_role, throttle_minutes)
          values (${orgId}, 'Failures', 'job.failed', 'viewer', 0)`;

Deno.test("each member reads and changes only their own preferences", async () => {
  const first = await call(viewer.token, "GET", `/${orgId}/preferences`);
  assert.equal(first.status, 200, first.text);
  assert.deepEqual(first.body.data.events["job.failed"], { in_app: true, email: false });
  assert.equal(first.body.data.digest, "off");
  const put = await call(viewer.token, "PUT", `/${orgId}/preferences`, {
    events: { "job.failed": { in_app: false, email: true } },
  });
  assert.equal(put.status, 200, put.text);
  assert.deepEqual(put.body.data.events["job.failed"], { in_app: false, email: true });
  assert.deepEqual(put.body.data.events["findings.new"], { in_app: true, email: false });
  // The owner's are untouched; an outsider has none here.
  const mine = await call(owner.token, "GET", `/${orgId}/preferences`);
  assert.deepEqual(mine.body.data.events["job.failed"], { in_app: true, email: false });
  assert.equal((await call(stranger.token, "GET", `/${orgId}/preferences`)).status, 404);
  const bad = await call(viewer.token, "PUT", `/${orgId}/preferences`, { digest: "hourly" });
  assert.equal(bad.status, 400);
  const badEvent = await call(viewer.token, "PUT", `/${orgId}/preferences`, {
    events: { "nope": { in_app: true, email: true } },
  });
  assert.equal(badEvent.status, 400);
});

let unsubscribeLink = "";
Deno.test("alerts follow preferences: email at once with a one-click unsubscribe", async () => {
  const before = { viewer: await inboxCount(viewer.token), owner: await inboxCount(owner.token) };
  mailer.sent.length = 0;
  await failedRun();
  assert.equal(await inboxCount(viewer.token), before.viewer, "in-app turned off");
  assert.equal(await inboxCount(owner.token), before.owner + 1);
  assert.equal(mailer.sent.length, 1);
  const mail = mailer.sent[0]!;
  assert.equal(mail.to, viewer.email);
  assert.match(mail.subject, /An analysis run failed/);
  assert.equal(mail.headers?.["List-Unsubscribe-Post"], "List-Unsubscribe=One-Click");
  unsubscribeLink = /^<(.*)>$/.exec(mail.headers!["List-Unsubscribe"]!)![1]!;
  assert.ok(
    unsubscribeLink.startsWith("https://ciq.example/functions/v1/notifications/unsubscribe?token="),
  );
  assert.ok(mail.text.includes(unsubscribeLink) && mail.html.includes("Unsubscribe"));
});

Deno.test("the unsubscribe link works without sign-in and cannot be forged or reused for another", async () => {
  const path = unsubscribeLink.replace("https://ciq.example/functions/v1/notifications", "");
  const confirm = await call(null, "GET", path);
  assert.equal(confirm.status, 200, confirm.text);
  assert.match(confirm.text, /<form method="post"/);
  assert.match(confirm.text, /job\.failed/);
  // GET alone changes nothing.
  assert.equal(
    (await call(viewer.token, "GET", `/${orgId}/preferences`)).body.data.events["job.failed"].email,
    true,
  );
  // A forged token: the same claims for the owner, signed with another key.
  const token = new URL(unsubscribeLink).searchParams.get("token")!;
  const [h, p, s] = token.split(".");
  const claims = JSON.parse(atob(p!.replace(/-/g, "+").replace(/_/g, "/")));
  const forgedPayload = btoa(JSON.stringify({ ...claims, sub: owner.id }))
    .replace(/=+$/, "").replace(/\+/g, "-").replace(/\//g, "_");
  const forged = `${h}.${forgedPayload}.${s}`;
  assert.equal((await call(null, "POST", `/unsubscribe?token=${forged}`)).status, 404);
  assert.equal((await call(null, "POST", `/unsubscribe?token=not.a.token`)).status, 404);
  assert.equal((await call(null, "POST", `/unsubscribe?token=${token}x`)).status, 404);
  // The one-click POST applies it.
  const done = await call(null, "POST", path, undefined);
  assert.equal(done.status, 200, done.text);
  assert.match(done.text, /unsubscribed/);
  const after = await call(viewer.token, "GET", `/${orgId}/preferences`);
  assert.deepEqual(after.body.data.events["job.failed"], { in_app: false, email: false });
  assert.deepEqual(
    (await call(owner.token, "GET", `/${orgId}/preferences`)).body.data.events["job.failed"],
    { in_app: true, email: false },
    "the owner's preferences did not change",
  );
  mailer.sent.length = 0;
  await failedRun();
  assert.equal(mailer.sent.length, 0, "no more email");
});

Deno.test("a digest gathers the alerts and sends one email on its day", async () => {
  const put = await call(owner.token, "PUT", `/${orgId}/preferences`, {
    events: { "job.failed": { in_app: true, email: true } },
    digest: "weekly",
  });
  assert.equal(put.status, 200, put.text);
  assert.ok(
    await services.tasks.schedules.get(dailyScheduleId(orgId)),
    "the daily task is scheduled",
  );
  mailer.sent.length = 0;
  await failedRun();
  await failedRun();
  assert.equal(mailer.sent.length, 0, "nothing at once");
  const deps = { db: tdb.db, mailer, publicUrl: "https://ciq.example" };
  const tuesday = new Date("2026-12-08T06:00:00Z");
  assert.equal(await sendDigests(deps, orgId, tuesday), 0, "weekly: not on a Tuesday");
  const monday = new Date("2026-12-14T06:00:00Z");
  assert.equal(await sendDigests(deps, orgId, monday), 1);
  assert.equal(mailer.sent.length, 1);
  assert.equal(mailer.sent[0]!.to, owner.email);
  assert.match(mailer.sent[0]!.subject, /weekly digest: 2 alerts/);
  assert.ok(mailer.sent[0]!.headers?.["List-Unsubscribe"]);
  assert.equal(await sendDigests(deps, orgId, monday), 0, "sent items are not sent again");
  // The digest's link unsubscribes from every email.
  const link = /^<(.*)>$/.exec(mailer.sent[0]!.headers!["List-Unsubscribe"]!)![1]!;
  const done = await call(
    null,
    "POST",
    link.replace("https://ciq.example/functions/v1/notifications", ""),
  );
  assert.equal(done.status, 200);
  assert.equal((await call(owner.token, "GET", `/${orgId}/preferences`)).body.data.email_off, true);
});
