/**
 * Channels, rules, the delivery log and each member's inbox, read and written
 * in tenant transactions: the permission matrix is checked here, row-level
 * security again in Postgres.
 *
 * @module
 */
import type { Database, TenantClaims, Tx } from "../db/mod.ts";
import { decodeCursor, encodeCursor } from "../http/cursor.ts";
import { HttpError } from "../http/errors.ts";
import { readGuardedPage, requirePermission } from "../organizations/mod.ts";
import { checkWebhookUrl, generateWebhookSecret, WebhookUrlError } from "../reports/delivery.ts";
import { sealWebhookSecret } from "../secrets/mod.ts";
import type {
  Channel,
  ChannelListItem,
  CreateChannelInput,
  CreateRuleInput,
  DeliveriesQuery,
  InAppNotification,
  NotificationDelivery,
  Rule,
  UpdateChannelInput,
  UpdateRuleInput,
} from "./schemas.ts";

const iso = (d: Date | null) => d?.toISOString() ?? null;
const notFound = (what: string) => new HttpError(404, `${what} not found`, { code: "not_found" });

interface ChannelRow extends Omit<Channel, "created_at" | "failing_since" | "disabled_at"> {
  created_at: Date;
  failing_since: Date | null;
  disabled_at: Date | null;
}

/** Slack and Teams URLs carry their credential in the path: members see the host only. */
function toChannel(row: ChannelRow): Channel {
  const masked = row.url && (row.kind === "slack" || row.kind === "teams")
    ? `${new URL(row.url).origin}/…`
    : row.url;
  return {
    ...row,
    url: masked,
    created_at: row.created_at.toISOString(),
    failing_since: iso(row.failing_since),
    disabled_at: iso(row.disabled_at),
  };
}

/** Checks what a channel of `kind` needs; returns the normalized URL. */
async function validTarget(
  kind: Channel["kind"],
  input: { url?: string; emails?: string[]; phones?: string[] },
  allowPrivate: boolean,
): Promise<string | null> {
  if (kind !== "sms" && input.phones?.length) {
    throw invalid(`A ${kind} channel has no phone numbers`);
  }
  if (kind === "sms") {
    if (input.url || input.emails?.length) {
      throw invalid("An SMS channel has phone numbers, not a URL or addresses");
    }
    if (input.phones !== undefined && input.phones.length === 0) {
      throw invalid("An SMS channel needs at least one phone number");
    }
    return null;
  }
  if (kind === "email") {
    if (input.url) throw invalid("An email channel has addresses, not a URL");
    if (input.emails !== undefined && input.emails.length === 0) {
      throw invalid("An email channel needs at least one address");
    }
    return null;
  }
  if (input.emails?.length) throw invalid(`A ${kind} channel has a URL, not addresses`);
  if (!input.url) throw invalid(`A ${kind} channel needs its webhook URL`);
  try {
    return await checkWebhookUrl(input.url, { allowPrivate });
  } catch (error) {
    if (error instanceof WebhookUrlError) throw invalid(error.message);
    throw error;
  }
}

function invalid(message: string): HttpError {
  return new HttpError(422, message, { code: "validation_failed" });
}

const CHANNEL_COLUMNS = "id, org_id, name, kind, url, emails, phones, enabled, " +
  "consecutive_failures, failing_since, disabled_at, disabled_reason, created_at";

interface LastDeliveryRow {
  channel_id: string;
  status: NotificationDelivery["status"];
  response_code: number | null;
  error: string | null;
  created_at: Date;
}

/**
 * The organization's channels, each with its latest delivery. Only admins read
 * the delivery log (row-level security), so other members get null there.
 */
export async function listChannels(tx: Tx, orgId: string): Promise<ChannelListItem[]> {
  await requirePermission(tx, orgId, "notifications.read");
  const rows = await tx<ChannelRow[]>`
    select ${tx.unsafe(CHANNEL_COLUMNS)} from public.notification_channels
    where org_id = ${orgId} order by created_at, id`;
  const latest = await tx<LastDeliveryRow[]>`
    select distinct on (channel_id) channel_id, status, response_code, error, created_at
    from public.notification_deliveries
    where org_id = ${orgId} and channel_id is not null
    order by channel_id, created_at desc, id desc`;
  const byChannel = new Map(latest.map((d) => [d.channel_id, d]));
  return rows.map((row) => {
    const last = byChannel.get(row.id);
    return {
      ...toChannel(row),
      last_delivery: last
        ? {
          status: last.status,
          response_code: last.response_code,
          error: last.error,
          created_at: last.created_at.toISOString(),
        }
        : null,
    };
  });
}

