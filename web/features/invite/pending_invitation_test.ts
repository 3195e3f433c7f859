import assert from "node:assert/strict";
import { memoryStore } from "../../lib/storage.ts";
import { pendingInvitation } from "./pending_invitation.ts";

const TOKEN = "a".repeat(40) + "-_Z";

Deno.test("an invitation link's token is kept until cleared, and junk is ignored", () => {
  const pending = pendingInvitation(memoryStore());
  assert.equal(pending.get(), null);
  assert.equal(pending.takeFromHash("#token=short"), false);
  assert.equal(pending.takeFromHash(""), false);
  assert.equal(pending.get(), null);
  assert.equal(pending.takeFromHash(`#token=${TOKEN}`), true);
  assert.equal(pending.get(), TOKEN);
  pending.clear();
  assert.equal(pending.get(), null);
});

Deno.test("a tampered stored value is not used", () => {
  const pending = pendingInvitation(memoryStore({ "ciq.invitation": "<script>" }));
  assert.equal(pending.get(), null);
});
