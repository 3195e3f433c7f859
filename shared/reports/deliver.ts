/**
 * The `reports.deliver` task: sends a scheduled report's file to the saved
 * report's recipients by email (the file attached when it is small enough,
 * else a share link) and to its webhook (a signed POST with a share link).
 * Each delivery is a row in `report_deliveries` with its status, response
 * code and attempts; a retried job sends only what has not been sent yet.
 *
 * @module
 */

import { z } from "zod";
import type { Tx } from "../db/mod.ts";
import { defineTask, PermanentTaskError, type TaskContext } from "../tasks/mod.ts";
import { loadReportsConfig, type ReportsConfig } from "./config.ts";
import {
  currentReportDelivery,
  type DeliveryResult,
  type DeliverySetup,
  type EmailAttachment,
} from "./delivery.ts";
import { openWebhookSecret } from "../secrets/mod.ts";
import { currentReportStorage } from "./storage.ts";
import { linkUrl, newLinkToken } from "./tokens.ts";

/** A generated file and where its saved report sends it. */
interface Deliverable {
  id: string;
  org_id: string;
  definition_id: string;
  name: string;
  title: string;
  format: string;
  filename: string;
  content_type: string;
  byte_size: number;
  sha256: string;
  storage_key: string;
  finished_at: Date;
  expires_at: Date;
  recipients: string[];
  webhook_url: string | null;
  /** The webhook's signing secret as stored: sealed, or plaintext from before sealing. */
  secret: string | null;
  secret_sealed: unknown;
}

/** One delivery to make. */
interface Pending {
  id: string;
  channel: "email" | "webhook";
  target: string;
}

/** The `reports.deliver` task. */
export const reportDeliverTask = defineTask({
  kind: "reports.deliver",
  payload: z.object({ exportId: z.uuid() }),
  retries: 3,
  async handler(ctx, { exportId }) {
    const config = loadReportsConfig();
    const prepared = await ctx.tx((tx) => prepare(tx, exportId));
    if (!prepared) return ctx.done({ skipped: "nothing to deliver" });
    const { file, pending } = prepared;
    const setup = currentReportDelivery(config);
    const sender = new Sender(ctx as TaskContext<unknown>, config, setup, file);
    const failures: string[] = [];
    for (const [i, delivery] of pending.entries()) {
      ctx.progress(i / pending.length, `Sending to ${delivery.target}`);
      const { result, mode } = delivery.channel === "email"
        ? await sender.email(delivery.target)
        : await sender.webhook(delivery);
      await ctx.tx((tx) =>
        tx`update public.report_deliveries set
             status = ${result.ok ? "sent" : "failed"}, response_code = ${result.status},
             error = ${result.error?.slice(0, 2000) ?? null}, attempts = attempts + 1,
             mode = ${mode}, sent_at = ${result.ok ? new Date() : null}
           where id = ${delivery.id}`
      );
      if (!result.ok) failures.push(`${delivery.target}: ${result.error}`);
    }
    if (failures.length > 0) {
      const message = `${failures.length} of ${pending.length} deliveries failed (${
        failures.join("; ")
      })`;
      // Retried deliveries send only what failed; after the last one the job fails.
      if (ctx.job.retried >= ctx.job.maxRetries) throw new PermanentTaskError(message);
      throw new Error(message);
    }
    return ctx.done({ sent: pending.length });
  },
});

/** Reads the file and its saved report, records the deliveries to make, returns those not yet sent. */
async function prepare(
  tx: Tx,
  exportId: string,
): Promise<{ file: Deliverable; pending: Pending[] } | null> {
  const [file] = await tx<Deliverable[]>`
    select e.id, e.org_id, e.definition_id, d.name, e.title, e.format, e.filename, e.content_type,
      e.byte_size::float8 as byte_size, e.sha256, e.storage_key, e.finished_at, e.expires_at,
      d.recipients, d.webhook_url, s.secret, s.secret_sealed
    from public.report_exports e
    join public.report_definitions d on d.id = e.definition_id
    left join public.report_webhook_secrets s on s.definition_id = d.id
    where e.id = ${exportId} and e.status = 'succeeded' and e.expires_at > now()`;
  if (!file) return null;
  const targets = [
    ...file.recipients.map((to) => ({ channel: "email", target: to })),
    ...(file.webhook_url ? [{ channel: "webhook", target: file.webhook_url }] : []),
  ];
  for (const t of targets) {
    await tx`
      insert into public.report_deliveries (org_id, export_id, definition_id, channel, target)
      values (${file.org_id}, ${file.id}, ${file.definition_id}, ${t.channel}, ${t.target})
      on conflict (export_id, channel, target) do nothing`;
  }
  const pending = await tx<Pending[]>`
    select id, channel, target from public.report_deliveries
    where export_id = ${exportId} and status <> 'sent' order by channel, target`;
  return { file, pending };
}

/** Sends one file by email and webhook; creates the share links they carry. */
class Sender {
  #attachment: EmailAttachment | null | undefined;

  constructor(
    private ctx: TaskContext<unknown>,
    private config: ReportsConfig,
    private setup: DeliverySetup,
    private file: Deliverable,
  ) {}

