import { HttpError } from "../http/errors.ts";
import type { Mailer } from "./mailers.ts";

/** Options of {@linkcode sendgridMailer}. */
export interface SendgridOptions {
  apiKey: string;
  /** The From header, e.g. `ComplianceIQ <no-reply@example.com>`. */
  from: string;
  fetch?: typeof fetch;
  /** Another API base (default `https://api.sendgrid.com`). */
  baseUrl?: string;
}

/** `Name <address>` or a bare address, as SendGrid's `from` object. */
export function parseFrom(from: string): { email: string; name?: string } {
  const match = /^\s*(.*?)\s*<([^<>\s]+@[^<>\s]+)>\s*$/.exec(from);
  if (!match) return { email: from.trim() };
  return match[1] ? { email: match[2]!, name: match[1].replace(/^"|"$/g, "") } : {
    email: match[2]!,
  };
}

/**
 * Sends through SendGrid's v3 mail/send API: one personalization per email,
 * text and HTML parts, attachments base64-encoded. A refusal or an unreachable API is a 502 naming what
 * SendGrid said.
 */
export function sendgridMailer(options: SendgridOptions): Mailer {
  const doFetch = options.fetch ?? ((...args: Parameters<typeof fetch>) => fetch(...args));
  const base = (options.baseUrl ?? "https://api.sendgrid.com").replace(/\/$/, "");
  const from = parseFrom(options.from);
  return {
    kind: "sendgrid",
    async send(mail) {
      let res: Response;
      try {
        res = await doFetch(`${base}/v3/mail/send`, {
          method: "POST",
          redirect: "manual",
          signal: AbortSignal.timeout(30_000),
          headers: {
            authorization: `Bearer ${options.apiKey}`,
            "content-type": "application/json",
          },
          body: JSON.stringify({
            personalizations: [{ to: [{ email: mail.to }] }],
            from,
            subject: mail.subject,
            content: [
              { type: "text/plain", value: mail.text },
              { type: "text/html", value: mail.html },
            ],
            categories: [mail.kind.slice(0, 255)],
            ...(mail.attachments?.length
              ? {
                attachments: mail.attachments.map((a) => ({
                  content: base64(a.content),
                  filename: a.filename,
                  type: a.content_type,
                  disposition: "attachment",
                })),
              }
              : {}),
          }),
        });
      } catch (error) {
        throw failed(`SendGrid could not be reached (${(error as Error).message})`);
      }
      const text = await res.text();
      if (!res.ok) throw failed(`SendGrid answered ${res.status}: ${text.slice(0, 300)}`);
    },
  };
}

function failed(reason: string): HttpError {
  return new HttpError(502, `The email could not be sent: ${reason}`, {
    code: "mail_failed",
  });
}

function base64(bytes: Uint8Array): string {
  let text = "";
  for (let i = 0; i < bytes.length; i += 0x8000) {
    text += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  }
  return btoa(text);
}
