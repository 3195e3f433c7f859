// The delivery building blocks without a database: SendGrid's mail-send API
// through msw, Standard Webhooks signatures checked by the spec's own library,
// and webhook URL checks (https, public addresses) with a resolver we control.
import assert from "node:assert/strict";
import { http, HttpResponse } from "msw";
import { setupServer } from "msw/node";
import { Webhook } from "standardwebhooks";
import {
  checkWebhookUrl,
  generateWebhookSecret,
  sendgridEmail,
  signWebhook,
  WebhookUrlError,
} from "./delivery.ts";

const sent: { auth: string | null; body: Record<string, unknown> }[] = [];
let status = 202;
const server = setupServer(
  http.post("https://api.sendgrid.com/v3/mail/send", async ({ request }) => {
    sent.push({
      auth: request.headers.get("authorization"),
      body: await request.json() as Record<string, unknown>,
    });
    return status === 202
      ? new HttpResponse(null, { status: 202 })
      : HttpResponse.json({ errors: [{ message: "The from address does not match" }] }, {
        status,
      });
  }),
);
server.listen({ onUnhandledRequest: "error" });
Deno.test.afterAll(() => server.close());

Deno.test("SendGrid: one mail-send call with both parts and the attachment base64; failures keep the status", async () => {
  const send = sendgridEmail({ apiKey: "SG.test-key-0123456789" });
  const message = {
    to: "ciso@example.com",
    from: "reports@example.com",
    subject: "Report: Monthly (2027-02-01)",
    text: "plain",
    html: "<p>html</p>",
    attachment: {
      filename: "r.csv",
      content_type: "text/csv",
      content: new TextEncoder().encode("a,b\r\n"),
    },
  };
  assert.deepEqual(await send(message), { ok: true, status: 202, error: null });
  const [call] = sent;
  assert.equal(call!.auth, "Bearer SG.test-key-0123456789");
  assert.deepEqual(call!.body.personalizations, [{ to: [{ email: "ciso@example.com" }] }]);
  assert.deepEqual(call!.body.content, [
    { type: "text/plain", value: "plain" },
    { type: "text/html", value: "<p>html</p>" },
  ]);
  assert.deepEqual(call!.body.attachments, [{
    content: btoa("a,b\r\n"),
    filename: "r.csv",
    type: "text/csv",
    disposition: "attachment",
  }]);
  status = 403;
  const refused = await send(message);
  assert.equal(refused.ok, false);
  assert.equal(refused.status, 403);
  assert.match(refused.error!, /from address does not match/);
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