  async email(to: string): Promise<{ result: DeliveryResult; mode: "link" | "attachment" | null }> {
    const { file } = this;
    const attachment = await this.#loadAttachment();
    let link: { url: string; expires_at: Date } | null = null;
    if (!attachment) {
      link = await this.#link(`Emailed to ${to}`);
      if (!link) return { result: noPublicUrl(), mode: null };
    }
    const size = humanSize(file.byte_size);
    const date = file.finished_at.toISOString().slice(0, 10);
    const how = link
      ? `Download it until ${link.expires_at.toISOString().slice(0, 16).replace("T", " ")} UTC:`
      : "The file is attached.";
    const text = [
      `Your scheduled report "${file.name}" was generated on ${date}.`,
      "",
      `${file.title} — ${file.filename} (${size})`,
      `SHA-256: ${file.sha256}`,
      "",
      how,
      ...(link ? [link.url] : []),
      "",
      "You receive this because an administrator of your organization added you to this report's recipients.",
      "",
    ].join("\n");
    const html = `<p>Your scheduled report <strong>${
      escapeHtml(file.name)
    }</strong> was generated on ${escapeHtml(date)}.</p>\n<p>${escapeHtml(file.title)} — ${
      escapeHtml(file.filename)
    } (${escapeHtml(size)})<br>SHA-256: <code>${file.sha256}</code></p>\n<p>${escapeHtml(how)}${
      link ? ` <a href="${escapeHtml(link.url)}">Download the report</a>` : ""
    }</p>\n`;
    const result = await this.setup.delivery.email({
      to,
      subject: `Report: ${file.name} (${date})`,
      text,
      html,
      link: link?.url ?? "",
      ...(attachment ? { attachment } : {}),
    });
    return { result, mode: attachment ? "attachment" : "link" };
  }

  async webhook(delivery: Pending): Promise<{ result: DeliveryResult; mode: null }> {
    const { file } = this;
    let secret: string | null;
    try {
      secret = await openWebhookSecret(file, {
        table: "report_webhook_secrets",
        orgId: file.org_id,
        id: file.definition_id,
      });
    } catch (error) {
      return {
        result: { ok: false, status: null, error: (error as Error).message },
        mode: null,
      };
    }
    if (!secret) {
      return {
        result: { ok: false, status: null, error: "The webhook has no signing secret" },
        mode: null,
      };
    }
    const link = await this.#link("Sent to the webhook");
    const body = JSON.stringify({
      type: "report.generated",
      timestamp: new Date().toISOString(),
      data: {
        export_id: file.id,
        definition_id: file.definition_id,
        org_id: file.org_id,
        name: file.name,
        title: file.title,
        format: file.format,
        filename: file.filename,
        content_type: file.content_type,
        byte_size: file.byte_size,
        sha256: file.sha256,
        generated_at: file.finished_at.toISOString(),
        expires_at: file.expires_at.toISOString(),
        download_url: link?.url ?? null,
        download_expires_at: link?.expires_at.toISOString() ?? null,
      },
    });
    const result = await this.setup.delivery.webhook({
      url: delivery.target,
      secret,
      id: `msg_${delivery.id}`,
      body,
    });
    await this.ctx.tx((tx) =>
      tx`update public.report_deliveries set message_id = ${`msg_${delivery.id}`}
         where id = ${delivery.id}`
    );
    return { result, mode: null };
  }

  /** The file's bytes when it fits the attachment limit, else null (read once). */
  async #loadAttachment(): Promise<EmailAttachment | null> {
    if (this.#attachment !== undefined) return this.#attachment;
    const { file } = this;
    if (file.byte_size > this.config.REPORTS_EMAIL_ATTACH_MAX_BYTES) {
      return (this.#attachment = null);
    }
    const stream = currentReportStorage().read((fn) => this.ctx.tx(fn), {
      id: file.id,
      org_id: file.org_id,
      storage_key: file.storage_key,
      content_type: file.content_type,
    });
    const content = new Uint8Array(await new Response(stream).arrayBuffer());
    return (this.#attachment = {
      filename: file.filename,
      content_type: file.content_type,
      content,
    });
  }

  /** A share link for this delivery (recorded as shared), or null without PUBLIC_URL. */
  async #link(label: string): Promise<{ url: string; expires_at: Date } | null> {
    const { publicUrl } = this.setup;
    if (!publicUrl) return null;
    const { token, hash } = await newLinkToken();
    const { file } = this;
    const days = this.config.REPORTS_EMAIL_LINK_DAYS;
    const [link] = await this.ctx.tx((tx) =>
      tx<{ id: string; expires_at: Date }[]>`
        with link as (
          insert into public.report_links (org_id, export_id, kind, token_sha256, label, expires_at)
          values (${file.org_id}, ${file.id}, 'share', ${hash}, ${label},
                  least(now() + make_interval(days => ${days}), ${file.expires_at}))
          returning id, expires_at
        ), event as (
          insert into public.report_events (org_id, export_id, link_id, action)
          select ${file.org_id}, ${file.id}, id, 'shared' from link
        )
        select id, expires_at from link`
    );
    return { url: linkUrl(publicUrl, token), expires_at: link!.expires_at };
  }
}

function noPublicUrl(): DeliveryResult {
  return {
    ok: false,
    status: null,
    error: "PUBLIC_URL is not set, so the email cannot link to the report",
  };
}

function humanSize(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KiB`;
  return `${(bytes / 1024 / 1024).toFixed(1)} MiB`;
}

function escapeHtml(text: string): string {
  return text.replaceAll("&", "&amp;").replaceAll("<", "&lt;").replaceAll(">", "&gt;")
    .replaceAll('"', "&quot;").replaceAll("'", "&#39;");
}