/**
 * Adds a channel. A webhook gets a signing secret, returned this once.
 *
 * @param options allowPrivate: dev mode, where webhook URLs may be http and private
 */
export async function createChannel(
  tx: Tx,
  orgId: string,
  userId: string | null,
  input: CreateChannelInput,
  options: { allowPrivate: boolean },
): Promise<Channel & { secret: string | null }> {
  await requirePermission(tx, orgId, "notifications.manage");
  if (input.kind === "email" && !input.emails?.length) {
    throw invalid("An email channel needs at least one address");
  }
  if (input.kind === "sms" && !input.phones?.length) {
    throw invalid("An SMS channel needs at least one phone number");
  }
  const url = await validTarget(input.kind, input, options.allowPrivate);
  const id = crypto.randomUUID();
  const secret = input.kind === "webhook" ? generateWebhookSecret() : null;
  // Stored sealed (`shared/secrets`); shown in this answer only.
  const sealed = secret
    ? await sealWebhookSecret(secret, { table: "notification_channels", orgId, id })
    : null;
  const [row] = await tx<ChannelRow[]>`
    insert into public.notification_channels
      (id, org_id, name, kind, url, emails, phones, secret_sealed, created_by)
    values (${id}, ${orgId}, ${input.name}, ${input.kind}, ${url}, ${input.emails ?? []},
            ${[...new Set(input.phones ?? [])]}, ${sealed ? tx.json(sealed as never) : null},
            ${userId})
    returning ${tx.unsafe(CHANNEL_COLUMNS)}`;
  return { ...toChannel(row!), secret };
}

async function channelKind(tx: Tx, orgId: string, id: string): Promise<Channel["kind"]> {
  const [row] = await tx<{ kind: Channel["kind"] }[]>`
    select kind from public.notification_channels where org_id = ${orgId} and id = ${id}`;
  if (!row) throw notFound("Channel");
  return row.kind;
}

/** Renames, re-targets, enables or disables a channel. */
export async function updateChannel(
  tx: Tx,
  orgId: string,
  id: string,
  patch: UpdateChannelInput,
  options: { allowPrivate: boolean },
): Promise<Channel> {
  await requirePermission(tx, orgId, "notifications.manage");
  const kind = await channelKind(tx, orgId, id);
  const url = patch.url !== undefined || patch.emails !== undefined ||
      patch.phones !== undefined
    ? await validTarget(kind, patch, options.allowPrivate)
    : null;
  const [row] = await tx<ChannelRow[]>`
    update public.notification_channels set
      name = coalesce(${patch.name ?? null}, name),
      url = coalesce(${url}, url),
      emails = coalesce(${patch.emails ?? null}::text[], emails),
      phones = coalesce(${patch.phones ? [...new Set(patch.phones)] : null}::text[], phones),
      enabled = coalesce(${patch.enabled ?? null}, enabled)
    where org_id = ${orgId} and id = ${id}
    returning ${tx.unsafe(CHANNEL_COLUMNS)}`;
  return toChannel(row!);
}

/** A new signing secret for a webhook channel, returned this once; the old one stops at once. */
export async function rotateChannelSecret(
  tx: Tx,
  orgId: string,
  id: string,
): Promise<Channel & { secret: string }> {
  await requirePermission(tx, orgId, "notifications.manage");
  if (await channelKind(tx, orgId, id) !== "webhook") {
    throw new HttpError(409, "Only webhook channels have a signing secret", {
      code: "not_a_webhook",
    });
  }
  const secret = generateWebhookSecret();
  const sealed = await sealWebhookSecret(secret, { table: "notification_channels", orgId, id });
  const [row] = await tx<ChannelRow[]>`
    update public.notification_channels
    set secret = null, secret_sealed = ${tx.json(sealed as never)}
    where org_id = ${orgId} and id = ${id}
    returning ${tx.unsafe(CHANNEL_COLUMNS)}`;
  return { ...toChannel(row!), secret };
}

/** Removes a channel (rules that named it stop sending there). */
export async function deleteChannel(tx: Tx, orgId: string, id: string): Promise<void> {
  await requirePermission(tx, orgId, "notifications.manage");
  const rows = await tx`
    delete from public.notification_channels where org_id = ${orgId} and id = ${id} returning id`;
  if (rows.length === 0) throw notFound("Channel");
  await tx`
    update public.notification_rules set channel_ids = array_remove(channel_ids, ${id}::uuid)
    where org_id = ${orgId} and ${id}::uuid = any (channel_ids)`;
}

