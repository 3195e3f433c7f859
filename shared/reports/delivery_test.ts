// The delivery building blocks without a database: email through the
// product's mailer (`shared/mail`; its providers are tested there), Standard
// Webhooks signatures checked by the spec's own library, and webhook URL checks
// (https, public addresses) with a resolver we control.
import assert from "node:assert/strict";
import { Webhook } from "standardwebhooks";
import { memoryMailer, unconfiguredMailer } from "../mail/mod.ts";
import { loadReportsConfig } from "./config.ts";
import {
  checkWebhookUrl,
  createReportDelivery,
  generateWebhookSecret,
  signWebhook,
  WebhookUrlError,
} from "./delivery.ts";

Deno.test("email goes through the product's mailer as kind report, attachment included; a refusal is a failed delivery", async () => {
  const mailer = memoryMailer();
  const delivery = createReportDelivery({ mailer });
  const message = {
    to: "ciso@example.com",
    subject: "Report: Monthly (2027-02-01)",
    text: "plain",
    html: "<p>html</p>",
    link: "",
    attachment: {
      filename: "r.csv",
      content_type: "text/csv",
      content: new TextEncoder().encode("a,b\r\n"),
    },
  };
  assert.deepEqual(await delivery.email(message), { ok: true, status: null, error: null });
  assert.deepEqual(mailer.sent, [{
    to: "ciso@example.com",
    subject: "Report: Monthly (2027-02-01)",
    text: "plain",
    html: "<p>html</p>",
    link: "",
    kind: "report",
    attachments: [message.attachment],
  }]);
  mailer.failing = true;
  const refused = await delivery.email(message);
  assert.equal(refused.ok, false);
  assert.match(refused.error!, /The email could not be sent/);
  const unconfigured = createReportDelivery({ mailer: unconfiguredMailer() });
  assert.match(
    (await unconfigured.email(message)).error!,
    /Email is not configured.*MAIL_PROVIDER/,
  );
});

Deno.test("the retired REPORTS_EMAIL_* variables stop the start, naming MAIL_PROVIDER", () => {
  assert.throws(
    () => loadReportsConfig({ REPORTS_EMAIL_PROVIDER: "sendgrid" }),
    /REPORTS_EMAIL_PROVIDER no longer exist.*MAIL_PROVIDER/,
  );
  assert.throws(() => loadReportsConfig({ REPORTS_EMAIL_FROM: "r@x.test" }), /MAIL_FROM/);
  assert.equal(loadReportsConfig({}).REPORTS_EMAIL_LINK_DAYS, 7);
});

Deno.test("webhook signatures verify with the standardwebhooks library, and only for those bytes", async () => {
  const secret = generateWebhookSecret();
  const body = JSON.stringify({ type: "report.generated", data: { name: "Zoë's report" } });
  const timestamp = Math.floor(Date.now() / 1000);
  const headers = {
    "webhook-id": "msg_1",
    "webhook-timestamp": String(timestamp),
    "webhook-signature": await signWebhook(secret, "msg_1", timestamp, body),
  };
  assert.deepEqual(new Webhook(secret).verify(body, headers), JSON.parse(body));
  assert.throws(() => new Webhook(secret).verify(body.replace("Zoë", "Zoe"), headers));
  assert.throws(() => new Webhook(generateWebhookSecret()).verify(body, headers));
});

Deno.test("webhook URLs: https and public addresses only, unless dev mode", async () => {
  const resolve = (host: string) =>
    Promise.resolve(host === "inside.example.com" ? ["10.0.0.5"] : ["93.184.215.14"]);
  assert.equal(
    await checkWebhookUrl("https://hooks.example.com/in#frag", { resolve }),
    "https://hooks.example.com/in",
  );
  for (
    const [url, reason] of [
      ["http://hooks.example.com/", /https/],
      ["https://user:pw@hooks.example.com/", /credentials/],
      ["https://inside.example.com/", /private/],
      ["https://169.254.169.254/latest", /link-local/],
      ["https://localhost/", /internal name/],
      ["not a url", /not a valid URL/],
    ] as const
  ) {
    await assert.rejects(checkWebhookUrl(url, { resolve }), (e: Error) => {
      assert.ok(e instanceof WebhookUrlError, url);
      assert.match(e.message, reason, url);
      return true;
    });
  }
  assert.equal(
    await checkWebhookUrl("http://127.0.0.1:8000/hook", { allowPrivate: true }),
    "http://127.0.0.1:8000/hook",
  );
});
