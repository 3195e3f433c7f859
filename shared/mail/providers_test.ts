// The mail providers chosen by configuration, against the real thing or its
// wire format: SMTP through nodemailer to a real SMTP server (`smtp-server`)
// started here, SendGrid's v3 mail/send through msw.
import assert from "node:assert/strict";
import { http, HttpResponse } from "msw";
import { setupServer } from "msw/node";
import { SMTPServer } from "smtp-server";
import { loadConfig } from "../env/mod.ts";
import { HttpError } from "../http/errors.ts";
import { mailerFromConfig, parseFrom } from "./mod.ts";

const MAIL = {
  to: "ciso@example.test",
  subject: "[ComplianceIQ] 3 new critical findings on Production",
  text:
    "The latest analysis found 3 new critical results.\n\nOpen: https://app.example.test/app/analysis\n",
  html:
    '<h1>3 new critical findings</h1><p><a href="https://app.example.test/app/analysis">Open</a></p>',
  link: "https://app.example.test/app/analysis",
  kind: "alert",
};

const sendgridCalls: { headers: Headers; body: Record<string, unknown> }[] = [];
let sendgridStatus = 202;
const msw = setupServer(
  http.post("https://api.sendgrid.com/v3/mail/send", async ({ request }) => {
    sendgridCalls.push({
      headers: request.headers,
      body: await request.json() as Record<string, unknown>,
    });
    return sendgridStatus === 202
      ? new HttpResponse(null, { status: 202 })
      : HttpResponse.json({ errors: [{ message: "The from address does not match" }] }, {
        status: sendgridStatus,
      });
  }),
);
msw.listen({ onUnhandledRequest: "bypass" });
Deno.test.afterAll(() => msw.close());

interface Received {
  from: string | undefined;
  to: string[];
  raw: string;
}