interface RuleRow extends Omit<Rule, "created_at"> {
  created_at: Date;
}
const RULE_COLUMNS =
  "id, org_id, name, event, min_severity, threshold, framework, days, actions, channel_ids, in_app_role, throttle_minutes, enabled, created_at";
const toRule = (row: RuleRow): Rule => ({ ...row, created_at: row.created_at.toISOString() });

async function assertChannelsExist(tx: Tx, orgId: string, ids: string[] | undefined) {
  if (!ids?.length) return;
  const [counted] = await tx<{ n: number }[]>`
    select count(*)::int as n from public.notification_channels
    where org_id = ${orgId} and id = any (${ids}::uuid[])`;
  if (counted!.n !== new Set(ids).size) {
    throw invalid("A rule can only use this organization's channels");
  }
}

/** The organization's alert rules. */
export async function listRules(tx: Tx, orgId: string): Promise<Rule[]> {
  await requirePermission(tx, orgId, "notifications.read");
  const rows = await tx<RuleRow[]>`
    select ${tx.unsafe(RULE_COLUMNS)} from public.notification_rules
    where org_id = ${orgId} order by created_at, id`;
  return rows.map(toRule);
}

/** Adds an alert rule. */
export async function createRule(
  tx: Tx,
  orgId: string,
  userId: string | null,
  input: CreateRuleInput,
): Promise<Rule> {
  await requirePermission(tx, orgId, "notifications.manage");
  await assertChannelsExist(tx, orgId, input.channel_ids);
  const [row] = await tx<RuleRow[]>`
    insert into public.notification_rules
      (org_id, name, event, min_severity, threshold, framework, days, actions, channel_ids,
       in_app_role, throttle_minutes, enabled, created_by)
    values (${orgId}, ${input.name}, ${input.event}, ${input.min_severity ?? "high"},
            ${input.threshold ?? 5}, ${input.framework ?? null}, ${input.days ?? 7},
            ${[...new Set(input.actions ?? [])]}::text[],
            ${input.channel_ids ?? []}::uuid[], ${input.in_app_role ?? null},
            ${input.throttle_minutes ?? 60}, ${input.enabled ?? true}, ${userId})
    returning ${tx.unsafe(RULE_COLUMNS)}`;
  return toRule(row!);
}

/** Changes an alert rule. */
export async function updateRule(
  tx: Tx,
  orgId: string,
  id: string,
  patch: UpdateRuleInput,
): Promise<Rule> {
  await requirePermission(tx, orgId, "notifications.manage");
  await assertChannelsExist(tx, orgId, patch.channel_ids);
  const inAppSet = patch.in_app_role !== undefined;
  const frameworkSet = patch.framework !== undefined;
  const [row] = await tx<RuleRow[]>`
    update public.notification_rules set
      name = coalesce(${patch.name ?? null}, name),
      event = coalesce(${patch.event ?? null}, event),
      min_severity = coalesce(${patch.min_severity ?? null}, min_severity),
      threshold = coalesce(${patch.threshold ?? null}::int, threshold),
      framework = case when ${frameworkSet} then ${patch.framework ?? null} else framework end,
      days = coalesce(${patch.days ?? null}::int, days),
      actions = coalesce(${patch.actions ? [...new Set(patch.actions)] : null}::text[], actions),
      channel_ids = coalesce(${patch.channel_ids ?? null}::uuid[], channel_ids),
      in_app_role = case when ${inAppSet} then ${patch.in_app_role ?? null}::public.org_role
                         else in_app_role end,
      throttle_minutes = coalesce(${patch.throttle_minutes ?? null}::int, throttle_minutes),
      enabled = coalesce(${patch.enabled ?? null}, enabled)
    where org_id = ${orgId} and id = ${id}
    returning ${tx.unsafe(RULE_COLUMNS)}`;
  if (!row) throw notFound("Rule");
  return toRule(row);
}

/** Removes an alert rule. */
export async function deleteRule(tx: Tx, orgId: string, id: string): Promise<void> {
  await requirePermission(tx, orgId, "notifications.manage");
  const rows = await tx`
    delete from public.notification_rules where org_id = ${orgId} and id = ${id} returning id`;
  if (rows.length === 0) throw notFound("Rule");
}

interface DeliveryRow extends Omit<NotificationDelivery, "created_at"> {
  created_at: Date;
}

const UUID_TEXT = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * A page of the delivery log, newest first, optionally of one status, in one
 * statement with the caller's role check. The cursor names the last delivery
 * of the previous page (its id), so rows written in the same microsecond are
 * neither skipped nor repeated.
 *
 * @throws {HttpError} 404 when the caller is not a member, 403 below `notifications.manage`
 */
