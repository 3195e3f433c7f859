// CSV of the audit trail and of the access review: RFC 4180 through the
// reports' CSV field writer, so every cell a spreadsheet would read as a
// formula is neutralised.
import { csvField } from "../reports/render/csv.ts";
import type { AccessPeriod, AuditEntry } from "./schemas.ts";

const line = (cells: readonly (string | number | null)[]) => cells.map(csvField).join(",") + "\r\n";

/**
 * The audit entries as CSV text (UTF-8 with a byte order mark). Read inside
 * the transaction, so the file is one consistent view of the chain.
 *
 * @param entries the entries, oldest first
 */
export async function auditEntriesCsv(
  entries: AsyncIterable<AuditEntry & { before: unknown; after: unknown }>,
): Promise<string> {
  const parts = [
    "\uFEFF" + line([
      "seq",
      "occurred_at",
      "actor_kind",
      "actor",
      "action",
      "category",
      "operation",
      "target_table",
      "target_id",
      "before",
      "after",
      "request_id",
      "ip",
      "user_agent",
      "hash",
    ]),
  ];
  for await (const e of entries) {
    parts.push(line([
      e.seq,
      e.occurred_at,
      e.actor_kind,
      e.actor_email ?? e.actor_id,
      e.action,
      e.category,
      e.operation,
      e.target_table,
      e.target_id,
      e.before === null ? null : JSON.stringify(e.before),
      e.after === null ? null : JSON.stringify(e.after),
      e.request_id,
      e.ip,
      e.user_agent,
      e.hash,
    ]));
  }
  return parts.join("");
}

/**
 * The access review as CSV text (UTF-8 with a byte order mark). Every row
 * names when the history it was replayed from starts (after retention purges;
 * "complete" when nothing was purged).
 *
 * @param periods the role periods
 * @param historyStartsAt when the retained audit history starts, or null
 */
export function accessReviewCsv(
  periods: readonly AccessPeriod[],
  historyStartsAt: string | null = null,
): string {
  const unknownGrant = historyStartsAt
    ? `before the retained history starts (${historyStartsAt})`
    : "before the audit trail began";
  return "\uFEFF" + line([
    "user",
    "role",
    "granted_at",
    "granted_by",
    "ended_at",
    "ended_by",
    "ended_how",
    "history_starts_at",
  ]) + periods.map((p) =>
    line([
      p.email ?? p.user_id,
      p.role,
      p.granted_at ?? unknownGrant,
      p.granted_by_email ?? p.granted_by,
      p.ended_at,
      p.ended_by_email ?? p.ended_by,
      p.ended_how,
      historyStartsAt ?? "complete",
    ])
  ).join("");
}
