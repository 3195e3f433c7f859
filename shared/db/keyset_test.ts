import assert from "node:assert/strict";
import { encodeCursor } from "../http/cursor.ts";
import { HttpError } from "../http/errors.ts";
import { decodeKeyset, decodeNewestFirst, keysetPage } from "./keyset.ts";

const ID = "0b6b8f1e-3c1a-4d2e-9f00-1234567890ab";
const AT = "2026-12-07T14:53:55.123456Z";

Deno.test("a page of limit + 1 rows: limit rows without their key, the cursor from the last", () => {
  const id = (n: number) => ID.slice(0, -1) + n;
  const rows = [1, 2, 3].map((n) => ({ id: id(n), cursor_key: `k${n}`, name: `row ${n}` }));
  const page = keysetPage(rows, 2);
  assert.deepEqual(page.rows, [{ id: id(1), name: "row 1" }, { id: id(2), name: "row 2" }]);
  assert.deepEqual(decodeKeyset(page.next_cursor!, (k) => String(k)), { key: "k2", id: id(2) });
  assert.equal(keysetPage(rows, 3).next_cursor, null, "the last page has no cursor");
  assert.deepEqual(keysetPage([], 3), { rows: [], next_cursor: null });
});

Deno.test("newest-first cursors keep microseconds; anything else is a 400 invalid_cursor", () => {
  assert.equal(decodeNewestFirst(undefined), null);
  assert.deepEqual(decodeNewestFirst(encodeCursor([AT, ID])), { key: AT, id: ID });
  for (
    const bad of [
      encodeCursor(["2026-02-30T00:00:00.000000Z", ID]),
      encodeCursor([AT, "not-a-uuid"]),
      encodeCursor([AT]),
      "%%%",
    ]
  ) {
    assert.throws(
      () => decodeNewestFirst(bad),
      (e) => e instanceof HttpError && e.status === 400,
      bad,
    );
  }
});
