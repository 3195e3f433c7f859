// Report deliveries in `deno task dev` and the tests that follow it: emails go
// through the product's mailer — the auth stand-in's dev mailbox unless a
// provider is configured (GET /auth/v1/_dev/mailbox shows them, attachments by
// name, size and SHA-256) — and webhooks are signed POSTs that may target local
// addresses.
import type { Sql } from "../../shared/db/mod.ts";
import type { Logger } from "../../shared/log/mod.ts";
import { devMailboxMailer, type Mailer } from "../../shared/mail/mod.ts";
import { createReportDelivery, type DeliverySetup } from "../../shared/reports/mod.ts";

/** Report deliveries through `mailer`, local webhooks allowed, links under `publicUrl`. */
export function localReportDelivery(mailer: Mailer, publicUrl: string): DeliverySetup {
  return { delivery: createReportDelivery({ mailer, allowPrivate: true }), publicUrl };
}

/** The dev stack's delivery setup with the dev mailbox as the mailer. */
export function devReportDelivery(sql: Sql, publicUrl: string, log?: Logger): DeliverySetup {
  return localReportDelivery(devMailboxMailer(sql, log), publicUrl);
}
