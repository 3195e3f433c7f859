/**
 * How an alert leaves the product: one {@linkcode NotificationChannel} per
 * channel kind. Email goes through `shared/mail`, SMS through `./sms.ts`
 * (Twilio or the dev outbox); webhooks are Standard
 * Webhooks-signed POSTs and Slack/Teams incoming webhooks get formatted
 * messages — all three through the URL checks of `shared/reports/delivery.ts`
 * (public https addresses only when hosted, no redirects).
 *
 * @module
 */
import type { Mailer } from "../mail/mod.ts";
import type { HostResolver } from "../instances/url.ts";
import { openWebhookSecret } from "../secrets/mod.ts";
import { smsChannel, type SmsSender, unconfiguredSms } from "./sms.ts";
import { checkWebhookUrl, createReportDelivery, type DeliveryResult } from "../reports/delivery.ts";

/** One alert, as every channel renders it. */
export interface AlertMessage {
  /** The rule's event, e.g. `findings.new`. */
  event: string;
  title: string;
  /** Plain text, a few lines. */
  body: string;
  /** Where to look in the product, when there is a page for it. */
  link: string | null;
  org_id: string;
  /** What caused it, e.g. `run:<uuid>`: the dedup key. */
  cause_key: string;
  /** Event-specific figures (counts, scores, job ids). */
  details: Record<string, unknown>;
}

/** Where one channel sends: its stored configuration (with the secret, read by the worker). */
export interface ChannelTarget {
  id: string;
  kind: "email" | "webhook" | "slack" | "teams" | "sms";
  url: string | null;
  emails: string[];
  phones: string[];
  /** A webhook's signing secret written before sealing (until `deno task credentials:rotate`). */
  secret: string | null;
  /** A webhook's signing secret, sealed (`shared/secrets`); opened when sending. */
  secret_sealed?: unknown;
}

/** Sends alerts to one kind of channel. */
export interface NotificationChannel {
  send(target: ChannelTarget, message: AlertMessage, messageId: string): Promise<DeliveryResult>;
}

/** What the channels need: the mailer, and (tests, dev) a fetch and the URL check's options. */
export interface ChannelOptions {
  mailer: Mailer;
  /** How texts leave (Twilio, the dev outbox); without it SMS deliveries fail, saying so. */
  sms?: SmsSender;
  fetch?: typeof fetch;
  /** Dev mode: webhooks may target http and private addresses. */
  allowPrivate?: boolean;
  resolve?: HostResolver;
}

/** The channels by kind. */
export type ChannelSet = Record<ChannelTarget["kind"], NotificationChannel>;

/** Email to each address of the channel through the product's mailer. */
export function emailChannel(mailer: Mailer): NotificationChannel {
  return {
    async send(target, message) {
      const errors: string[] = [];
      for (const to of target.emails) {
        try {
          await mailer.send({
            to,
            subject: `[ComplianceIQ] ${message.title}`,
            text: `${message.body}${message.link ? `\n\nOpen: ${message.link}` : ""}\n`,
            html: `<h1 style="font-size:18px">${escapeHtml(message.title)}</h1>` +
              `<p>${escapeHtml(message.body).replaceAll("\n", "<br>")}</p>` +
              (message.link ? `<p><a href="${escapeHtml(message.link)}">Open</a></p>` : ""),
            link: message.link ?? "",
            kind: "alert",
          });
        } catch (error) {
          errors.push(`${to}: ${(error as Error).message}`);
        }
      }
      return errors.length === 0
        ? { ok: true, status: null, error: null }
        : { ok: false, status: null, error: errors.join("; ").slice(0, 2000) };
    },
  };
}

/** The Standard Webhooks body of an alert. */
export function webhookBody(message: AlertMessage): string {
  return JSON.stringify({
    type: `alert.${message.event}`,
    timestamp: new Date().toISOString(),
    data: {
      org_id: message.org_id,
      title: message.title,
      body: message.body,
      link: message.link,
      cause: message.cause_key,
      ...message.details,
    },
  });
}