/** A real SMTP server on a free local port that keeps what it receives. */
async function startSmtp(): Promise<{ url: string; received: Received[]; close(): Promise<void> }> {
  const received: Received[] = [];
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ["STARTTLS"],
    logger: false,
    onAuth(auth, _session, callback) {
      if (auth.username === "mailer" && auth.password === "s3cret") {
        return callback(null, { user: "mailer" });
      }
      return callback(new Error("Invalid username or password"));
    },
    onData(stream, session, callback) {
      const chunks: Uint8Array[] = [];
      stream.on("data", (chunk: Uint8Array) => chunks.push(chunk));
      stream.on("end", () => {
        const envelope = session.envelope;
        received.push({
          from: envelope.mailFrom ? envelope.mailFrom.address : undefined,
          to: envelope.rcptTo.map((r) => r.address),
          raw: new TextDecoder().decode(
            Uint8Array.from(chunks.flatMap((c) => [...c])),
          ),
        });
        callback();
      });
    },
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.server.address() as { port: number }).port;
  return {
    url: `smtp://mailer:s3cret@127.0.0.1:${port}`,
    received,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

Deno.test("SMTP: nodemailer delivers text and HTML parts, recipient, sender and subject to a real SMTP server", async () => {
  const smtp = await startSmtp();
  try {
    const mailer = mailerFromConfig(loadConfig({
      SMTP_URL: smtp.url,
      MAIL_FROM: "ComplianceIQ <alerts@complianceiq.test>",
    }));
    assert.equal(mailer.kind, "smtp");
    await mailer.send(MAIL);
    assert.equal(smtp.received.length, 1);
    const [mail] = smtp.received;
    assert.equal(mail!.from, "alerts@complianceiq.test");
    assert.deepEqual(mail!.to, ["ciso@example.test"]);
    const raw = mail!.raw.replace(/=\r?\n/g, "");
    assert.match(raw, /^To: ciso@example\.test$/m);
    assert.match(raw, /^From: ComplianceIQ <alerts@complianceiq\.test>$/m);
    assert.match(raw, /^Subject: \[ComplianceIQ\] 3 new critical findings on Production$/m);
    assert.match(raw, /Content-Type: multipart\/alternative/);
    assert.match(raw, /Content-Type: text\/plain[\s\S]*The latest analysis found 3 new critical/);
    assert.match(raw, /Content-Type: text\/html[\s\S]*<h1>3 new critical findings<\/h1>/);
  } finally {
    await smtp.close();
  }
});

const REPORT_MAIL = {
  ...MAIL,
  subject: "Report: Monthly posture (2027-02-01)",
  kind: "report",
  link: "",
  attachments: [{
    filename: "monthly-posture.csv",
    content_type: "text/csv",
    content: new TextEncoder().encode("\uFEFFcheck,verdict\r\nZoë's check,FAIL\r\n"),
  }],
};

Deno.test("SMTP: a report's file goes as an attachment with its name, type and exact bytes", async () => {
  const smtp = await startSmtp();
  try {
    const mailer = mailerFromConfig(loadConfig({ SMTP_URL: smtp.url }));
    await mailer.send(REPORT_MAIL);
    const raw = smtp.received[0]!.raw;
    assert.match(raw, /Content-Type: multipart\/mixed/);
    const part = /Content-Type: text\/csv; name=(\S+)\r?\n([\s\S]*?)\r?\n\r?\n([\s\S]*?)\r?\n--/
      .exec(raw);
    assert.ok(part, raw);
    assert.match(part[1]!, /monthly-posture\.csv/);
    assert.match(part[2]!, /Content-Disposition: attachment; filename=monthly-posture\.csv/);
    assert.match(part[2]!, /Content-Transfer-Encoding: base64/);
    const bytes = Uint8Array.from(atob(part[3]!.replace(/\s/g, "")), (c) => c.charCodeAt(0));
    assert.deepEqual(bytes, REPORT_MAIL.attachments[0]!.content);
  } finally {
    await smtp.close();
  }
});

Deno.test("SMTP: wrong credentials are a 502 naming the failure, nothing is delivered", async () => {
  const smtp = await startSmtp();
  try {
    const mailer = mailerFromConfig(loadConfig({ SMTP_URL: smtp.url.replace("s3cret", "wrong") }));
    await assert.rejects(
      mailer.send(MAIL),
      (error: HttpError) => error.status === 502 && error.code === "mail_failed",
    );
    assert.equal(smtp.received.length, 0);
  } finally {
    await smtp.close();
  }
});

Deno.test("SendGrid: MAIL_PROVIDER=sendgrid posts one v3 mail/send with the key, sender and both parts", async () => {
  sendgridCalls.length = 0;
  sendgridStatus = 202;
  const mailer = mailerFromConfig(loadConfig({
    MAIL_PROVIDER: "sendgrid",
    SENDGRID_API_KEY: "SG.test-key-0123456789",
    MAIL_FROM: "ComplianceIQ <alerts@complianceiq.test>",
  }));
  assert.equal(mailer.kind, "sendgrid");
  await mailer.send(MAIL);
  assert.equal(sendgridCalls.length, 1);
  const call = sendgridCalls[0]!;
  assert.equal(call.headers.get("authorization"), "Bearer SG.test-key-0123456789");
  assert.equal(call.headers.get("content-type"), "application/json");
  assert.deepEqual(call.body, {
    personalizations: [{ to: [{ email: "ciso@example.test" }] }],
    from: { email: "alerts@complianceiq.test", name: "ComplianceIQ" },
    subject: MAIL.subject,
    content: [{ type: "text/plain", value: MAIL.text }, { type: "text/html", value: MAIL.html }],
    categories: ["alert"],
  });
});

Deno.test("SendGrid: a report's file is sent base64 as an attachment", async () => {
  sendgridCalls.length = 0;
  sendgridStatus = 202;
  const mailer = mailerFromConfig(loadConfig({
    MAIL_PROVIDER: "sendgrid",
    SENDGRID_API_KEY: "SG.test-key-0123456789",
  }));
  await mailer.send(REPORT_MAIL);
  const body = sendgridCalls[0]!.body;
  assert.deepEqual(body.categories, ["report"]);
  assert.deepEqual(body.attachments, [{
    content: btoa(String.fromCharCode(...REPORT_MAIL.attachments[0]!.content)),
    filename: "monthly-posture.csv",
    type: "text/csv",
    disposition: "attachment",
  }]);
});

Deno.test("SendGrid: a refusal is a 502 with SendGrid's reason", async () => {
  sendgridStatus = 403;
  try {
    const mailer = mailerFromConfig(loadConfig({
      MAIL_PROVIDER: "sendgrid",
      SENDGRID_API_KEY: "SG.test-key-0123456789",
    }));
    await assert.rejects(
      mailer.send(MAIL),
      (error: HttpError) =>
        error.status === 502 && /SendGrid answered 403.*from address/.test(error.message),
    );
  } finally {
    sendgridStatus = 202;
  }
});

Deno.test("a provider without its credentials stops the start with the variable named", () => {
  assert.throws(() => loadConfig({ MAIL_PROVIDER: "sendgrid" }), /SENDGRID_API_KEY/);
  assert.throws(() => loadConfig({ MAIL_PROVIDER: "smtp" }), /SMTP_URL/);
  assert.equal(
    mailerFromConfig(loadConfig({ MAIL_PROVIDER: "none", SMTP_URL: "smtp://x.test" })).kind,
    "none",
  );
  assert.deepEqual(parseFrom("alerts@x.test"), { email: "alerts@x.test" });
  assert.deepEqual(parseFrom('"Acme Alerts" <a@x.test>'), {
    email: "a@x.test",
    name: "Acme Alerts",
  });
});
