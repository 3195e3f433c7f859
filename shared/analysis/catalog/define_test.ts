import assert from "node:assert/strict";
import { evidenceOnlyFields } from "./_define.ts";
import { CHECKS } from "./catalog.ts";

Deno.test("evidenceOnlyFields(): a field read only inside the evidence object decides nothing", () => {
  const sql = `
select u.sys_id, jsonb_build_object('user_name', u.data ->> 'user_name',
  'kind', case when u.data ->> 'title' ~ '^(ops|svc\\()' then 'x' else 'y' end) as evidence
from r u where u.data ->> 'active' = 'true' and u.data ->> 'email' = ''`;
  // Parentheses inside the regular expression do not end the evidence object early.
  assert.deepEqual(evidenceOnlyFields(sql, ["user_name", "title", "active", "email", "gone"]), [
    "user_name",
    "title",
    "gone",
  ]);
});

Deno.test("behavioural checks: a declared field the statement judges is never evidence-only, and the reverse", () => {
  const dormant = CHECKS.find((c) => c.id === "identity_account_dormant")!;
  const users = dormant.tables.find((t) => t.table === "sys_user")!;
  assert.deepEqual(users.evidenceOnly, ["user_name"]);
  const c2 = CHECKS.find((c) => c.id === "change_requester_is_implementer")!;
  const changes = c2.tables.find((t) => t.table === "change_request")!;
  for (const f of ["number", "type", "state"]) assert.ok(changes.evidenceOnly?.includes(f), f);
  assert.ok(!changes.evidenceOnly?.includes("requested_by"));
});
