import assert from "node:assert/strict";
import { expiryFor, statusBadge } from "./api_keys_model.ts";

Deno.test("expiry choices become a time that many days ahead, or none", () => {
  const now = new Date("2026-12-07T10:00:00Z");
  assert.equal(expiryFor("30", now), "2027-01-06T10:00:00.000Z");
  assert.equal(expiryFor("never", now), null);
  assert.equal(expiryFor("unknown", now), null);
});

Deno.test("a key's state reads as active, expired or revoked", () => {
  assert.deepEqual(statusBadge({ status: "active" }), { tone: "success", label: "Active" });
  assert.equal(statusBadge({ status: "expired" }).label, "Expired");
  assert.equal(statusBadge({ status: "revoked" }).tone, "neutral");
});