/** Signed POSTs (Standard Webhooks), through the report delivery's webhook sender. */
export function webhookChannel(options: ChannelOptions): NotificationChannel {
  const delivery = createReportDelivery(options);
  return {
    async send(target, message, messageId) {
      if (!target.url) return { ok: false, status: null, error: "The webhook has no URL" };
      let secret: string | null;
      try {
        secret = await openWebhookSecret(
          { secret: target.secret, secret_sealed: target.secret_sealed ?? null },
          { table: "notification_channels", orgId: message.org_id, id: target.id },
        );
      } catch (error) {
        return { ok: false, status: null, error: (error as Error).message };
      }
      if (!secret) {
        return { ok: false, status: null, error: "The webhook has no signing secret" };
      }
      return await delivery.webhook({
        url: target.url,
        secret,
        id: messageId,
        body: webhookBody(message),
      });
    },
  };
}

/** Slack's incoming-webhook message: a header, the text and a button (Block Kit). */
export function slackPayload(message: AlertMessage): Record<string, unknown> {
  return {
    text: `${message.title}\n${message.body}`,
    blocks: [
      { type: "header", text: { type: "plain_text", text: message.title.slice(0, 150) } },
      { type: "section", text: { type: "mrkdwn", text: message.body.slice(0, 3000) } },
      ...(message.link
        ? [{
          type: "actions",
          elements: [{
            type: "button",
            text: { type: "plain_text", text: "Open in ComplianceIQ" },
            url: message.link,
          }],
        }]
        : []),
    ],
  };
}

/** Teams' incoming-webhook message: one Adaptive Card. */
export function teamsPayload(message: AlertMessage): Record<string, unknown> {
  return {
    type: "message",
    attachments: [{
      contentType: "application/vnd.microsoft.card.adaptive",
      contentUrl: null,
      content: {
        $schema: "http://adaptivecards.io/schemas/adaptive-card.json",
        type: "AdaptiveCard",
        version: "1.4",
        body: [
          { type: "TextBlock", text: message.title, weight: "Bolder", size: "Medium", wrap: true },
          { type: "TextBlock", text: message.body, wrap: true },
        ],
        actions: message.link
          ? [{ type: "Action.OpenUrl", title: "Open in ComplianceIQ", url: message.link }]
          : [],
      },
    }],
  };
}

/** A POST of a formatted message to a Slack or Teams incoming webhook. */
export function chatChannel(
  format: (message: AlertMessage) => Record<string, unknown>,
  options: ChannelOptions,
): NotificationChannel {
  const doFetch = options.fetch ?? fetch;
  return {
    async send(target, message) {
      let url: string;
      try {
        url = await checkWebhookUrl(target.url ?? "", options);
      } catch (error) {
        return { ok: false, status: null, error: (error as Error).message };
      }
      try {
        const res = await doFetch(url, {
          method: "POST",
          redirect: "manual",
          signal: AbortSignal.timeout(10_000),
          headers: { "content-type": "application/json" },
          body: JSON.stringify(format(message)),
        });
        await res.body?.cancel();
        return {
          ok: res.ok,
          status: res.status,
          error: res.ok ? null : `The webhook answered ${res.status}`,
        };
      } catch (error) {
        return {
          ok: false,
          status: null,
          error: `The webhook could not be reached (${(error as Error).message})`,
        };
      }
    },
  };
}

/** Every channel kind, wired to `options`. */
export function createChannels(options: ChannelOptions): ChannelSet {
  return {
    email: emailChannel(options.mailer),
    webhook: webhookChannel(options),
    slack: chatChannel(slackPayload, options),
    teams: chatChannel(teamsPayload, options),
    sms: smsChannel(options.sms ?? unconfiguredSms()),
  };
}

function escapeHtml(text: string): string {
  return text.replaceAll("&", "&amp;").replaceAll("<", "&lt;").replaceAll(">", "&gt;")
    .replaceAll('"', "&quot;");
}
