/**
 * Delivery reliability of URL channels (webhook, Slack, Teams): a failed
 * delivery is retried through QStash with its exponential backoff (the
 * `notifications.deliver` task, same `webhook-id` on every attempt), each
 * attempt is a row of the delivery log with its number and response code, and
 * a channel that keeps failing — {@linkcode DISABLE_AFTER_FAILURES} attempts in
 * a row spanning at least {@linkcode DISABLE_AFTER_HOURS} hours — is disabled,
 * its organization's admins told in-app and by email. Re-enabling it (an
 * admin's PATCH) resets the count in the database.
 *
 * @module
 */
import { z } from "zod";
import type { Database, Tx } from "../db/mod.ts";
import type { Logger } from "../log/mod.ts";
import { defineTask, PermanentTaskError } from "../tasks/mod.ts";
import type { DeliveryResult } from "../reports/delivery.ts";
import type { AlertMessage, ChannelSet, ChannelTarget } from "./channels.ts";
import { currentChannels } from "./current.ts";

/** Channel kinds whose failed deliveries are retried and counted towards disabling. */
export const RETRIED_KINDS: ReadonlySet<string> = new Set(["webhook", "slack", "teams"]);
/** QStash retries of the retry job: with the first try and the job's first delivery, 7 attempts over ~30 h. */
export const DELIVERY_RETRIES = 5;
/** Failed attempts in a row after which a channel may be disabled… */
export const DISABLE_AFTER_FAILURES = 6;
/** …when the first of them is at least this old. */
export const DISABLE_AFTER_HOURS = 24;

/** Runs work in a transaction as the engine for the alert's organization. */
export type EngineTx = <T>(fn: (tx: Tx) => Promise<T>) => Promise<T>;

/** One attempt of an alert on one channel. */
export interface Attempt {
  target: ChannelTarget;
  ruleId: string | null;
  message: AlertMessage;
  messageId: string;
  /** 1 for the first try, 2… for retries. */
  attempt: number;
  result: DeliveryResult;
}

/** What the health check decided. */
export type Health = "healthy" | "failing" | "disabled";

/**
 * Counts a URL channel's attempt: a success resets the count; a failure adds
 * one, and disables the channel when the failure is sustained. Other kinds are
 * not counted.
 */
export async function recordHealth(
  tx: Tx,
  target: ChannelTarget,
  result: DeliveryResult,
): Promise<Health> {
  if (!RETRIED_KINDS.has(target.kind)) return result.ok ? "healthy" : "failing";
  if (result.ok) {
    await tx`
      update public.notification_channels set consecutive_failures = 0, failing_since = null
      where id = ${target.id} and consecutive_failures > 0`;
    return "healthy";
  }
  const [row] = await tx<{ disabled: boolean }[]>`
    update public.notification_channels set
      consecutive_failures = consecutive_failures + 1,
      failing_since = coalesce(failing_since, now()),
      enabled = not (consecutive_failures + 1 >= ${DISABLE_AFTER_FAILURES}
                     and coalesce(failing_since, now())
                         <= now() - make_interval(hours => ${DISABLE_AFTER_HOURS})),
      disabled_at = case when consecutive_failures + 1 >= ${DISABLE_AFTER_FAILURES}
                          and coalesce(failing_since, now())
                              <= now() - make_interval(hours => ${DISABLE_AFTER_HOURS})
                     then now() end,
      disabled_reason = case when consecutive_failures + 1 >= ${DISABLE_AFTER_FAILURES}
                              and coalesce(failing_since, now())
                                  <= now() - make_interval(hours => ${DISABLE_AFTER_HOURS})
                         then ${`Disabled after ${DISABLE_AFTER_FAILURES} or more failed deliveries in a row over at least ${DISABLE_AFTER_HOURS} hours; last: ${
    (result.error ?? `status ${result.status}`).slice(0, 200)
  }`} end
    where id = ${target.id} and enabled
    returning not enabled as disabled`;
  return row?.disabled ? "disabled" : "failing";
}

/** Writes one attempt into the delivery log. */
export async function logAttempt(tx: Tx, attempt: Attempt): Promise<void> {
  const { target, message, result } = attempt;
  await tx`
    insert into public.notification_deliveries
      (org_id, rule_id, channel_id, channel_kind, cause_key, status, response_code, error,
       message_id, attempt)
    values (${message.org_id}, ${attempt.ruleId}, ${target.id}, ${target.kind},
            ${message.cause_key}, ${result.ok ? "sent" : "failed"}, ${result.status},
            ${result.error?.slice(0, 2000) ?? null}, ${attempt.messageId}, ${attempt.attempt})`;
}

/**
 * Tells the organization's admins that a channel was disabled: an in-app
 * notification to every admin and owner, and an email to their addresses
 * (through the email channel, so the configured provider or the dev mailbox).
 */
