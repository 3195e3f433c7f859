/**
 * Keyset pages whose cursor is `[sort key as text, id]`: decoding the cursor,
 * the newest-first condition on `(created_at, id)`, and the page with the
 * next cursor from its last row — written once for the lists that share them
 * (widgets, API keys, saved reports).
 *
 * @module
 */

import type postgres from "postgres";
import { cursorInstantText, decodeCursor, encodeCursor } from "../http/cursor.ts";
import type { Tx } from "./database.ts";

/** Where the previous page ended: its last row's sort key (text) and id. */
export interface Keyset {
  key: string;
  id: string;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * Reads a `[key, id]` cursor.
 *
 * @param cursor the cursor the client sent back, if any
 * @param parseKey checks the key (null refuses the cursor)
 * @returns the keyset, or null on the first page
 * @throws {HttpError} 400 `invalid_cursor`
 */
export function decodeKeyset(
  cursor: string | undefined,
  parseKey: (value: unknown) => string | null,
): Keyset | null {
  if (!cursor) return null;
  return decodeCursor(cursor, ([value, id]) => {
    const key = parseKey(value);
    return key !== null && typeof id === "string" && UUID.test(id) ? { key, id } : null;
  });
}

/**
 * Reads a newest-first cursor: `[created_at as the database gave it, id]`
 * (microseconds kept, see `cursorInstantText`).
 */
export function decodeNewestFirst(cursor: string | undefined): Keyset | null {
  return decodeKeyset(cursor, cursorInstantText);
}

/**
 * The SQL of a newest-first page of the table aliased `alias`, for its
 * (…, created_at desc) index: the `cursor_key` column (created_at as exact
 * UTC text), the condition after the cursor, and the order.
 *
 * @param tx the transaction building the statement
 * @param alias the table's alias in the statement
 * @param after where the previous page ended
 */
export function newestFirst(tx: Tx, alias: string, after: Keyset | null): {
  cursorKey: postgres.PendingQuery<postgres.Row[]>;
  after: postgres.PendingQuery<postgres.Row[]>;
  orderBy: postgres.PendingQuery<postgres.Row[]>;
} {
  const createdAt = tx(`${alias}.created_at`);
  const id = tx(`${alias}.id`);
  return {
    cursorKey: tx`to_char(${createdAt} at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')
                  as cursor_key`,
    // The key goes as text: a timestamptz parameter passes through a JavaScript
    // Date in postgres.js and would lose its microseconds (and skip rows).
    after: after
      ? tx`and (${createdAt}, ${id}) < (${after.key}::text::timestamptz, ${after.id}::uuid)`
      : tx``,
    orderBy: tx`order by ${createdAt} desc, ${id} desc`,
  };
}

/**
 * A page of `limit` rows out of `limit + 1` read, without their `cursor_key`
 * column, and the cursor to the next page (null on the last).
 *
 * @param rows the statement's rows (one more than a page when there are more)
 * @param limit the page size
 */
export function keysetPage<T extends { id: string; cursor_key: string }>(
  rows: readonly T[],
  limit: number,
): { rows: Omit<T, "cursor_key">[]; next_cursor: string | null } {
  const page = rows.slice(0, limit);
  const last = page.at(-1);
  return {
    rows: page.map(({ cursor_key: _, ...row }) => row),
    next_cursor: rows.length > limit && last ? encodeCursor([last.cursor_key, last.id]) : null,
  };
}
