import { Buffer } from "node:buffer";
import type { Sql } from "../db/mod.ts";
import { HttpError } from "../http/errors.ts";
import type { Logger } from "../log/mod.ts";

/** A file attached to an email. */
export interface MailAttachment {
  filename: string;
  content_type: string;
  content: Uint8Array;
}

/** One email: plain text and HTML bodies, and the link it asks the reader to open. */
export interface OutgoingMail {
  to: string;
  subject: string;
  text: string;
  html: string;
  /** The action link in the body (empty when there is none, e.g. a report sent attached). */
  link: string;
  /** What the email is for, e.g. `invite`, `alert`, `report`. */
  kind: string;
  /** Extra headers, e.g. `List-Unsubscribe` and `List-Unsubscribe-Post` (RFC 8058). */
  headers?: Record<string, string>;
  /** Files sent along (a scheduled report under the attachment limit). */
  attachments?: MailAttachment[];
}

/** Sends email. */
export interface Mailer {
  /** How mail leaves: `dev-mailbox`, `smtp`, `sendgrid`, `memory` or `none`. */
  readonly kind: string;
  /** Sends one email; throws an {@linkcode HttpError} (502/503) when it cannot. */
  send(mail: OutgoingMail): Promise<void>;
}

/** A mailer that keeps what it was asked to send, for tests. */
export interface MemoryMailer extends Mailer {
  readonly sent: OutgoingMail[];
  /** Makes the next sends fail as a provider outage would. */
  failing: boolean;
}

/**
 * Delivers into the dev mailbox of the local auth stand-in (`auth_dev.mailbox`,
 * readable at `/auth/v1/_dev/mailbox`) and prints the link, as the stand-in does
 * for its own emails. Attachments are recorded by name, type, size and SHA-256.
 *
 * @param sql the dev stack's pool
 * @param log where the link is printed
 */
export function devMailboxMailer(sql: Sql, log?: Logger): Mailer {
  return {
    kind: "dev-mailbox",
    async send(mail) {
      const attachments = await Promise.all((mail.attachments ?? []).map(describeAttachment));
      await sql`
        insert into auth_dev.mailbox
          (id, to_email, subject, text_body, html_body, link, type, otp, attachments, created_at)
        values (${crypto.randomUUID()}, ${mail.to}, ${mail.subject}, ${mail.text}, ${mail.html},
                ${mail.link}, ${mail.kind}, '', ${sql.json(attachments as never)}, now())`;
      log?.info(
        `Email to ${mail.to}: "${mail.subject}".${mail.link ? ` Open: ${mail.link}` : ""}`,
        { type: mail.kind, attachments: attachments.length },
      );
    },
  };
}

/** What the dev mailbox keeps of an attachment: its name, type, size and SHA-256. */
async function describeAttachment(a: MailAttachment) {
  const digest = await crypto.subtle.digest("SHA-256", a.content as BufferSource);
  return {
    filename: a.filename,
    content_type: a.content_type,
    size: a.content.length,
    sha256: [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, "0")).join(""),
  };
}

/** An outbox in memory, for tests. */
export function memoryMailer(): MemoryMailer {
  const sent: OutgoingMail[] = [];
  const mailer: MemoryMailer = {
    kind: "memory",
    sent,
    failing: false,
    send(mail) {
      if (mailer.failing) return Promise.reject(sendFailed(new Error("memory mailer failing")));
      sent.push(mail);
      return Promise.resolve();
    },
  };
  return mailer;
}

/** Transport of {@linkcode smtpMailer}: nodemailer's `sendMail`, or a test double. */
export type SendMail = (message: {
  from: string;
  to: string;
  subject: string;
  text: string;
  html: string;
  headers?: Record<string, string>;
  attachments?: { filename: string; content: Buffer; contentType: string }[];
}) => Promise<unknown>;

/**
 * Sends through an SMTP provider.
 *
 * @param from the From header, e.g. `ComplianceIQ <no-reply@example.com>`
 * @param sendMail the transport's send function
 */
export function smtpMailer(from: string, sendMail: SendMail): Mailer {
  return {
    kind: "smtp",
    async send(mail) {
      try {
        await sendMail({
          from,
          to: mail.to,
          subject: mail.subject,
          text: mail.text,
          html: mail.html,
          ...(mail.headers ? { headers: mail.headers } : {}),
          ...(mail.attachments?.length
            ? {
              attachments: mail.attachments.map((a) => ({
                filename: a.filename,
                content: Buffer.from(a.content),
                contentType: a.content_type,
              })),
            }
            : {}),
        });
      } catch (error) {
        throw sendFailed(error);
      }
    },
  };
}

/** Refuses to send: no mail provider is configured (hosted without MAIL_PROVIDER/SMTP_URL). */
export function unconfiguredMailer(): Mailer {
  return {
    kind: "none",
    send() {
      return Promise.reject(
        new HttpError(
          503,
          "Email is not configured on this deployment: set SMTP_URL or MAIL_PROVIDER",
          {
            code: "mail_not_configured",
          },
        ),
      );
    },
  };
}

function sendFailed(cause: unknown): HttpError {
  const error = new HttpError(502, "The email could not be sent: try again in a moment", {
    code: "mail_failed",
  });
  (error as Error & { cause?: unknown }).cause = cause;
  return error;
}