export async function tellAdmins(
  runTx: EngineTx,
  channels: ChannelSet,
  target: ChannelTarget & { name?: string },
  orgId: string,
  publicUrl: string | null,
): Promise<void> {
  const link = publicUrl ? `${publicUrl.replace(/\/$/, "")}/app/settings/notifications` : null;
  const { name, reason, emails } = await runTx(async (tx) => {
    const [channel] = await tx<{ name: string; disabled_reason: string | null }[]>`
      select name, disabled_reason from public.notification_channels where id = ${target.id}`;
    const admins = await tx<{ email: string }[]>`
      select email from private.org_admin_emails(${orgId})`;
    await tx`
      insert into public.notifications (org_id, user_id, rule_id, cause_key, event, title, body, link)
      select ${orgId}, m.user_id, null, ${`channel:${target.id}:disabled`}, 'channel.disabled',
             ${`The ${target.kind} channel "${channel?.name ?? ""}" was disabled`.slice(0, 300)},
             ${(channel?.disabled_reason ?? "").slice(0, 2000)}, ${link}
      from public.memberships m
      where m.org_id = ${orgId} and m.role >= 'admin'::public.org_role`;
    return {
      name: channel?.name ?? "",
      reason: channel?.disabled_reason ?? "",
      emails: admins.map((a) => a.email).filter((e) => e.includes("@")),
    };
  });
  if (emails.length === 0) return;
  await channels.email.send(
    { id: target.id, kind: "email", url: null, emails, phones: [], secret: null },
    {
      event: "channel.disabled",
      title: `The ${target.kind} channel "${name}" was disabled`,
      body: `${reason}\n\nAlerts no longer go to it. Fix the receiver, then enable the channel ` +
        `again under Settings → Notifications; enabling it starts its count afresh.`,
      link,
      org_id: orgId,
      cause_key: `channel:${target.id}:disabled`,
      details: { channel_id: target.id },
    },
    `msg_${crypto.randomUUID()}`,
  );
}

/** What {@linkcode retryingDeliveries} needs. */
export interface RetryDeps {
  db: Database;
  channels: ChannelSet;
  publicUrl: string | null;
  log: Logger;
  /** Queues the retry job (the tasks client). */
  enqueue(payload: RetryPayload): Promise<unknown>;
}

/**
 * The dispatcher's hook after the first attempt on a channel: counts a URL
 * channel's health, tells the admins when it got disabled, and queues a retry
 * of a failed delivery. Never throws: the alert's other channels still go out.
 */
export function retryingDeliveries(deps: RetryDeps): (attempt: Attempt) => Promise<void> {
  return async (attempt) => {
    if (!RETRIED_KINDS.has(attempt.target.kind)) return;
    const orgId = attempt.message.org_id;
    const runTx: EngineTx = (fn) => deps.db.asEngine(orgId, fn);
    try {
      const health = await runTx((tx) => recordHealth(tx, attempt.target, attempt.result));
      if (health === "disabled") {
        await tellAdmins(runTx, deps.channels, attempt.target, orgId, deps.publicUrl);
      } else if (!attempt.result.ok) {
        await deps.enqueue({
          channelId: attempt.target.id,
          ruleId: attempt.ruleId,
          messageId: attempt.messageId,
          message: attempt.message,
          publicUrl: deps.publicUrl,
        });
      }
    } catch (error) {
      deps.log.warn("cannot retry or count a failed alert delivery", {
        orgId,
        channelId: attempt.target.id,
        error,
      });
    }
  };
}

const alertSchema = z.object({
  event: z.string().max(50),
  title: z.string().max(300),
  body: z.string().max(2000),
  link: z.string().max(2000).nullable(),
  org_id: z.uuid(),
  cause_key: z.string().max(200),
  details: z.record(z.string(), z.unknown()),
});

/** Payload of the retry job. */
export const retryPayloadSchema = z.object({
  channelId: z.uuid(),
  ruleId: z.uuid().nullable(),
  messageId: z.string().min(1).max(100),
  message: alertSchema,
  publicUrl: z.string().nullable(),
});
export type RetryPayload = z.infer<typeof retryPayloadSchema>;

/**
 * `notifications.deliver`: one more attempt of an alert on a URL channel. A
 * failure throws, so QStash retries it with its backoff; a channel removed,
 * disabled or changed to another kind meanwhile ends the job quietly.
 */
export const notificationDeliverTask = defineTask({
  kind: "notifications.deliver",
  payload: retryPayloadSchema,
  retries: DELIVERY_RETRIES,
  async handler(ctx, payload) {
    const [target] = await ctx.tx((tx) =>
      tx<ChannelTarget[]>`
        select id, kind, url, emails, phones, secret, secret_sealed from public.notification_channels
        where id = ${payload.channelId} and enabled`
    );
    if (!target || !RETRIED_KINDS.has(target.kind)) {
      return ctx.done({ skipped: "the channel was removed or disabled" });
    }
    const channels = currentChannels();
    const attempt = ctx.job.retried + 2;
    const result = await channels[target.kind].send(target, payload.message, payload.messageId)
      .catch((error) => ({ ok: false, status: null, error: (error as Error).message }));
    const health = await ctx.tx(async (tx) => {
      await logAttempt(tx, { ...payload, target, attempt, result });
      return await recordHealth(tx, target, result);
    });
    if (result.ok) return ctx.done({ attempt, status: result.status });
    if (health === "disabled") {
      await tellAdmins(ctx.tx, channels, target, payload.message.org_id, payload.publicUrl);
      throw new PermanentTaskError(`The channel was disabled after attempt ${attempt}`, {
        code: "channel_disabled",
      });
    }
    const error = `Attempt ${attempt} failed: ${result.error}`;
    if (ctx.job.retried >= ctx.job.maxRetries) throw new PermanentTaskError(error);
    throw new Error(error);
  },
});
