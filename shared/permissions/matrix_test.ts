import assert from "node:assert/strict";
import { ACTIONS, can, minimumRole, ORG_ROLES, PERMISSIONS } from "./mod.ts";

Deno.test("can() allows an action from its least role upwards and refuses below it", () => {
  assert.equal(can("analyst", "findings.triage"), true);
  assert.equal(can("admin", "findings.triage"), true);
  assert.equal(can("auditor", "findings.triage"), false);
  assert.equal(can("viewer", "findings.read"), true);
  assert.equal(can("admin", "members.invite"), true);
  assert.equal(can("analyst", "members.invite"), false);
});

Deno.test("can() refuses everything to a non-member", () => {
  for (const action of ACTIONS) {
    assert.equal(can(null, action), false);
    assert.equal(can(undefined, action), false);
  }
});

Deno.test("every action names a known role and reads as <area>.<verb>", () => {
  for (const action of ACTIONS) {
    assert.match(action, /^[a-z_]+\.[a-z_]+$/);
    assert.ok(ORG_ROLES.includes(minimumRole(action)), action);
    assert.ok(PERMISSIONS[action].summary.length > 0, action);
  }
});

Deno.test("an owner may do everything", () => {
  for (const action of ACTIONS) assert.equal(can("owner", action), true, action);
});
