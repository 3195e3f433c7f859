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
 * `parse`. Anything else — not base64, not JSON, not an array, or values `parse`
 * rejects by returning null — is a 400 `invalid_cursor`.
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
  const parsed = Array.isArray(values) ? parse(values) : null;
  if (parsed === null) {
    throw new HttpError(400, "The cursor is not valid: start again from the first page", {
      code: "invalid_cursor",
    });
  }
  return parsed;
}
