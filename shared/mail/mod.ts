/**
 * Email the product sends itself (invitations, alerts, scheduled reports). One interface, four
 * ways out: the dev mailbox of the local auth stand-in (`deno task dev`), SMTP
 * through nodemailer (`SMTP_URL`) or SendGrid's HTTP API (`MAIL_PROVIDER=sendgrid`)
 * when hosted, and an in-memory outbox in tests.
 *
 * @module
 */
export { devMailboxMailer, memoryMailer, smtpMailer, unconfiguredMailer } from "./mailers.ts";
export type { MailAttachment, Mailer, MemoryMailer, OutgoingMail } from "./mailers.ts";
export { mailerFromConfig, mailProvider } from "./config.ts";
export { parseFrom, sendgridMailer } from "./sendgrid.ts";
