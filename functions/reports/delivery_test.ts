// Scheduled reports through the real app and task runner: saving a schedule
// creates, replaces and deletes its QStash schedule; a firing generates the
// report and delivers it to the dev mailbox (attached, or as a link over the
// size limit) and to a webhook signed as the Standard Webhooks library
// verifies; failed deliveries are recorded with their response code and
// retried; webhook URLs are checked like instance URLs; retention deletes
// expired files on its daily schedule.
import assert from "node:assert/strict";
import { Webhook } from "standardwebhooks";
import { ensureDevSchema } from "../../scripts/auth_server/_schema.ts";
import { devReportDelivery } from "../../scripts/dev/report_delivery.ts";
import type { TestUser } from "../../scripts/testing/mod.ts";
import { createReportTestbed } from "../../shared/reports/_testbed.ts";
import {
  reportScheduleId,
  retentionScheduleId,
  setReportDelivery,
} from "../../shared/reports/mod.ts";
import { createReportsApp } from "./app.ts";

const t = await createReportTestbed();
const { bed } = t;
const sql = bed.tdb.db.sql;
await ensureDevSchema(sql);
setReportDelivery(devReportDelivery(sql, "https://ciq.example"));

// A webhook receiver: answers with the status the test asks for, keeps what it received.
let answer = 200;
const received: { headers: Headers; body: string }[] = [];
const receiver = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen: () => {} }, async (req) => {
  received.push({ headers: req.headers, body: await req.text() });
  return answer === 302
    ? new Response(null, { status: 302, headers: { location: "http://127.0.0.1:1/" } })
    : new Response("ok", { status: answer });
});
const hookUrl = `http://127.0.0.1:${receiver.addr.port}/hooks/reports`;

// Dev mode (local webhooks allowed) and hosted mode (refused) side by side.
Deno.env.set("ALLOW_PRIVATE_INSTANCE_URLS", "true");
const app = createReportsApp(bed.services);
Deno.env.delete("ALLOW_PRIVATE_INSTANCE_URLS");
const hostedApp = createReportsApp(bed.services);
Deno.test.afterAll(async () => {
  setReportDelivery(null);
  await receiver.shutdown();
  await t.close();
});

