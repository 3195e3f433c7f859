/**
 * Alert rules on security events (`security.event`): a system schedule reads,
 * every minute, the security entries each organization's audit trail gained
 * since the last pass (a cursor per organization), and hands them to the
 * rules as causes — one per audit entry, so an entry alerts once; the rule's
 * throttle caps a burst. Requests write nothing extra: the audit entry they
 * write anyway is the event.
 *
 * @module
 */
import type { Tx } from "../db/mod.ts";
import {
  type AlertCause,
  deliverCauses,
  type DispatchDeps,
  type DispatchOutcome,
} from "./dispatch.ts";
import type { Rule } from "./schemas.ts";

/** Entries read per organization and pass; the rest waits for the next minute. */
export const SECURITY_BATCH = 200;

interface SecurityEntry {
  id: string;
  seq: string;
  occurred_at: Date;
  action: string;
  actor_kind: string;
  actor_id: string | null;
  actor_email: string | null;
  target_table: string;
  target_id: string | null;
  ip: string | null;
}

/**
 * Whether an audit action matches a rule's action filter (empty: every
 * action; `members.*` matches a prefix).
 */
export function actionMatches(filters: readonly string[], action: string): boolean {
  if (filters.length === 0) return true;
  return filters.some((f) => f.endsWith(".*") ? action.startsWith(f.slice(0, -1)) : f === action);
}

function causeOf(entry: SecurityEntry, since: Map<string, Date>, link: string | null): AlertCause {
  const who = entry.actor_email ??
    (entry.actor_id ? `${entry.actor_kind} ${entry.actor_id}` : entry.actor_kind);
  return {
    event: "security.event",
    cause_key: `audit:${entry.id}`,
    fires: (rule: Rule) =>
      entry.occurred_at >= (since.get(rule.id) ?? new Date(8.64e15)) &&
      actionMatches(rule.actions, entry.action),
    message: () => ({
      title: `Security event: ${entry.action}`,
      body: `${entry.action} by ${who} on ${entry.target_table}${
        entry.target_id ? ` ${entry.target_id}` : ""
      }${
        entry.ip ? ` from ${entry.ip}` : ""
      } at ${entry.occurred_at.toISOString()} (audit entry #${entry.seq}).`,
      link,
      details: {
        audit_entry_id: entry.id,
        seq: Number(entry.seq),
        action: entry.action,
        actor_kind: entry.actor_kind,
        actor_id: entry.actor_id,
        target_table: entry.target_table,
        target_id: entry.target_id,
      },
    }),
  };
}

/** The security entries after the organization's cursor, written since its oldest rule. */
async function newEntries(tx: Tx, orgId: string, since: Date): Promise<SecurityEntry[]> {
  return await tx<SecurityEntry[]>`
    select l.id, l.seq, l.occurred_at, l.action, l.actor_kind, l.actor_id, p.email as actor_email,
           l.target_table, l.target_id, l.ip
    from public.audit_log l left join public.profiles p on p.id::text = l.actor_id
    where l.org_id = ${orgId} and l.category = 'security' and l.occurred_at >= ${since}
      and l.seq > coalesce(
        (select c.last_seq from private.security_alert_cursors c where c.org_id = ${orgId}), 0)
    order by l.seq
    limit ${SECURITY_BATCH}`;
}

/**
 * One pass: for every organization with an enabled `security.event` rule,
 * alert on the security entries written since the last pass.
 */
export async function dispatchSecurityEvents(
  deps: DispatchDeps,
): Promise<DispatchOutcome & { entries: number }> {
  const outcome = { sent: 0, failed: 0, throttled: 0, duplicates: 0, entries: 0 };
  const rules = await deps.db.asService((tx) =>
    tx<{ id: string; org_id: string; created_at: Date }[]>`
      select id, org_id, created_at from public.notification_rules
      where event = 'security.event' and enabled order by org_id`
  );
  const byOrg = Map.groupBy(rules, (r) => r.org_id);
  const link = deps.publicUrl ? `${deps.publicUrl.replace(/\/$/, "")}/app/settings/audit` : null;
  for (const [orgId, orgRules] of byOrg) {
    const since = new Map(orgRules.map((r) => [r.id, r.created_at]));
    const oldest = new Date(Math.min(...orgRules.map((r) => r.created_at.getTime())));
    const entries = await deps.db.asService((tx) => newEntries(tx, orgId, oldest));
    if (entries.length === 0) continue;
    outcome.entries += entries.length;
    await deliverCauses(deps, orgId, entries.map((e) => causeOf(e, since, link)), outcome);
    // Delivered (or deduplicated on a retry) before the cursor moves: nothing is skipped.
    const last = entries.at(-1)!.seq;
    await deps.db.asService((tx) =>
      tx`insert into private.security_alert_cursors (org_id, last_seq) values (${orgId}, ${last})
         on conflict (org_id) do update set last_seq = excluded.last_seq, updated_at = now()`
    );
  }
  return outcome;
}
