/**
 * Email the product sends itself (today: invitations). One interface, three
 * ways out: the dev mailbox of the local auth stand-in (`deno task dev`), SMTP
 * when hosted (`SMTP_URL`, the same provider Supabase Auth is configured
 * with), and an in-memory outbox in tests.
 *
 * @module
 */
export { devMailboxMailer, memoryMailer, smtpMailer, unconfiguredMailer } from "./mailers.ts";
export type { Mailer, MemoryMailer, OutgoingMail } from "./mailers.ts";
export { mailerFromConfig } from "./config.ts";
