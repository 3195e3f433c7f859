/**
 * How a generated report leaves the product: by email and by webhook. Email
 * goes through the product's one mailer (`shared/mail`: SMTP or SendGrid as
 * `MAIL_PROVIDER` says when hosted, the dev mailbox in `deno task dev`), the
 * same as invitations and alerts; webhooks are signed POSTs following the
 * Standard Webhooks specification.
 *
 * @module
 */

import { type Config, loadConfig } from "../env/mod.ts";
import { assertPublicInstanceUrl, type HostResolver, InstanceUrlError } from "../instances/url.ts";
import { type MailAttachment, type Mailer, mailerFromConfig } from "../mail/mod.ts";
import type { ReportsConfig } from "./config.ts";

/** A file attached to an email. */
export type EmailAttachment = MailAttachment;

/** One email to one recipient. */
export interface ReportEmail {
  to: string;
  subject: string;
  text: string;
  html: string;
  /** The download link in the body, or empty when the file is attached. */
  link: string;
  attachment?: EmailAttachment;
}

/** A signed POST to a webhook. */
export interface ReportWebhook {
  url: string;
  /** `whsec_` + base64 of the key. */
  secret: string;
  /** The `webhook-id` header: the same for every retry of one delivery. */
  id: string;
  /** The JSON body, exactly as sent and signed. */
  body: string;
}

/** What one attempt gave: the receiver's status when it answered. */
export interface DeliveryResult {
  ok: boolean;
  status: number | null;
  error: string | null;
}

/** Sends report emails and webhooks. */
export interface ReportDelivery {
  email(message: ReportEmail): Promise<DeliveryResult>;
  webhook(request: ReportWebhook): Promise<DeliveryResult>;
}

/** Raised for a webhook URL we refuse; the message is meant for the user. */
export class WebhookUrlError extends Error {
  override name = "WebhookUrlError";
}

/** A new signing secret: `whsec_` + base64 of 32 random bytes. */
export function generateWebhookSecret(): string {
  return `whsec_${base64(crypto.getRandomValues(new Uint8Array(32)))}`;
}

/**
 * The `webhook-signature` header of a Standard Webhooks message: `v1,` and the
 * base64 HMAC-SHA256, keyed with the secret's bytes, of `id.timestamp.body`.
 *
 * @param secret `whsec_…`
 * @param id the webhook-id
 * @param timestamp the webhook-timestamp (seconds since the epoch)
 * @param body the raw body
 */
export async function signWebhook(
  secret: string,
  id: string,
  timestamp: number,
  body: string,
): Promise<string> {
  const key = await crypto.subtle.importKey(
    "raw",
    fromBase64(secret.replace(/^whsec_/, "")) as BufferSource,
    { name: "HMAC", hash: "SHA-256" },
    false,
    ["sign"],
  );
  const mac = await crypto.subtle.sign(
    "HMAC",
    key,
    new TextEncoder().encode(`${id}.${timestamp}.${body}`),
  );
  return `v1,${base64(new Uint8Array(mac))}`;
}

/**
 * Checks a webhook URL as instance URLs are checked: https only, no
 * credentials in it, and (outside dev mode) every address the host resolves to
 * must be public — no loopback, private, link-local or metadata addresses.
 *
 * @returns the URL, normalized
 * @throws {WebhookUrlError} naming why the URL is refused
 */
export async function checkWebhookUrl(
  input: string,
  options: { allowPrivate?: boolean; resolve?: HostResolver } = {},
): Promise<string> {
  let url: URL;
  try {
    url = new URL(input.trim());
  } catch {
    throw new WebhookUrlError(`"${input}" is not a valid URL`);
  }
  if (url.protocol !== "https:" && !(options.allowPrivate && url.protocol === "http:")) {
    throw new WebhookUrlError("The webhook URL must use https");
  }
  if (url.username || url.password) {
    throw new WebhookUrlError("The webhook URL must not contain credentials");
  }
  url.hash = "";
  try {
    await assertPublicInstanceUrl(url.href, options);
  } catch (error) {
    if (error instanceof InstanceUrlError) {
      throw new WebhookUrlError(error.message.replace("instance host", "webhook host"));
    }
    throw error;
  }
  return url.href;
}

