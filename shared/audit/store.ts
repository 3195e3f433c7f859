// Reads of the audit trail, always inside a tenant transaction: row-level
// security admits auditors and above of the organization, and each function
// checks `audit.read` first for a clear 403.
import type { Database, TenantClaims, Tx } from "../db/mod.ts";
import { decodeCursor, encodeCursor } from "../http/cursor.ts";
import { HttpError } from "../http/errors.ts";
import { readGuardedPage, requirePermission } from "../organizations/mod.ts";
import { auditChainStart } from "./retention.ts";
import type {
  AuditEntry,
  AuditEntryDetail,
  AuditFilter,
  AuditListQuery,
  AuditVerification,
  SignInEvent,
  SignInQuery,
} from "./schemas.ts";

interface EntryRow extends Omit<AuditEntry, "occurred_at" | "seq"> {
  occurred_at: Date;
  seq: string | number;
}

/** A user's id as audit entries carry it (text); anything else names no profile. */
const UUID_PATTERN = "^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$";

// The actor's email is looked up per row by primary key (after the page's limit),
// never by joining profiles on a cast that no index serves.
const ENTRY_COLUMNS = (tx: Tx) =>
  tx`l.id, l.org_id, l.seq, l.occurred_at, l.actor_kind, l.actor_id,
     (select p.email from public.profiles p
       where l.actor_kind = 'user' and l.actor_id ~* ${UUID_PATTERN}
         and p.id = l.actor_id::uuid) as actor_email,
     l.on_behalf_of, l.action, l.category, l.operation, l.target_table, l.target_id,
     l.request_id, l.ip, l.user_agent, l.route, l.hash`;

function toEntry(row: EntryRow): AuditEntry {
  return { ...row, seq: Number(row.seq), occurred_at: row.occurred_at.toISOString() };
}

function where(tx: Tx, f: AuditFilter) {
  // An action filter ending in `.` or `*` matches a prefix (`members.*`).
  const action = f.action?.replace(/\*$/, "");
  return tx`l.org_id = ${f.org_id}
    ${
    f.actor
      // An email names a member: found among the organization's memberships
      // (by index), each profile by primary key (profiles readable by the
      // caller are teammates only, as the email column shows).
      ? tx`and (l.actor_id = ${f.actor} or l.actor_id in (
          select m.user_id::text from public.memberships m
          join public.profiles p on p.id = m.user_id
          where m.org_id = ${f.org_id} and lower(p.email) = lower(${f.actor})))`
      : tx``
  }
    ${
    action
      ? action.endsWith(".")
        ? tx`and starts_with(l.action, ${action})`
        : tx`and l.action = ${action}`
      : tx``
  }
    ${f.target_table ? tx`and l.target_table = ${f.target_table}` : tx``}
    ${f.target_id ? tx`and l.target_id = ${f.target_id}` : tx``}
    ${f.category ? tx`and l.category = ${f.category}` : tx``}
    ${f.from ? tx`and l.occurred_at >= ${new Date(f.from)}` : tx``}
    ${f.to ? tx`and l.occurred_at < ${new Date(f.to)}` : tx``}`;
}

/**
 * One page of entries, newest first (keyset on the chain's sequence), in one
 * statement with the caller's role check.
 *
 * @param db the database
 * @param claims the caller
 * @param query filters, page size and cursor
 * @throws {HttpError} 404 when the caller is not a member, 403 below `audit.read`
 */
export async function listAuditEntries(
  db: Database,
  claims: TenantClaims,
  query: AuditListQuery,
): Promise<{ data: AuditEntry[]; next_cursor: string | null }> {
  const before = query.cursor
    ? decodeCursor(query.cursor, ([seq]) => typeof seq === "number" ? seq : null)
    : null;
  const { rows } = await readGuardedPage(
    db,
    claims,
    { orgId: query.org_id },
    "audit.read",
    (tx) =>
      tx<EntryRow[]>`
        select ${ENTRY_COLUMNS(tx)}
        from public.audit_log l
        where ${where(tx, query)} ${before !== null ? tx`and l.seq < ${before}` : tx``}
        order by l.seq desc
        limit ${query.limit + 1}`,
  );
  const page = rows.slice(0, query.limit).map(toEntry);
  const last = page.at(-1);
  return {
    data: page,
    next_cursor: rows.length > query.limit && last ? encodeCursor([last.seq]) : null,
  };
}

/**
 * Every entry matching `filter`, oldest first, in batches (for the CSV export).
 *
 * @param tx a tenant transaction
 * @param filter the filters
 */
