import type { Config } from "../env/mod.ts";
import { type Mailer, smtpMailer, unconfiguredMailer } from "./mailers.ts";

/**
 * The mailer the configuration asks for: SMTP when `SMTP_URL` is set, else one
 * that refuses with 503 (the dev stack passes its mailbox mailer instead).
 * nodemailer is loaded on the first send, so functions that never mail do not
 * load it.
 *
 * @param config validated configuration
 */
export function mailerFromConfig(config: Config): Mailer {
  const url = config.SMTP_URL;
  if (!url) return unconfiguredMailer();
  let transport: Promise<{ sendMail(message: unknown): Promise<unknown> }> | null = null;
  return smtpMailer(config.MAIL_FROM, (message) => {
    transport ??= import("nodemailer").then((m) => m.default.createTransport(url));
    return transport.then((t) => t.sendMail(message));
  });
}
