// Report deliveries in `deno task dev`: emails go to the auth stand-in's dev
// mailbox (GET /auth/v1/_dev/mailbox shows them, attachments by name, size and
// SHA-256), webhooks are signed POSTs that may target local addresses.
import { createDevMailSender } from "../auth_server/mod.ts";
import type { Sql } from "../../shared/db/mod.ts";
import type { Logger } from "../../shared/log/mod.ts";
import {
  createReportDelivery,
  type DeliverySetup,
  type EmailSender,
} from "../../shared/reports/mod.ts";

/** An email sender that captures report emails in the dev mailbox. */
export function devMailboxEmail(sql: Sql, log?: Logger): EmailSender {
  const capture = createDevMailSender(sql, log);
  return async (message) => {
    await capture({
      to: message.to,
      subject: message.subject,
      text: message.text,
      html: message.html,
      attachments: message.attachment ? [message.attachment] : [],
    });
    return { ok: true, status: null, error: null };
  };
}

/** The dev stack's delivery setup: the dev mailbox, local webhooks allowed, links under `publicUrl`. */
export function devReportDelivery(sql: Sql, publicUrl: string, log?: Logger): DeliverySetup {
  return {
    delivery: createReportDelivery({ email: devMailboxEmail(sql, log), allowPrivate: true }),
    publicUrl,
  };
}
