// SMS alert channels: E.164 numbers through the API (validation, limits), an
// alert texted through Twilio's Messages API (captured with msw: basic auth,
// form-encoded), Twilio's refusal in the delivery log, and the dev stack's SMS
// outbox listed over HTTP by the auth stand-in.
import assert from "node:assert/strict";
import { http, HttpResponse } from "msw";
import { setupServer } from "msw/node";
import {
  createTestAuth,
  createTestDatabase,
  createTestServices,
} from "../../scripts/testing/mod.ts";
import { createAuthServer } from "../../scripts/auth_server/mod.ts";
import { loadConfig } from "../../shared/env/mod.ts";
import { memoryMailer } from "../../shared/mail/mod.ts";
import {
  devSmsOutbox,
  notifyJobEnded,
  setNotificationChannels,
  SMS_MAX_CHARS,
  smsFromConfig,
  smsText,
  twilioSms,
} from "../../shared/notifications/mod.ts";
import { createNotificationsApp } from "./app.ts";

const tdb = await createTestDatabase();
const auth = await createTestAuth();
const sql = tdb.db.sql;
const services = createTestServices(tdb.db, auth, { PUBLIC_URL: "https://ciq.example" });
const app = createNotificationsApp(services);
const owner = await auth.createUser(tdb.db, { orgName: "Texting Org" });
const orgId = owner.orgId!;

const SID = "AC" + "0123456789abcdef".repeat(2);
const TOKEN = "twilio-auth-token-0123";
const texts: { url: string; auth: string | null; type: string | null; form: URLSearchParams }[] =
  [];
let twilioStatus = 201;
const mock = setupServer(
  http.post(
    `https://api.twilio.com/2010-04-01/Accounts/${SID}/Messages.json`,
    async ({ request }) => {
      texts.push({
        url: request.url,
        auth: request.headers.get("authorization"),
        type: request.headers.get("content-type"),
        form: new URLSearchParams(await request.text()),
      });
      return twilioStatus === 201
        ? HttpResponse.json({
          sid: `SM${crypto.randomUUID().replaceAll("-", "")}`,
          status: "queued",
        }, {
          status: 201,
        })
        : HttpResponse.json({
          code: 21211,
          message: "The 'To' number is not a valid phone number.",
        }, {
          status: twilioStatus,
        });
    },
  ),
);
mock.listen({ onUnhandledRequest: "error" });
setNotificationChannels({
  mailer: memoryMailer(),
  sms: twilioSms({ accountSid: SID, authToken: TOKEN, from: "+15005550006" }),
});
Deno.test.afterAll(async () => {
  setNotificationChannels(null);
  mock.close();
  await tdb.close();
});

