// Newest-first lists page through rows written within the same millisecond:
// their cursors once carried a JavaScript Date (milliseconds), so a row a few
// microseconds older than a page's last row, in the same millisecond, fell
// between the pages and was never listed.
import assert from "node:assert/strict";
import {
  createTestAuth,
  createTestDatabase,
  insertSampleRow,
  TENANT_ROW_OVERRIDES,
} from "../../scripts/testing/mod.ts";
import { listRuns } from "../analysis/engine/runs.ts";
import { listSyncRuns } from "../instances/store.ts";
import { listExports } from "../reports/service.ts";

Deno.test("runs, syncs and exports list every row of the same millisecond, a page at a time", async (t) => {
  const test = await createTestDatabase();
  try {
    const auth = await createTestAuth();
    const user = await auth.createUser(test.db, { orgName: "Same millisecond" });
    const tenant = { orgId: user.orgId!, userId: user.id };
    const claims = { sub: user.id, role: "authenticated", aud: "authenticated" } as const;
    const instance = await insertSampleRow(test.db.sql, "public.instances", tenant, {
      ...TENANT_ROW_OVERRIDES,
      "public.instances": { ...TENANT_ROW_OVERRIDES["public.instances"], name: "Same ms" },
    });
    const tables = {
      "public.sync_runs": { instance_id: instance.id, status: "succeeded" },
      "public.analysis_runs": { instance_id: instance.id, status: "succeeded" },
      "public.report_exports": {},
    };
    for (const [table, values] of Object.entries(tables)) {
      for (let n = 0; n < 3; n++) {
        await insertSampleRow(test.db.sql, table, tenant, {
          ...TENANT_ROW_OVERRIDES,
          [table]: { ...TENANT_ROW_OVERRIDES[table], ...values },
        });
      }
      // Three rows 300 µs apart inside one millisecond, set in SQL: a timestamp
      // parameter would pass through a JavaScript Date and lose its microseconds.
      await test.db.sql`
        update ${test.db.sql(table)} x
        set created_at = timestamptz '2026-12-07 12:00:00+00' + r.n * interval '300 microseconds'
        from (select id, row_number() over (order by id) as n from ${test.db.sql(table)}
              where org_id = ${tenant.orgId}) r
        where x.id = r.id`;
    }
    const walk = async (
      read: (cursor?: string) => Promise<{ data: { id: string }[]; next_cursor: string | null }>,
    ) => {
      const ids: string[] = [];
      let cursor: string | undefined;
      do {
        const page = await read(cursor);
        ids.push(...page.data.map((row) => row.id));
        cursor = page.next_cursor ?? undefined;
      } while (cursor && ids.length < 10);
      return ids;
    };
    const page = (cursor?: string) => ({ limit: 1, ...(cursor ? { cursor } : {}) });

    await t.step("sync history", async () => {
      const ids = await walk((c) => listSyncRuns(test.db, claims, instance.id, page(c)));
      assert.equal(ids.length, 3);
    });
    await t.step("analysis runs", async () => {
      const ids = await walk((c) => listRuns(test.db, claims, instance.id, page(c)));
      assert.equal(ids.length, 3);
    });
    await t.step("exports", async () => {
      const ids = await walk((c) =>
        listExports(test.db, claims, { org_id: user.orgId!, ...page(c) })
      );
      assert.equal(ids.length, 3);
    });
  } finally {
    await test.close();
  }
});
