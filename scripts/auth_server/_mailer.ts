import type postgres from "postgres";
import type { Sql } from "../../shared/db/mod.ts";
import type { Logger } from "../../shared/log/mod.ts";

/** Which email flow a message belongs to (the `type` of its verify link). */
export type MailType = "signup" | "recovery" | "email_change" | "magiclink";

/** An attachment as the mailbox keeps it (not its bytes). */
export interface MailAttachment {
  filename: string;
  content_type: string;
  size: number;
  /** Lowercase hex SHA-256 of the bytes. */
  sha256: string;
}

/** An email the stand-in would have sent, kept in `auth_dev.mailbox`. */
export interface MailMessage {
  id: string;
  to: string;
  subject: string;
  text: string;
  html: string;
  /** The action URL: `${siteUrl}/auth/v1/verify?token=…&type=…&redirect_to=…` ("" for other emails). */
  link: string;
  /**
   * An auth flow, or what the product's own email is for (`invite`, `alert`,
   * `report`, …: `OutgoingMail.kind` of `shared/mail`).
   */
  type: string;
  attachments: MailAttachment[];
  /** The one-time code the email shows (for `verifyOtp({ email, token })`). */
  otp: string;
  /** ISO 8601 time the email was captured. */
  created_at: string;
}

/** Read access to captured emails. */
export interface Mailbox {
  /** Captured emails, newest first; `to` matches case-insensitively. */
  list(filter?: { to?: string }): Promise<MailMessage[]>;
  /** Deletes every captured email. */
  clear(): Promise<void>;
}

/** What a flow needs to send one email. */
export interface MailDraft {
  to: string;
  type: MailType;
  otp: string;
  link: string;
  /** For email-change mails: which address is being confirmed. */
  newEmail?: string;
}

const SUBJECTS: Record<MailType, string> = {
  signup: "Confirm Your Signup",
  recovery: "Reset Your Password",
  magiclink: "Your Magic Link",
  email_change: "Confirm Email Change",
};

interface MailRow {
  id: string;
  to_email: string;
  subject: string;
  text_body: string;
  html_body: string;
  link: string;
  type: string;
  otp: string;
  attachments: MailAttachment[];
  created_at: Date;
}

/**
 * Stores a message in `auth_dev.mailbox` inside the caller's transaction, so a
 * rolled-back flow leaves no email behind.
 *
 * @param tx the open transaction
 * @param draft recipient, flow, code and link
 * @param now the time to stamp
 */
export async function storeMail(
  tx: postgres.ISql,
  draft: MailDraft,
  now: Date,
): Promise<MailMessage> {
  const { text, html } = renderBody(draft);
  const message: MailMessage = {
    id: crypto.randomUUID(),
    to: draft.to,
    subject: SUBJECTS[draft.type],
    text,
    html,
    link: draft.link,
    type: draft.type,
    otp: draft.otp,
    attachments: [],
    created_at: now.toISOString(),
  };
  await tx`
    insert into auth_dev.mailbox (id, to_email, subject, text_body, html_body, link, type, otp, created_at)
    values (${message.id}, ${message.to}, ${message.subject}, ${text}, ${html}, ${message.link},
            ${message.type}, ${message.otp}, ${now})`;
  return message;
}

/**
 * Prints captured emails once their transaction committed: one readable line
 * and the link, so a developer can click through from the console.
 *
 * @param log where to print; nothing is printed without one
 * @param messages the committed messages
 */
export function announceMail(log: Logger | undefined, messages: MailMessage[]): void {
  for (const m of messages) {
    log?.info(`Email to ${m.to}: "${m.subject}" (code ${m.otp}). Open: ${m.link}`, {
      type: m.type,
      link: m.link,
    });
  }
}

/**
 * The mailbox over `auth_dev.mailbox`.
 *
 * @param sql the login-role pool
 */
export function createMailbox(sql: Sql): Mailbox {
  return {
    async list(filter = {}) {
      const rows = filter.to
        ? await sql<MailRow[]>`
            select * from auth_dev.mailbox where lower(to_email) = lower(${filter.to})
            order by created_at desc, id`
        : await sql<MailRow[]>`select * from auth_dev.mailbox order by created_at desc, id`;
      return rows.map((r) => ({
        id: r.id,
        to: r.to_email,
        subject: r.subject,
        text: r.text_body,
        html: r.html_body,
        link: r.link,
        type: r.type,
        otp: r.otp,
        attachments: r.attachments,
        created_at: r.created_at.toISOString(),
      }));
    },
    async clear() {
      await sql`delete from auth_dev.mailbox`;
    },
  };
}

function renderBody(draft: MailDraft): { text: string; html: string } {
  let heading: string;
  let action: string;
  let label: string;
  switch (draft.type) {
    case "signup":
      heading = "Confirm your signup";
      action = "Follow this link to confirm your user:";
      label = "Confirm your mail";
      break;
    case "recovery":
      heading = "Reset Password";
      action = "Follow this link to reset the password for your user:";
      label = "Reset Password";
      break;
    case "magiclink":
      heading = "Magic Link";
      action = "Follow this link to login:";
      label = "Log In";
      break;
    case "email_change":
      heading = "Confirm Change of Email";
      action = `Follow this link to confirm the update of your email to ${
        draft.newEmail ?? draft.to
      }:`;
      label = "Change Email";
      break;
  }
  const text =
    `${heading}\n\n${action}\n${draft.link}\n\nAlternatively, enter the code: ${draft.otp}\n`;
  const html = `<h2>${escapeHtml(heading)}</h2>\n<p>${escapeHtml(action)}</p>\n<p><a href="${
    escapeHtml(draft.link)
  }">${escapeHtml(label)}</a></p>\n<p>Alternatively, enter the code: ${
    escapeHtml(draft.otp)
  }</p>\n`;
  return { text, html };
}

function escapeHtml(text: string): string {
  return text.replaceAll("&", "&amp;").replaceAll("<", "&lt;").replaceAll(">", "&gt;")
    .replaceAll('"', "&quot;").replaceAll("'", "&#39;");
}