async function call(method: string, path: string, body?: unknown) {
  const res = await app.request(`http://localhost/notifications/${orgId}${path}`, {
    method,
    headers: {
      authorization: `Bearer ${owner.token}`,
      ...(body === undefined ? {} : { "content-type": "application/json" }),
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : null, text };
}

let channelId = "";

Deno.test("an SMS channel takes E.164 numbers only, at most 20, and nothing else", async () => {
  for (
    const bad of [
      { phones: ["0041 79 123 45 67"] },
      { phones: ["+0123456789"] },
      { phones: [] },
      { phones: Array.from({ length: 21 }, (_, i) => `+4179123${String(i).padStart(4, "0")}`) },
      { phones: ["+41791234567"], url: "https://example.com/hook" },
      { phones: ["+41791234567"], emails: ["a@example.com"] },
    ]
  ) {
    const res = await call("POST", "/channels", { name: "On call", kind: "sms", ...bad });
    // 400 for what the schema refuses, 422 for a valid body that does not fit the kind.
    assert.ok([400, 422].includes(res.status), `${JSON.stringify(bad)}: ${res.text}`);
    assert.equal(res.body.error.code, "validation_failed");
  }
  const email = await call("POST", "/channels", {
    name: "Mail",
    kind: "email",
    emails: ["a@example.com"],
    phones: ["+41791234567"],
  });
  assert.equal(email.status, 422);
  const ok = await call("POST", "/channels", {
    name: "On call",
    kind: "sms",
    phones: ["+41791234567", "+14155550123", "+41791234567"],
  });
  assert.equal(ok.status, 201, ok.text);
  assert.deepEqual(ok.body.data.phones, ["+41791234567", "+14155550123"]);
  assert.equal(ok.body.data.url, null);
  channelId = ok.body.data.id;
  const patched = await call("PATCH", `/channels/${channelId}`, { phones: ["+14155550123"] });
  assert.equal(patched.status, 200, patched.text);
  assert.deepEqual(patched.body.data.phones, ["+14155550123"]);
});

async function failedSync(): Promise<string> {
  const [job] = await sql<{ id: string }[]>`
    insert into public.jobs (org_id, kind, status, error)
    values (${orgId}, 'servicenow.sync', 'failed', 'The instance answered 401') returning id`;
  return job!.id;
}

Deno.test("an alert is texted through Twilio's Messages API, form-encoded with basic auth", async () => {
  const rule = await call("POST", "/rules", {
    name: "Sync failures by SMS",
    event: "job.failed",
    channel_ids: [channelId],
    throttle_minutes: 0,
  });
  assert.equal(rule.status, 201, rule.text);
  const jobId = await failedSync();
  const outcome = await notifyJobEnded(services, {
    orgId,
    jobId,
    kind: "servicenow.sync",
    status: "failed",
  });
  assert.deepEqual(outcome, { sent: 1, failed: 0, throttled: 0, duplicates: 0 });
  assert.equal(texts.length, 1);
  const text = texts[0]!;
  assert.equal(text.auth, `Basic ${btoa(`${SID}:${TOKEN}`)}`);
  assert.equal(text.type, "application/x-www-form-urlencoded");
  assert.equal(text.form.get("To"), "+14155550123");
  assert.equal(text.form.get("From"), "+15005550006");
  assert.match(text.form.get("Body")!, /^ComplianceIQ: A sync failed\n.*answered 401/);
  assert.match(text.form.get("Body")!, /https:\/\/ciq\.example\/app\/instances$/);

  const log = await call("GET", "/deliveries");
  const sms = log.body.data.find((d: { channel_kind: string }) => d.channel_kind === "sms");
  assert.equal(sms.status, "sent");
  assert.equal(sms.response_code, 201);
});

Deno.test("Twilio's refusal is a failed delivery with its reason and status", async () => {
  twilioStatus = 400;
  try {
    const jobId = await failedSync();
    const outcome = await notifyJobEnded(services, {
      orgId,
      jobId,
      kind: "servicenow.sync",
      status: "failed",
    });
    assert.equal(outcome?.failed, 1);
    const log = await call("GET", "/deliveries");
    const sms = log.body.data.find((d: { channel_kind: string; cause_key: string }) =>
      d.channel_kind === "sms" && d.cause_key === `job:${jobId}`
    );
    assert.equal(sms.status, "failed");
    assert.equal(sms.response_code, 400);
    assert.match(sms.error, /Twilio answered 400: The 'To' number is not a valid phone number/);
  } finally {
    twilioStatus = 201;
  }
});

Deno.test("a long alert is cut to three SMS segments, keeping its link", () => {
  const text = smsText({
    event: "job.failed",
    title: "A sync failed",
    body: "x".repeat(2000),
    link: "https://ciq.example/app/instances",
    org_id: orgId,
    cause_key: "job:1",
    details: {},
  });
  assert.equal(text.length, SMS_MAX_CHARS);
  assert.ok(text.endsWith("…\nhttps://ciq.example/app/instances"));
});

Deno.test("the dev SMS outbox keeps texts, listed and emptied over HTTP", async () => {
  const server = await createAuthServer({ sql, siteUrl: "http://localhost:9999" });
  const outbox = devSmsOutbox(sql);
  assert.deepEqual(await outbox.send("+14155550123", "first"), {
    ok: true,
    status: null,
    error: null,
  });
  await outbox.send("+41791234567", "second");
  const list = async (query = "") => {
    const res = await server.fetch(new Request(`http://localhost:9999/auth/v1/_dev/sms${query}`));
    assert.equal(res.status, 200);
    return (await res.json() as { messages: { to: string; body: string }[] }).messages;
  };
  assert.deepEqual((await list()).map((m) => m.body).sort(), ["first", "second"]);
  assert.deepEqual(
    (await list(`?to=${encodeURIComponent("+41791234567")}`)).map((m) => m.body),
    ["second"],
  );
  const cleared = await server.fetch(
    new Request("http://localhost:9999/auth/v1/_dev/sms", { method: "DELETE" }),
  );
  assert.equal(cleared.status, 204);
  assert.deepEqual(await list(), []);
});

Deno.test("SMS_PROVIDER=twilio needs its credentials; a Messaging Service SID is sent as such", async () => {
  assert.throws(
    () => loadConfig({ SMS_PROVIDER: "twilio", TWILIO_ACCOUNT_SID: SID }),
    /TWILIO_ACCOUNT_SID, TWILIO_AUTH_TOKEN and TWILIO_FROM/,
  );
  assert.throws(() => loadConfig({ TWILIO_FROM: "0791234567" }), /TWILIO_FROM/);
  assert.equal(smsFromConfig(loadConfig({})).kind, "none");
  const service = `MG${"0123456789abcdef".repeat(2)}`;
  const sender = smsFromConfig(loadConfig({
    SMS_PROVIDER: "twilio",
    TWILIO_ACCOUNT_SID: SID,
    TWILIO_AUTH_TOKEN: TOKEN,
    TWILIO_FROM: service,
  }));
  assert.equal(sender.kind, "twilio");
  texts.length = 0;
  assert.equal((await sender.send("+14155550123", "hello")).ok, true);
  assert.equal(texts[0]!.form.get("MessagingServiceSid"), service);
  assert.equal(texts[0]!.form.get("From"), null);
});
