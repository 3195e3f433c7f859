import type { Config } from "../env/mod.ts";
import { type Mailer, smtpMailer, unconfiguredMailer } from "./mailers.ts";
import { sendgridMailer } from "./sendgrid.ts";

/** The mail provider the configuration picks: MAIL_PROVIDER, else SMTP when SMTP_URL is set. */
export function mailProvider(config: Config): "smtp" | "sendgrid" | "none" {
  return config.MAIL_PROVIDER ?? (config.SMTP_URL ? "smtp" : "none");
}

/**
 * The mailer the configuration asks for: SMTP through nodemailer (`SMTP_URL`),
 * SendGrid's HTTP API (`SENDGRID_API_KEY`), or one that refuses with 503 (the
 * dev stack passes its mailbox mailer instead). nodemailer is loaded on the
 * first send, so functions that never mail do not load it.
 *
 * @param config validated configuration
 * @param options a fetch for SendGrid (tests)
 */
export function mailerFromConfig(config: Config, options: { fetch?: typeof fetch } = {}): Mailer {
  const provider = mailProvider(config);
  if (provider === "sendgrid" && config.SENDGRID_API_KEY) {
    return sendgridMailer({
      apiKey: config.SENDGRID_API_KEY,
      from: config.MAIL_FROM,
      fetch: options.fetch,
    });
  }
  const url = config.SMTP_URL;
  if (provider !== "smtp" || !url) return unconfiguredMailer();
  let transport: Promise<{ sendMail(message: unknown): Promise<unknown> }> | null = null;
  return smtpMailer(config.MAIL_FROM, (message) => {
    transport ??= import("nodemailer").then((m) => m.default.createTransport(url));
    return transport.then((t) => t.sendMail(message));
  });
}
