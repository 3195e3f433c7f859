// The access review: who held which role in an organization over a period,
// with who granted and ended it — replayed from the audit entries on
// memberships (the chain starts with a snapshot of every membership, so
// people who joined before the audit trail existed are covered too).
import type { Tx } from "../db/mod.ts";
import { requirePermission } from "../organizations/mod.ts";
import { auditChainStart } from "./retention.ts";
import type { AccessPeriod, AccessReview, AccessReviewQuery } from "./schemas.ts";

interface MembershipEntry {
  occurred_at: Date;
  actor_id: string | null;
  operation: "insert" | "update" | "delete" | "snapshot" | "event";
  target_id: string;
  before: { role?: string } | null;
  after: { role?: string; created_at?: string } | null;
}

type Open = Omit<AccessPeriod, "email" | "granted_by_email" | "ended_by_email">;

/**
 * Replays membership entries into role periods (pure; exported for tests).
 *
 * @param entries the organization's membership entries, oldest first, up to the period's end
 */
export function replayMemberships(entries: readonly MembershipEntry[]): Open[] {
  const open = new Map<string, Open>();
  const closed: Open[] = [];
  const end = (userId: string, at: Date, by: string | null, how: Open["ended_how"]) => {
    const period = open.get(userId);
    if (!period) return;
    open.delete(userId);
    closed.push({ ...period, ended_at: at.toISOString(), ended_by: by, ended_how: how });
  };
  const start = (userId: string, role: string, at: string | null, by: string | null) =>
    open.set(userId, {
      user_id: userId,
      role,
      granted_at: at,
      granted_by: by,
      ended_at: null,
      ended_by: null,
      ended_how: null,
    });
  for (const e of entries) {
    const at = e.occurred_at.toISOString();
    if (e.operation === "snapshot" && e.after?.role) {
      // Held since it was created, before the audit trail began: granter unknown.
      start(e.target_id, e.after.role, e.after.created_at ?? null, null);
    } else if (e.operation === "insert" && e.after?.role) {
      start(e.target_id, e.after.role, at, e.actor_id);
    } else if (e.operation === "update" && e.after?.role) {
      end(e.target_id, e.occurred_at, e.actor_id, "role_changed");
      start(e.target_id, e.after.role, at, e.actor_id);
    } else if (e.operation === "delete") {
      end(e.target_id, e.occurred_at, e.actor_id, "removed");
    }
  }
  return [...closed, ...open.values()];
}

/**
 * After a retention purge, the roles people held when the kept history starts,
 * as snapshot entries (grant time and granter unknown): the role before the
 * first kept change of their membership, or, with no kept change, the role
 * they hold now.
 */
async function rolesAtStart(tx: Tx, orgId: string, startsAt: Date): Promise<MembershipEntry[]> {
  const firsts = await tx<Pick<MembershipEntry, "target_id" | "operation" | "before">[]>`
    select distinct on (target_id) target_id, operation, before from public.audit_log
    where org_id = ${orgId} and target_table = 'memberships' and target_id is not null
    order by target_id, seq`;
  const current = await tx<{ user_id: string; role: string }[]>`
    select user_id::text, role::text from public.memberships where org_id = ${orgId}`;
  const seen = new Map(firsts.map((f) => [f.target_id, f]));
  const seed = (target_id: string, role: string): MembershipEntry => ({
    occurred_at: startsAt,
    actor_id: null,
    operation: "snapshot",
    target_id,
    before: null,
    after: { role },
  });
  const seeds = firsts
    .filter((f) => (f.operation === "update" || f.operation === "delete") && f.before?.role)
    .map((f) => seed(f.target_id, f.before!.role!));
  for (const m of current) if (!seen.has(m.user_id)) seeds.push(seed(m.user_id, m.role));
  return seeds;
}

/**
 * Role periods that overlap `[from, to)`, with emails where the caller can see
 * them, and when the audit history they are replayed from starts.
 *
 * @param tx a tenant transaction
 * @param query the organization and the period
 */
export async function accessReview(tx: Tx, query: AccessReviewQuery): Promise<AccessReview> {
  await requirePermission(tx, query.org_id, "audit.read");
  const from = new Date(query.from);
  const to = new Date(query.to);
  const start = await auditChainStart(tx, query.org_id);
  const seeds = start ? await rolesAtStart(tx, query.org_id, new Date(start.starts_at)) : [];
  const entries = await tx<MembershipEntry[]>`
    select occurred_at, actor_id, operation, target_id, before, after
    from public.audit_log
    where org_id = ${query.org_id} and target_table = 'memberships' and occurred_at < ${to}
    order by seq`;
  const periods = replayMemberships([...seeds, ...entries]).filter((p) =>
    (p.granted_at === null || new Date(p.granted_at) < to) &&
    (p.ended_at === null || new Date(p.ended_at) >= from)
  );
  const ids = [
    ...new Set(periods.flatMap((p) => [p.user_id, p.granted_by, p.ended_by]).filter(Boolean)),
  ] as string[];
  const emails = new Map(
    (await tx<{ id: string; email: string }[]>`
      select id::text, email from public.profiles where id::text = any(${ids})`)
      .map((r) => [r.id, r.email]),
  );
  const email = (id: string | null) => id ? emails.get(id) ?? null : null;
  const data = periods
    .map((p) => ({
      ...p,
      email: email(p.user_id),
      granted_by_email: email(p.granted_by),
      ended_by_email: email(p.ended_by),
    }))
    .sort((a, b) =>
      (a.email ?? a.user_id).localeCompare(b.email ?? b.user_id) ||
      (a.granted_at ?? "").localeCompare(b.granted_at ?? "")
    );
  return { data, history_starts_at: start?.starts_at ?? null };
}
