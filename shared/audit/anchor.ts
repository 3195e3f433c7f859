import type { Database } from "../db/mod.ts";

/**
 * Anchors the head of every organization's audit chain that moved since its
 * last anchor (the daily system schedule runs this). Returns how many.
 *
 * @param db the database
 */
export async function anchorAuditChains(db: Pick<Database, "asService">): Promise<number> {
  const [row] = await db.asService((tx) =>
    tx<{ n: number }[]>`select private.audit_anchor_heads() as n`
  );
  return row?.n ?? 0;
}
