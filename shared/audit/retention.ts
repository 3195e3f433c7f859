// Retention of the audit trail per plan (docs/audit.md, "Retention"): the
// daily system schedule purges, organization by organization, the entries
// older than the plan's `retention_days`, each in its own transaction. The SQL
// function records where the kept history starts before deleting below it.
import type { Database, Tx } from "../db/mod.ts";

/** What one purge run did. */
export interface PurgeReport {
  organizations: number;
  purged: number;
}

/**
 * Purges every organization's expired audit entries.
 *
 * @param db the database
 * @param asOf the time retention is measured from (now; tests pass a later time)
 */
export async function purgeExpiredAuditEntries(
  db: Pick<Database, "asService">,
  asOf: Date = new Date(),
): Promise<PurgeReport> {
  const due = await db.asService((tx) =>
    tx<{ org_id: string }[]>`select org_id from private.audit_purge_due(${asOf})`
  );
  let purged = 0;
  for (const { org_id } of due) {
    const [row] = await db.asService((tx) =>
      tx<{ purged: number }[]>`select purged from private.audit_purge(${org_id}, ${asOf})`
    );
    purged += row?.purged ?? 0;
  }
  return { organizations: due.length, purged };
}

/** Where an organization's retained history starts; null when nothing was ever purged. */
export interface ChainStart {
  seq: number;
  starts_at: string;
  purged_at: string;
}

/**
 * The start of the organization's retained chain (its latest purge).
 *
 * @param tx a tenant or service transaction
 * @param orgId the organization
 */
export async function auditChainStart(tx: Tx, orgId: string): Promise<ChainStart | null> {
  const [row] = await tx<{ seq: string; starts_at: Date; purged_at: Date }[]>`
    select seq, starts_at, purged_at from private.audit_chain_start(${orgId})`;
  return row
    ? {
      seq: Number(row.seq),
      starts_at: row.starts_at.toISOString(),
      purged_at: row.purged_at.toISOString(),
    }
    : null;
}
