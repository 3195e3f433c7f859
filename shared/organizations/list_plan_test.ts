// Plan regression for the organization's lists on a seed-scale shape:
// invitations and API keys read the organization's rows by index; the members
// page (one statement inside private.members_page) is explained as the
// function runs it, under the caller's claims.
import assert from "node:assert/strict";
import { createMemoryCache } from "../cache/mod.ts";
import { createTestDatabase } from "../../scripts/testing/mod.ts";
import { buildListShape } from "../../scripts/testing/list_shape.ts";
import { cursorOf, pagePlanChecker, twoCheckedPages } from "../../scripts/testing/plan_shape.ts";
import { listApiKeys } from "../api_keys/store.ts";
import { listInvitations } from "./invitations.ts";
import { listMembers } from "./store.ts";

Deno.test("organization lists: invitations, API keys and members by index on a seed-scale shape", async (t) => {
  const test = await createTestDatabase();
  try {
    const shape = await buildListShape(test.url, ["org_settings", "members"]);
    const checker = await pagePlanChecker(test.db);
    const { db, check } = checker;

    await t.step("invitations of an organization with 5,000: the newest 200", async () => {
      const rows = await db.asTenant(shape.claims, (tx) => listInvitations(tx, shape.bigOrgId));
      assert.equal(rows.length, 200);
      check("invitations", 300);
    });

    await t.step(
      "API keys of an organization with 5,000: a page and the next, by index",
      async () => {
        const services = { db, cache: createMemoryCache() };
        const [first, second] = await twoCheckedPages(
          "api keys",
          (cursor) =>
            listApiKeys(services, shape.claims, shape.bigOrgId, { limit: 50, ...cursorOf(cursor) }),
          { limit: 50, walkBound: 100, checker },
        );
        assert.ok(second.data[0]!.created_at <= first.data[49]!.created_at);
      },
    );

    await t.step(
      "members of an organization with 5,000: the statement members_page runs",
      async () => {
        const page = await listMembers(test.db, shape.claims, shape.bigOrgId, { limit: 50 });
        assert.equal(page.data.length, 50);
        // members_page is plpgsql: its page statement is read from the function
        // itself and explained with the function's parameters, as the caller.
        const [fn] = await test.db.sql<{ src: string }[]>`
        select prosrc as src from pg_proc where proname = 'members_page'`;
        const body = fn!.src.replace(/--[^\n]*\n/g, "\n");
        const statement = /return query\s+([\s\S]*?limit p_limit);/.exec(body)![1]!
          .replaceAll("p_org_id", "$1::uuid").replaceAll("p_after_email", "$2::text")
          .replaceAll("p_after_user_id", "$3::uuid").replaceAll("p_limit", "$4::int");
        for (const after of [null, page.data.at(-1)!] as const) {
          await db.asTenant(shape.claims, (tx) =>
            tx.unsafe(statement, [
              shape.bigOrgId,
              after?.email.toLowerCase() ?? null,
              after?.user_id ?? null,
              51,
            ] as never[]));
          // Members are ordered by email, which lives on profiles: the page joins
          // the organization's memberships (by index) and sorts them, so the
          // bound is the organization's size (capped by its plan's max_users),
          // not a page. What this guards: no sequential scan, nothing read of
          // other organizations.
          check(`members ${after ? "page 2" : "page 1"}`, shape.bigRows + 100);
        }
      },
    );
  } finally {
    await test.close();
  }
});