export async function listDeliveries(
  db: Database,
  claims: TenantClaims,
  orgId: string,
  query: DeliveriesQuery,
): Promise<{ data: NotificationDelivery[]; next_cursor: string | null }> {
  const after = query.cursor
    ? decodeCursor(
      query.cursor,
      ([id]) => (typeof id === "string" && UUID_TEXT.test(id) ? id : null),
    )
    : null;
  const { rows } = await readGuardedPage(
    db,
    claims,
    { orgId },
    "notifications.manage",
    (tx) =>
      tx<DeliveryRow[]>`
      select d.id, d.rule_id, d.channel_id, d.channel_kind, d.cause_key, d.status, d.response_code,
             d.error, d.message_id, d.attempt, d.created_at
      from public.notification_deliveries d
      where d.org_id = ${orgId}
        ${query.status ? tx`and d.status = ${query.status}` : tx``}
        ${
        after
          ? tx`and (d.created_at, d.id) < (select p.created_at, p.id from public.notification_deliveries p
                                         where p.org_id = ${orgId} and p.id = ${after})`
          : tx``
      }
      order by d.created_at desc, d.id desc limit ${query.limit + 1}`,
  );
  const data = rows.slice(0, query.limit).map((r) => ({
    ...r,
    created_at: r.created_at.toISOString(),
  }));
  const last = data.at(-1);
  return { data, next_cursor: rows.length > query.limit && last ? encodeCursor([last.id]) : null };
}

interface InboxRow extends Omit<InAppNotification, "created_at" | "read_at"> {
  created_at: Date;
  read_at: Date | null;
  unread: number;
}

/**
 * The caller's in-app notifications in the organization, newest first, and
 * how many are unread: one statement with the caller's role check, the count
 * a column of every row (computed once). An empty page means nothing (unread)
 * to show, so its count is 0.
 *
 * @throws {HttpError} 404 when the caller is not a member, 403 below `notifications.read`
 */
export async function listInbox(
  db: Database,
  claims: TenantClaims,
  orgId: string,
  query: { unread_only?: "true" | "false"; limit: number },
): Promise<{ data: InAppNotification[]; unread: number }> {
  const unreadOnly = query.unread_only === "true";
  const { rows } = await readGuardedPage(
    db,
    claims,
    { orgId },
    "notifications.read",
    (tx) =>
      tx<InboxRow[]>`
        select id, org_id, event, title, body, link, read_at, created_at,
               (${unreadCountStatement(tx, orgId)}) as unread
        from public.notifications
        where org_id = ${orgId} and user_id = (select auth.uid())
          and (not ${unreadOnly} or read_at is null)
        order by created_at desc, id desc limit ${query.limit}`,
  );
  return {
    data: rows.map(({ unread: _, ...r }) => ({
      ...r,
      read_at: iso(r.read_at),
      created_at: iso(r.created_at)!,
    })),
    unread: rows[0]?.unread ?? 0,
  };
}

/** Marks one of the caller's notifications read; returns the unread count left. */
export async function markRead(tx: Tx, orgId: string, id: string): Promise<number> {
  await requirePermission(tx, orgId, "notifications.read");
  const rows = await tx`
    update public.notifications set read_at = coalesce(read_at, now())
    where org_id = ${orgId} and id = ${id} and user_id = (select auth.uid()) returning id`;
  if (rows.length === 0) throw notFound("Notification");
  return await unreadCount(tx, orgId);
}

/** Marks all of the caller's notifications in the organization read. */
export async function markAllRead(tx: Tx, orgId: string): Promise<number> {
  await requirePermission(tx, orgId, "notifications.read");
  const rows = await tx`
    update public.notifications set read_at = now()
    where org_id = ${orgId} and user_id = (select auth.uid()) and read_at is null returning id`;
  return rows.length;
}

/**
 * The most unread notifications counted: the bell shows "99+" beyond 99, and
 * counting stops there instead of reading a neglected inbox's every row.
 */
export const UNREAD_CAP = 100;

/** The caller's unread notifications in the organization, up to {@linkcode UNREAD_CAP}. */
async function unreadCount(tx: Tx, orgId: string): Promise<number> {
  const [count] = await tx<{ unread: number }[]>`select (${
    unreadCountStatement(tx, orgId)
  }) as unread`;
  return count!.unread;
}

function unreadCountStatement(tx: Tx, orgId: string) {
  return tx`
    select count(*)::int from (
      select 1 from public.notifications
      where org_id = ${orgId} and user_id = (select auth.uid()) and read_at is null
      limit ${UNREAD_CAP}) capped`;
}
