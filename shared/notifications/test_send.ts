import type { Database, TenantClaims } from "../db/mod.ts";
import { recordAuditEvent } from "../audit/mod.ts";
import { HttpError } from "../http/errors.ts";
import { requirePermission } from "../organizations/mod.ts";
import type { ChannelSet, ChannelTarget } from "./channels.ts";

/**
 * Sends a test alert to one channel and says what the receiver answered. The
 * attempt is recorded as an audit event (nothing else is written).
 */
export async function sendTestAlert(
  db: Database,
  claims: TenantClaims,
  channels: ChannelSet,
  orgId: string,
  channelId: string,
): Promise<{ ok: boolean; status: number | null; error: string | null }> {
  const target = await db.asTenant(claims, async (tx) => {
    await requirePermission(tx, orgId, "notifications.manage");
    const [row] = await tx<{ id: string }[]>`
      select id from public.notification_channels where org_id = ${orgId} and id = ${channelId}`;
    if (!row) throw new HttpError(404, "Channel not found", { code: "not_found" });
    return row;
  });
  // The secret is readable by the engine only.
  const [full] = await db.asEngine(orgId, (tx) =>
    tx<ChannelTarget[]>`
      select id, kind, url, emails, phones, secret, secret_sealed from public.notification_channels where id = ${target.id}`);
  const result = await channels[full!.kind].send(full!, {
    event: "test",
    title: "Test alert from ComplianceIQ",
    body: "This channel is set up: alerts from your rules will arrive here.",
    link: null,
    org_id: orgId,
    cause_key: `test:${crypto.randomUUID()}`,
    details: {},
  }, `msg_${crypto.randomUUID()}`);
  await db.asTenant(claims, (tx) =>
    recordAuditEvent(tx, {
      orgId,
      action: "notifications.channel_tested",
      targetTable: "notification_channels",
      targetId: channelId,
      details: { ok: result.ok, status: result.status },
      category: "security",
    }));
  return result;
}
