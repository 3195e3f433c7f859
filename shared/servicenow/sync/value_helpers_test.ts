import assert from "node:assert/strict";
import { createTestDatabase } from "../../../scripts/testing/mod.ts";

const tdb = await createTestDatabase();
Deno.test.afterAll(() => tdb.close());

async function datetime(value: string | null): Promise<string | null> {
  const [row] = await tdb.db.sql<{ t: Date | null }[]>`select public.sn_datetime(${value}) as t`;
  return row?.t ? row.t.toISOString() : null;
}

Deno.test("sn_datetime() reads ServiceNow's UTC datetimes and dates", async () => {
  assert.equal(await datetime("2026-02-28 23:59:59"), "2026-02-28T23:59:59.000Z");
  assert.equal(await datetime("2024-02-29 00:00:00"), "2024-02-29T00:00:00.000Z");
  assert.equal(await datetime("2026-11-21"), "2026-11-21T00:00:00.000Z");
});

Deno.test("sn_datetime() answers NULL for empty, malformed and impossible values instead of failing", async () => {
  for (
    const value of [
      "",
      null,
      "yesterday",
      "2026-02-30 00:00:00",
      "2025-02-29",
      "2026-13-01",
      "2026-04-31 10:00:00",
      "0000-01-01",
      "2026-01-01 24:00:00",
      "2026-01-01T10:00:00Z",
    ]
  ) {
    assert.equal(await datetime(value), null, `sn_datetime(${JSON.stringify(value)})`);
  }
});

Deno.test("sn_datetime() lets a query over a bad record finish", async () => {
  const rows = await tdb.db.sql`
    select public.sn_datetime(v) as t from unnest(array['2026-02-30 00:00:00', '2026-03-01 00:00:00']) v`;
  assert.equal(rows.length, 2);
  assert.equal(rows[0]?.t, null);
});

Deno.test("sn_bool() and sn_int() read ServiceNow strings and ignore anything else", async () => {
  const [row] = await tdb.db.sql`
    select public.sn_bool('true') as t, public.sn_bool('FALSE') as f, public.sn_bool('') as e,
           public.sn_int('-5') as i, public.sn_int('4.5') as bad, public.sn_int('') as empty`;
  assert.deepEqual({ ...row }, { t: true, f: false, e: null, i: "-5", bad: null, empty: null });
});
