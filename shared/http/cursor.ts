import { Buffer } from "node:buffer";
import { HttpError } from "./errors.ts";

/**
 * A page cursor for keyset pagination: the sort values of a page's last row as
 * URL-safe base64 of their JSON. Any text survives (UTF-8), so an e-mail address
 * or a record name with non-Latin characters makes a valid cursor.
 *
 * @param values the last row's sort values, tie-breaker last
 * @returns the cursor
 */
export function encodeCursor(values: readonly unknown[]): string {
  return Buffer.from(JSON.stringify(values), "utf8").toString("base64url");
}

/**
 * Reads a cursor made by {@linkcode encodeCursor}, and checks its values with
 * `parse`. Anything else — not base64, not JSON, not an array, values no cursor
 * of ours carries (nested arrays or objects, strings Postgres cannot store,
 * numbers beyond a double's exact integers), or values `parse` rejects by
 * returning null — is a 400 `invalid_cursor`.
 *
 * @param cursor the cursor the client sent back
 * @param parse turns the decoded values into what the query needs, or null
 * @returns what `parse` returned
 * @throws {HttpError} 400 `invalid_cursor`
 */
export function decodeCursor<T>(cursor: string, parse: (values: unknown[]) => T | null): T {
  let values: unknown = null;
  try {
    // Buffer reads both base64url and the standard alphabet, padded or not.
    values = JSON.parse(Buffer.from(cursor, "base64").toString("utf8"));
  } catch {
    // reported below
  }
  const parsed = Array.isArray(values) && values.length <= 16 && values.every(plainValue)
    ? parse(values)
    : null;
  if (parsed === null) {
    throw new HttpError(400, "The cursor is not valid: start again from the first page", {
      code: "invalid_cursor",
    });
  }
  return parsed;
}

/** A value a cursor of ours can carry: short storable text, a safe number, null, a boolean. */
function plainValue(value: unknown): boolean {
  if (value === null || typeof value === "boolean") return true;
  if (typeof value === "number") {
    return Number.isFinite(value) && Math.abs(value) <= Number.MAX_SAFE_INTEGER;
  }
  return typeof value === "string" && value.length <= 2000 && !value.includes("\u0000") &&
    value.isWellFormed();
}

/**
 * A timestamp a cursor carries, as a Date, when it is an ISO 8601 instant
 * Postgres can compare (years 1 to 9999); null otherwise, for `parse`
 * callbacks of {@linkcode decodeCursor} to refuse it.
 *
 * @param value one decoded cursor value
 * @returns the instant, or null
 */
export function cursorTimestamp(value: unknown): Date | null {
  if (typeof value !== "string" || !/^\d{4}-\d{2}-\d{2}T[0-9:.]+(Z|[+-]\d{2}:\d{2})$/.test(value)) {
    return null;
  }
  const date = new Date(value);
  const year = date.getUTCFullYear();
  return Number.isNaN(date.getTime()) || year < 1 || year > 9999 ? null : date;
}

/**
 * A timestamp a cursor carries as the exact UTC text the database gave
 * (`YYYY-MM-DDTHH:MM:SS.ffffffZ`), for keysets on a column with microseconds,
 * which a Date would round to milliseconds (rows between would be skipped).
 * Null unless {@linkcode cursorTimestamp} accepts it and it names a real
 * calendar instant (no 30 February, no hour 24), so Postgres never refuses it.
 *
 * @param value one decoded cursor value
 * @returns the text, to bind as `::timestamptz`, or null
 */
export function cursorInstantText(value: unknown): string | null {
  const date = cursorTimestamp(value);
  if (!date || typeof value !== "string" || !value.endsWith("Z")) return null;
  return date.toISOString().slice(0, 19) === value.slice(0, 19) ? value : null;
}