export async function* allAuditEntries(
  tx: Tx,
  filter: AuditFilter,
): AsyncGenerator<AuditEntry & { before: unknown; after: unknown }> {
  await requirePermission(tx, filter.org_id, "audit.read");
  let after = 0;
  while (true) {
    const rows = await tx<(EntryRow & { before: unknown; after: unknown })[]>`
      select ${ENTRY_COLUMNS(tx)}, l.before, l.after
      from public.audit_log l
      where ${where(tx, filter)} and l.seq > ${after}
      order by l.seq limit 1000`;
    for (const row of rows) yield { ...toEntry(row), before: row.before, after: row.after };
    if (rows.length < 1000) return;
    after = Number(rows.at(-1)!.seq);
  }
}

/**
 * One entry with its before/after and the list of changed fields.
 *
 * @param tx a tenant transaction
 * @param orgId the organization
 * @param id the entry
 */
export async function getAuditEntry(tx: Tx, orgId: string, id: string): Promise<AuditEntryDetail> {
  await requirePermission(tx, orgId, "audit.read");
  const [row] = await tx<
    (EntryRow & {
      prev_hash: string;
      before: Record<string, unknown> | null;
      after: Record<string, unknown> | null;
    })[]
  >`
    select ${ENTRY_COLUMNS(tx)}, l.prev_hash, l.before, l.after
    from public.audit_log l
    where l.org_id = ${orgId} and l.id = ${id}`;
  if (!row) throw new HttpError(404, "No such audit entry in this organization");
  const fields = [...new Set([...Object.keys(row.before ?? {}), ...Object.keys(row.after ?? {})])]
    .sort();
  return {
    ...toEntry(row),
    prev_hash: row.prev_hash,
    before: row.before,
    after: row.after,
    changes: fields.map((field) => ({
      field,
      before: row.before?.[field] ?? null,
      after: row.after?.[field] ?? null,
    })),
  };
}

/**
 * Verifies the organization's chain from its first retained entry, and names
 * the latest anchor and where the retained history starts.
 *
 * @param tx a tenant transaction (or the service's, for the command line)
 * @param orgId the organization
 * @param checkRole whether to check `audit.read` (the command line runs as the service)
 */
export async function verifyAuditChain(
  tx: Tx,
  orgId: string,
  checkRole = true,
): Promise<AuditVerification> {
  if (checkRole) await requirePermission(tx, orgId, "audit.read");
  const [result] = await tx<
    {
      ok: boolean;
      entries: string;
      head_seq: string | null;
      head_hash: string | null;
      broken_seq: string | null;
      broken_id: string | null;
      reason: string | null;
    }[]
  >`select * from private.audit_verify(${orgId})`;
  const [anchor] = await tx<{ seq: string; hash: string; anchored_at: Date }[]>`
    select * from private.audit_latest_anchor(${orgId})`;
  const num = (v: string | null) => v === null ? null : Number(v);
  return {
    ok: result!.ok,
    entries: Number(result!.entries),
    head_seq: num(result!.head_seq),
    head_hash: result!.head_hash,
    broken_seq: num(result!.broken_seq),
    broken_id: result!.broken_id,
    reason: result!.reason,
    checked_at: new Date().toISOString(),
    history_start: await auditChainStart(tx, orgId),
    anchor: anchor
      ? {
        seq: Number(anchor.seq),
        hash: anchor.hash,
        anchored_at: anchor.anchored_at.toISOString(),
      }
      : null,
  };
}

/**
 * Records an event that is not a row change (a connection tested, a file
 * downloaded, an export of the audit trail) in the organization's chain, in
 * the caller's transaction.
 *
 * @param tx a tenant (or service) transaction
 * @param event what happened
 */
export async function recordAuditEvent(
  tx: Tx,
  event: {
    orgId: string;
    action: string;
    targetTable: string;
    targetId?: string | null;
    details?: Record<string, unknown> | null;
    category?: "change" | "security";
  },
): Promise<string> {
  const [row] = await tx<{ id: string }[]>`
    select private.audit_event(${event.orgId}, ${event.action}, ${event.targetTable},
      ${event.targetId ?? null}, ${event.details ? tx.json(event.details as never) : null},
      ${event.category ?? "security"}) as id`;
  return row!.id;
}

/**
 * Sign-in events (sign-ins, failed sign-ins, sign-outs, revocations) of the
 * organization's members and former members, newest first, from Supabase
 * Auth's own log.
 *
 * @param tx a tenant transaction
 * @param query the organization, the period (default: the last 30 days) and how many
 */
export async function listSignInEvents(tx: Tx, query: SignInQuery): Promise<SignInEvent[]> {
  await requirePermission(tx, query.org_id, "audit.read");
  const to = query.to ? new Date(query.to) : new Date(Date.now() + 60_000);
  const from = query.from ? new Date(query.from) : new Date(to.getTime() - 30 * 86_400_000);
  const rows = await tx<(Omit<SignInEvent, "at"> & { at: Date })[]>`
    select * from private.audit_sign_in_events(${query.org_id}, ${from}, ${to}, ${query.limit})`;
  return rows.map((r) => ({ ...r, at: r.at.toISOString() }));
}