/** Options of {@linkcode createReportDelivery}. */
export interface ReportDeliveryOptions {
  /** The product's mailer (`Services.mailer`, or the configuration's). */
  mailer: Mailer;
  /** Dev mode: webhooks may target http and private addresses. */
  allowPrivate?: boolean;
  fetch?: typeof fetch;
  resolve?: HostResolver;
  /** How long a webhook receiver may take to answer (default 10 s). */
  timeoutMs?: number;
}

/**
 * Email through `options.mailer` (kind `report`; a mailer's refusal is a failed
 * delivery carrying its message); webhooks as signed POSTs after the URL
 * check, never following a redirect (a 3xx is a failed delivery).
 */
export function createReportDelivery(options: ReportDeliveryOptions): ReportDelivery {
  const doFetch = options.fetch ?? fetch;
  return {
    async email(message) {
      try {
        await options.mailer.send({
          to: message.to,
          subject: message.subject,
          text: message.text,
          html: message.html,
          link: message.link,
          kind: "report",
          ...(message.attachment ? { attachments: [message.attachment] } : {}),
        });
        return { ok: true, status: null, error: null };
      } catch (error) {
        return { ok: false, status: null, error: (error as Error).message };
      }
    },
    async webhook(request) {
      let url: string;
      try {
        url = await checkWebhookUrl(request.url, options);
      } catch (error) {
        return { ok: false, status: null, error: (error as Error).message };
      }
      const timestamp = Math.floor(Date.now() / 1000);
      try {
        const res = await doFetch(url, {
          method: "POST",
          redirect: "manual",
          signal: AbortSignal.timeout(options.timeoutMs ?? 10_000),
          headers: {
            "content-type": "application/json",
            "user-agent": "ComplianceIQ-Webhooks/1",
            "webhook-id": request.id,
            "webhook-timestamp": String(timestamp),
            "webhook-signature": await signWebhook(
              request.secret,
              request.id,
              timestamp,
              request.body,
            ),
          },
          body: request.body,
        });
        await res.body?.cancel();
        if (res.status >= 300 && res.status < 400) {
          return {
            ok: false,
            status: res.status,
            error: "The webhook answered with a redirect, which is not followed",
          };
        }
        return {
          ok: res.ok,
          status: res.status,
          error: res.ok ? null : `The webhook answered ${res.status}`,
        };
      } catch (error) {
        const reason = (error as Error).name === "TimeoutError"
          ? "did not answer in time"
          : `could not be reached (${(error as Error).message})`;
        return { ok: false, status: null, error: `The webhook ${reason}` };
      }
    },
  };
}

/**
 * Delivery as the configuration asks: email through the mailer `MAIL_PROVIDER`
 * picks (without one every email delivery fails, saying so).
 *
 * @param config the reports' configuration
 * @param app the product's configuration (read from the environment when absent)
 */
export function reportDeliveryFromConfig(
  config: ReportsConfig,
  app: Config = loadConfig(),
): ReportDelivery {
  return createReportDelivery({
    mailer: mailerFromConfig(app),
    allowPrivate: config.ALLOW_PRIVATE_INSTANCE_URLS,
  });
}

/** What the delivery task needs besides the configuration. */
export interface DeliverySetup {
  delivery: ReportDelivery;
  /** Base of links in emails and webhooks (PUBLIC_URL). */
  publicUrl: string | null;
}

let setupOverride: DeliverySetup | null = null;

/**
 * Uses `setup` for report deliveries in this process (the dev stack plugs in
 * its mailer, the dev mailbox unless a provider is set; tests their
 * receivers), or the configured one when null.
 */
export function setReportDelivery(setup: DeliverySetup | null): void {
  setupOverride = setup;
}

/** The delivery setup of this process. */
export function currentReportDelivery(config: ReportsConfig): DeliverySetup {
  return setupOverride ??
    { delivery: reportDeliveryFromConfig(config), publicUrl: config.PUBLIC_URL ?? null };
}

function base64(bytes: Uint8Array): string {
  let text = "";
  for (let i = 0; i < bytes.length; i += 0x8000) {
    text += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  }
  return btoa(text);
}

function fromBase64(text: string): Uint8Array {
  return Uint8Array.from(atob(text), (c) => c.charCodeAt(0));
}
