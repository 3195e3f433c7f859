/**
 * SMS alerts: a {@linkcode SmsSender} per provider — Twilio's Messages API
 * when hosted, the dev stack's SMS outbox (`GET /auth/v1/_dev/sms`) locally —
 * and the `sms` {@linkcode NotificationChannel} that texts every number of a
 * channel.
 *
 * @module
 */
import type { Sql } from "../db/mod.ts";
import type { Config } from "../env/mod.ts";
import type { Logger } from "../log/mod.ts";
import type { DeliveryResult } from "../reports/delivery.ts";
import type { AlertMessage, NotificationChannel } from "./channels.ts";

/** Sends one text message to one E.164 number. */
export interface SmsSender {
  /** `twilio`, `dev-outbox` or `none`. */
  readonly kind: string;
  send(to: string, body: string): Promise<DeliveryResult>;
}

/** Longest text sent: three concatenated segments of GSM-7 (Twilio accepts up to 1600). */
export const SMS_MAX_CHARS = 459;

/** The text of an alert: title, body and link, cut to {@linkcode SMS_MAX_CHARS}. */
export function smsText(message: AlertMessage): string {
  const link = message.link ? `\n${message.link}` : "";
  const text = `ComplianceIQ: ${message.title}\n${message.body}`;
  const room = SMS_MAX_CHARS - link.length;
  return (text.length > room ? `${text.slice(0, room - 1)}…` : text) + link;
}

/** Options of {@linkcode twilioSms}. */
export interface TwilioOptions {
  accountSid: string;
  authToken: string;
  /** An E.164 number, or a Messaging Service SID (`MG…`). */
  from: string;
  fetch?: typeof fetch;
  /** Another API base (default `https://api.twilio.com`). */
  baseUrl?: string;
}

/**
 * Twilio's REST API: `POST /2010-04-01/Accounts/{sid}/Messages.json`,
 * form-encoded, basic auth with the account SID and auth token.
 */
export function twilioSms(options: TwilioOptions): SmsSender {
  const doFetch = options.fetch ?? ((...args: Parameters<typeof fetch>) => fetch(...args));
  const base = (options.baseUrl ?? "https://api.twilio.com").replace(/\/$/, "");
  const url = `${base}/2010-04-01/Accounts/${encodeURIComponent(options.accountSid)}/Messages.json`;
  const auth = `Basic ${btoa(`${options.accountSid}:${options.authToken}`)}`;
  return {
    kind: "twilio",
    async send(to, body) {
      const form = new URLSearchParams({ To: to, Body: body });
      form.set(options.from.startsWith("MG") ? "MessagingServiceSid" : "From", options.from);
      try {
        const res = await doFetch(url, {
          method: "POST",
          redirect: "manual",
          signal: AbortSignal.timeout(15_000),
          headers: { authorization: auth, "content-type": "application/x-www-form-urlencoded" },
          body: form.toString(),
        });
        const text = await res.text();
        if (res.ok) return { ok: true, status: res.status, error: null };
        let reason = text.slice(0, 300);
        try {
          const json = JSON.parse(text) as { code?: number; message?: string };
          if (json.message) reason = `${json.message}${json.code ? ` (${json.code})` : ""}`;
        } catch { /* not JSON: keep the text */ }
        return { ok: false, status: res.status, error: `Twilio answered ${res.status}: ${reason}` };
      } catch (error) {
        return {
          ok: false,
          status: null,
          error: `Twilio could not be reached (${(error as Error).message})`,
        };
      }
    },
  };
}

/**
 * The dev stack's SMS outbox: texts are kept in `auth_dev.sms_outbox` (the
 * auth stand-in's schema) and listed at `GET /auth/v1/_dev/sms`.
 */
export function devSmsOutbox(sql: Sql, log?: Logger): SmsSender {
  return {
    kind: "dev-outbox",
    async send(to, body) {
      await sql`
        insert into auth_dev.sms_outbox (id, to_phone, body, created_at)
        values (${crypto.randomUUID()}, ${to}, ${body}, now())`;
      log?.info(`SMS to ${to}: "${body.split("\n")[0]}"`);
      return { ok: true, status: null, error: null };
    },
  };
}

/** Refuses: no SMS provider is configured. */
export function unconfiguredSms(): SmsSender {
  return {
    kind: "none",
    send: () =>
      Promise.resolve({
        ok: false,
        status: null,
        error: "SMS is not configured on this deployment: set SMS_PROVIDER=twilio",
      }),
  };
}

/** The SMS sender the configuration asks for. */
export function smsFromConfig(config: Config, options: { fetch?: typeof fetch } = {}): SmsSender {
  if (
    config.SMS_PROVIDER === "twilio" && config.TWILIO_ACCOUNT_SID && config.TWILIO_AUTH_TOKEN &&
    config.TWILIO_FROM
  ) {
    return twilioSms({
      accountSid: config.TWILIO_ACCOUNT_SID,
      authToken: config.TWILIO_AUTH_TOKEN,
      from: config.TWILIO_FROM,
      fetch: options.fetch,
    });
  }
  return unconfiguredSms();
}

/** Texts each number of the channel; fails with every number that could not be reached. */
export function smsChannel(sender: SmsSender): NotificationChannel {
  return {
    async send(target, message) {
      if (target.phones.length === 0) {
        return { ok: false, status: null, error: "The SMS channel has no phone numbers" };
      }
      const text = smsText(message);
      const errors: string[] = [];
      let status: number | null = null;
      for (const to of target.phones) {
        const result = await sender.send(to, text);
        status = result.status ?? status;
        if (!result.ok) errors.push(`${to}: ${result.error}`);
      }
      return errors.length === 0
        ? { ok: true, status, error: null }
        : { ok: false, status, error: errors.join("; ").slice(0, 2000) };
    },
  };
}