async function call(token: string, method: string, path: string, body?: unknown, on = app) {
  const res = await on.request(`http://localhost/reports${path}`, {
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

const owner: TestUser = bed.owner;
const analyst = await bed.auth.createUser(bed.tdb.db);
await sql`insert into public.memberships (org_id, user_id, role) values (${bed.orgId}, ${analyst.id}, 'analyst')`;
const tasks = bed.services.tasks;

async function saveScheduled(extra: Record<string, unknown> = {}) {
  const res = await call(owner.token, "POST", "/definitions", {
    org_id: bed.orgId,
    name: "Monthly posture",
    spec: t.spec({ title: "Monthly posture — Zoë's team", sections: ["summary", "findings"] }),
    format: "csv",
    schedule: "monthly",
    recipients: ["ciso@example.com", "auditor@example.com"],
    ...extra,
  });
  assert.equal(res.status, 201, res.text);
  return res.body;
}

/** Fires the saved report's schedule as QStash would and runs everything it starts. */
async function fire(definitionId: string) {
  await tasks.fire(reportScheduleId(definitionId));
  await tasks.drain({ maxDeliveries: 100 });
  const [file] = await sql<{ id: string; status: string; trigger: string; byte_size: string }[]>`
    select id, status, trigger, byte_size from public.report_exports
    where definition_id = ${definitionId} order by created_at desc limit 1`;
  return file!;
}

async function mailbox(to: string) {
  return await sql<
    { subject: string; text_body: string; attachments: { filename: string; size: number }[] }[]
  >`select subject, text_body, attachments from auth_dev.mailbox
    where to_email = ${to} order by created_at desc`;
}

Deno.test("a schedule is a QStash schedule: created, replaced, removed with the saved report", async () => {
  const saved = await saveScheduled();
  const id = saved.data.id;
  assert.equal(saved.data.schedule_id, reportScheduleId(id));
  const monthly = await tasks.schedules.get(reportScheduleId(id));
  assert.match(monthly!.cron, /^\d{1,2} 6 1 \* \*$/, "monthly: the 1st at 06:mm UTC");
  assert.ok(await tasks.schedules.get(retentionScheduleId(bed.orgId)), "retention runs daily");

  const weekly = await call(owner.token, "PATCH", `/definitions/${id}`, { schedule: "weekly" });
  assert.equal(weekly.status, 200, weekly.text);
  assert.match((await tasks.schedules.get(reportScheduleId(id)))!.cron, /^\d{1,2} 6 \* \* 1$/);

  const renamed = await call(analyst.token, "PATCH", `/definitions/${id}`, { name: "Renamed" });
  assert.equal(renamed.status, 200, "a rename needs no admin and keeps the schedule");
  assert.ok(await tasks.schedules.get(reportScheduleId(id)));

  const stopped = await call(owner.token, "PATCH", `/definitions/${id}`, { schedule: null });
  assert.equal(stopped.body.data.schedule_id, null);
  assert.equal(await tasks.schedules.get(reportScheduleId(id)), null);

  await call(owner.token, "PATCH", `/definitions/${id}`, { schedule: "daily" });
  assert.ok(await tasks.schedules.get(reportScheduleId(id)));
  assert.equal((await call(owner.token, "DELETE", `/definitions/${id}`)).status, 200);
  assert.equal(await tasks.schedules.get(reportScheduleId(id)), null);
});

Deno.test("a firing generates the report and emails it to every recipient, attached under the limit", async () => {
  const saved = await saveScheduled();
  const file = await fire(saved.data.id);
  assert.deepEqual([file.status, file.trigger], ["succeeded", "schedule"]);
  for (const to of ["ciso@example.com", "auditor@example.com"]) {
    const [mail] = await mailbox(to);
    assert.ok(mail, `an email reached ${to}`);
    assert.match(mail.subject, /^Report: Monthly posture \(\d{4}-\d{2}-\d{2}\)$/);
    assert.match(mail.text_body, /The file is attached/);
    assert.equal(mail.attachments.length, 1);
    assert.equal(mail.attachments[0]!.size, Number(file.byte_size));
    assert.match(mail.attachments[0]!.filename, /\.csv$/);
  }
  const deliveries = await call(
    analyst.token,
    "GET",
    `/deliveries?org_id=${bed.orgId}&export_id=${file.id}`,
  );
  assert.equal(deliveries.status, 200, deliveries.text);
  assert.deepEqual(
    deliveries.body.data.map((d: { target: string; status: string; mode: string }) =>
      `${d.target} ${d.status} ${d.mode}`
    ).sort(),
    ["auditor@example.com sent attachment", "ciso@example.com sent attachment"],
  );
  // A second firing is a second file, not a resend of the first.
  const second = await fire(saved.data.id);
  assert.notEqual(second.id, file.id);
  assert.equal((await mailbox("ciso@example.com")).length, 2);
});

Deno.test("over the size limit the email carries a share link that downloads the file", async () => {
  Deno.env.set("REPORTS_EMAIL_ATTACH_MAX_BYTES", "0");
  try {
    const saved = await saveScheduled({ recipients: ["big@example.com"] });
    const file = await fire(saved.data.id);
    const [mail] = await mailbox("big@example.com");
    assert.equal(mail!.attachments.length, 0);
    const url = /https:\/\/ciq\.example\/functions\/v1\/reports\/links\/(rpt_\S+)/.exec(
      mail!.text_body,
    );
    assert.ok(url, mail!.text_body);
    const download = await app.request(`http://localhost/reports/links/${url[1]}`);
    assert.equal(download.status, 200);
    assert.equal((await download.arrayBuffer()).byteLength, Number(file.byte_size));
    const [link] = await sql<{ kind: string; label: string }[]>`
      select kind, label from public.report_links where export_id = ${file.id}`;
    assert.deepEqual(link, { kind: "share", label: "Emailed to big@example.com" });
  } finally {
    Deno.env.delete("REPORTS_EMAIL_ATTACH_MAX_BYTES");
  }
});

Deno.test("the webhook gets a POST that the Standard Webhooks library verifies; failures are recorded and retried", async () => {
  const saved = await saveScheduled({ recipients: [], webhook_url: hookUrl });
  const secret: string = saved.webhook_secret;
  assert.match(secret, /^whsec_/);
  const listed = await call(owner.token, "GET", `/definitions/${saved.data.id}`);
  assert.ok(!listed.text.includes(secret), "the secret is shown once, never listed");
  await assertStoredSealed(saved.data.id, secret);

  received.length = 0;
  answer = 500;
  const failing = await fire(saved.data.id);
  assert.equal(failing.status, "succeeded");
  const [failed] = await sql<
    { status: string; response_code: number; attempts: number; error: string }[]
  >`select status, response_code, attempts, error from public.report_deliveries where export_id = ${failing.id}`;
  assert.equal(failed!.status, "failed");
  assert.equal(failed!.response_code, 500);
  assert.ok(failed!.attempts > 1, "the delivery was retried");
  const ids = new Set(received.map((r) => r.headers.get("webhook-id")));
  assert.equal(ids.size, 1, "every retry carries the same webhook-id");

  received.length = 0;
  answer = 200;
  const file = await fire(saved.data.id);
  assert.equal(received.length, 1);
  const { headers, body } = received[0]!;
  const payload = new Webhook(secret).verify(body, {
    "webhook-id": headers.get("webhook-id")!,
    "webhook-timestamp": headers.get("webhook-timestamp")!,
    "webhook-signature": headers.get("webhook-signature")!,
  }) as { type: string; data: Record<string, unknown> };
  assert.equal(payload.type, "report.generated");
  assert.equal(payload.data.export_id, file.id);
  assert.match(String(payload.data.download_url), /\/functions\/v1\/reports\/links\/rpt_/);
  assert.throws(() => new Webhook(secret).verify(`${body} `, Object.fromEntries(headers)));

  const deliveries = await call(
    owner.token,
    "GET",
    `/deliveries?org_id=${bed.orgId}&definition_id=${saved.data.id}`,
  );
  assert.deepEqual(
    deliveries.body.data.map((d: { status: string; response_code: number }) =>
      `${d.status} ${d.response_code}`
    ),
    ["sent 200", "failed 500"],
  );

  // A redirect is not followed: the delivery fails with the 302.
  answer = 302;
  const redirected = await fire(saved.data.id);
  const [r] = await sql<{ status: string; response_code: number; error: string }[]>`
    select status, response_code, error from public.report_deliveries where export_id = ${redirected.id}`;
  assert.deepEqual([r!.status, r!.response_code], ["failed", 302]);
  assert.match(r!.error, /redirect/);
  answer = 200;

  const rotated = await call(owner.token, "POST", `/definitions/${saved.data.id}/webhook-secret`);
  assert.equal(rotated.status, 200, rotated.text);
  assert.notEqual(rotated.body.data.webhook_secret, secret);
  await assertStoredSealed(saved.data.id, rotated.body.data.webhook_secret);
  received.length = 0;
  await fire(saved.data.id);
  const again = received[0]!;
  assert.doesNotThrow(() =>
    new Webhook(rotated.body.data.webhook_secret).verify(
      again.body,
      Object.fromEntries(again.headers),
    )
  );
  assert.throws(() => new Webhook(secret).verify(again.body, Object.fromEntries(again.headers)));
});

/** The stored secret is an AES-GCM envelope: no plaintext column, nothing of the secret in it. */
async function assertStoredSealed(definitionId: string, secret: string) {
  const [row] = await sql<{ secret: string | null; sealed: string; kid: string }[]>`
    select secret, secret_sealed::text as sealed, secret_sealed ->> 'kid' as kid
    from public.report_webhook_secrets where definition_id = ${definitionId}`;
  assert.equal(row!.secret, null, "no plaintext column value");
  assert.equal(row!.kid, "test");
  assert.ok(!row!.sealed.includes(secret.slice(6, 30)), "the sealed form holds no plaintext");
  assert.ok(!row!.sealed.includes("whsec_"));
}

Deno.test("a secret stored in plaintext before sealing still signs; another row's envelope does not open", async () => {
  const first = await saveScheduled({ recipients: [], webhook_url: hookUrl });
  const second = await saveScheduled({ recipients: [], webhook_url: `${hookUrl}?second` });
  // As the migration left rows written before it: plaintext, not yet sealed by credentials:rotate.
  const legacy = `whsec_${btoa("legacy-secret-legacy-secret-0123")}`;
  await sql`update public.report_webhook_secrets set secret = ${legacy}, secret_sealed = null
            where definition_id = ${first.data.id}`;
  received.length = 0;
  answer = 200;
  await fire(first.data.id);
  const legacyPost = received[0]!;
  assert.doesNotThrow(() =>
    new Webhook(legacy).verify(legacyPost.body, Object.fromEntries(legacyPost.headers))
  );
  // An envelope moved onto another saved report's row is refused (bound to its row).
  await sql`update public.report_webhook_secrets
            set secret = null,
                secret_sealed = (select secret_sealed from public.report_webhook_secrets
                                 where definition_id = ${second.data.id})
            where definition_id = ${first.data.id}`;
  received.length = 0;
  const moved = await fire(first.data.id);
  assert.equal(received.length, 0, "nothing is sent without the row's own secret");
  const [delivery] = await sql<{ status: string; error: string }[]>`
    select status, error from public.report_deliveries where export_id = ${moved.id}`;
  assert.equal(delivery!.status, "failed");
  assert.match(delivery!.error, /Cannot decrypt the secret: authentication failed/);
});

Deno.test("webhooks: admins only; hosted mode refuses http and private addresses", async () => {
  const body = {
    org_id: bed.orgId,
    name: "Hooked",
    spec: t.spec(),
    format: "json",
    webhook_url: "https://hooks.example.com/x",
  };
  assert.equal((await call(analyst.token, "POST", "/definitions", body)).status, 403);
  for (const url of ["http://hooks.example.com/x", "https://127.0.0.1/x", "https://10.1.2.3/"]) {
    const res = await call(
      owner.token,
      "POST",
      "/definitions",
      { ...body, webhook_url: url },
      hostedApp,
    );
    assert.equal(res.status, 422, `${url}: ${res.text}`);
    assert.equal(res.body.error.code, "invalid_webhook_url");
  }
  const [count] = await sql<{ n: number }[]>`
    select count(*)::int as n from public.report_definitions where name = 'Hooked'`;
  assert.equal(count!.n, 0, "nothing saved");
});

Deno.test("retention: the daily task deletes expired files and their bytes, and records it", async () => {
  const saved = await saveScheduled({ recipients: [] });
  const file = await fire(saved.data.id);
  const [stored] = await sql<{ chunks: number }[]>`
    select count(*)::int as chunks from public.report_file_chunks where export_id = ${file.id}`;
  assert.ok(stored!.chunks > 0);
  await sql`update public.report_exports set expires_at = now() - interval '1 second' where id = ${file.id}`;
  await tasks.fire(retentionScheduleId(bed.orgId));
  await tasks.drain();
  const left = await sql`select 1 from public.report_exports where id = ${file.id}`;
  assert.equal(left.length, 0);
  const bytes = await sql`select 1 from public.report_file_chunks where export_id = ${file.id}`;
  assert.equal(bytes.length, 0);
  const events = await sql<{ action: string }[]>`
    select action from public.report_events where export_id = ${file.id} order by id`;
  assert.deepEqual(events.map((e) => e.action), ["generated", "expired"]);
});

Deno.test("send now: an admin generates and delivers a saved report at once, as a firing would", async () => {
  const saved = await saveScheduled({ schedule: null, recipients: ["now@example.com"] });
  const id = saved.data.id;
  assert.equal((await call(analyst.token, "POST", `/definitions/${id}/deliver`)).status, 403);
  const started = await call(owner.token, "POST", `/definitions/${id}/deliver`);
  assert.equal(started.status, 202, started.text);
  assert.equal(started.body.data.kind, "reports.scheduled");
  await tasks.drain({ maxDeliveries: 100 });
  const [mail] = await mailbox("now@example.com");
  assert.ok(mail, "the email reached the dev mailbox");
  const nowhere = await call(owner.token, "POST", "/definitions", {
    org_id: bed.orgId,
    name: "Nowhere",
    spec: t.spec(),
    format: "csv",
  });
  const refused = await call(owner.token, "POST", `/definitions/${nowhere.body.data.id}/deliver`);
  assert.equal(refused.status, 409);
});
