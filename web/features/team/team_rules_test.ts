import assert from "node:assert/strict";
import {
  type Actor,
  grantableRoles,
  leaveRefusal,
  REFUSALS,
  removalRefusal,
  roleChangeRefusal,
} from "./team_rules.ts";

const owner: Actor = { userId: "owner", role: "owner", ownerCount: 1 };
const admin: Actor = { userId: "admin", role: "admin", ownerCount: 1 };
const viewer: Actor = { userId: "viewer", role: "viewer", ownerCount: 1 };

Deno.test("team rules mirror what the organizations API accepts", async (t) => {
  await t.step("only owners may grant owner", () => {
    assert.deepEqual(grantableRoles("owner"), ["owner", "admin", "analyst", "auditor", "viewer"]);
    assert.deepEqual(grantableRoles("admin"), ["admin", "analyst", "auditor", "viewer"]);
    assert.deepEqual(grantableRoles("analyst"), []);
  });
  await t.step("a viewer may not change roles", () => {
    assert.equal(
      roleChangeRefusal(viewer, { userId: "x", role: "viewer" }, "analyst"),
      REFUSALS.notAdmin,
    );
  });
  await t.step("an admin may change non-owners but not touch owners", () => {
    assert.equal(roleChangeRefusal(admin, { userId: "x", role: "viewer" }, "analyst"), null);
    assert.equal(
      roleChangeRefusal(admin, { userId: "x", role: "viewer" }, "owner"),
      REFUSALS.ownerRequired,
    );
    assert.equal(
      roleChangeRefusal(admin, { userId: "owner", role: "owner" }, "admin"),
      REFUSALS.ownerRequired,
    );
  });
  await t.step("the last owner cannot step down, a second owner can", () => {
    assert.equal(
      roleChangeRefusal(owner, { userId: "owner", role: "owner" }, "admin"),
      REFUSALS.lastOwner,
    );
    assert.equal(
      roleChangeRefusal({ ...owner, ownerCount: 2 }, { userId: "owner", role: "owner" }, "admin"),
      null,
    );
  });
  await t.step("removing: admins remove non-owners; removing yourself is leaving", () => {
    assert.equal(removalRefusal(admin, { userId: "x", role: "analyst" }), null);
    assert.equal(removalRefusal(admin, { userId: "owner", role: "owner" }), REFUSALS.ownerRequired);
    assert.equal(removalRefusal(viewer, { userId: "x", role: "viewer" }), REFUSALS.notAdmin);
    assert.equal(removalRefusal(viewer, { userId: "viewer", role: "viewer" }), null);
  });
  await t.step("leaving: anyone but the last owner", () => {
    assert.equal(leaveRefusal(viewer), null);
    assert.equal(leaveRefusal(owner), REFUSALS.lastOwner);
    assert.equal(
      leaveRefusal({ ...owner, ownerCount: null }),
      null,
      "unknown count defers to the API",
    );
  });
});
