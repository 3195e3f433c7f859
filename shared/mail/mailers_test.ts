import assert from "node:assert/strict";
import { loadConfig } from "../env/mod.ts";
import { HttpError } from "../http/errors.ts";
import { mailerFromConfig, memoryMailer, smtpMailer } from "./mod.ts";

const MAIL = {
  to: "someone@example.test",
  subject: "Join Acme on ComplianceIQ",
  text: "Open https://app.example.test/invite#token=x",
  html: "<p>Open</p>",
  link: "https://app.example.test/invite#token=x",
  kind: "invite",
};

Deno.test("SMTP mail goes out with the configured sender, and a provider failure is a 502", async () => {
  const sent: unknown[] = [];
  const mailer = smtpMailer("ComplianceIQ <no-reply@example.test>", (message) => {
    sent.push(message);
    return Promise.resolve();
  });
  await mailer.send(MAIL);
  assert.deepEqual(sent, [{
    from: "ComplianceIQ <no-reply@example.test>",
    to: MAIL.to,
    subject: MAIL.subject,
    text: MAIL.text,
    html: MAIL.html,
  }]);
  const broken = smtpMailer("x <x@example.test>", () => Promise.reject(new Error("550 relay")));
  await assert.rejects(
    broken.send(MAIL),
    (error: HttpError) => error.status === 502 && error.code === "mail_failed",
  );
});

Deno.test("without SMTP_URL a hosted deployment refuses to send with 503", async () => {
  const mailer = mailerFromConfig(loadConfig({}));
  assert.equal(mailer.kind, "none");
  await assert.rejects(
    mailer.send(MAIL),
    (error: HttpError) => error.status === 503 && error.code === "mail_not_configured",
  );
  assert.equal(
    mailerFromConfig(loadConfig({ SMTP_URL: "smtp://mail.example.test:587" })).kind,
    "smtp",
  );
  assert.throws(() => loadConfig({ SMTP_URL: "http://mail.example.test" }), /SMTP_URL/);
});

Deno.test("the memory mailer keeps what was sent and can be made to fail", async () => {
  const mailer = memoryMailer();
  await mailer.send(MAIL);
  assert.equal(mailer.sent.length, 1);
  mailer.failing = true;
  await assert.rejects(mailer.send(MAIL), (error: HttpError) => error.status === 502);
  assert.equal(mailer.sent.length, 1);
});

Deno.test("SMTP through nodemailer: an unreachable server is a 502, not a crash", async () => {
  const mailer = mailerFromConfig(loadConfig({ SMTP_URL: "smtp://127.0.0.1:1" }));
  await assert.rejects(
    mailer.send(MAIL),
    (error: HttpError) => error.status === 502 && error.code === "mail_failed",
  );
});
