import assert from "node:assert/strict";
import { billingBanner, type BillingOverview, limitText } from "./billing_model.ts";

const base = {
  read_only_reason: null,
  past_due_since: null,
  grace_ends_at: null,
  trial_ends_at: null,
} as unknown as BillingOverview;
const now = new Date("2026-12-07T12:00:00Z");

Deno.test("billing banner: read-only wins over everything else", () => {
  const banner = billingBanner({
    ...base,
    read_only_reason: "subscription_cancelled",
    past_due_since: "2026-12-01T00:00:00Z",
    grace_ends_at: "2026-12-08T00:00:00Z",
  }, now);
  assert.equal(banner?.tone, "error");
  assert.equal(banner?.title, "Your subscription has ended");
});

Deno.test("billing banner: past due within the grace period warns", () => {
  const banner = billingBanner({
    ...base,
    past_due_since: "2026-12-05T00:00:00Z",
    grace_ends_at: "2026-12-12T00:00:00Z",
  }, now);
  assert.equal(banner?.tone, "warning");
  assert.equal(banner?.title, "Payment past due");
});

Deno.test("billing banner: a trial's last week is announced, earlier it is quiet", () => {
  assert.equal(
    billingBanner({ ...base, trial_ends_at: "2026-12-10T12:00:00Z" }, now)?.title,
    "Your trial ends in 3 days",
  );
  assert.equal(billingBanner({ ...base, trial_ends_at: "2026-12-20T12:00:00Z" }, now), null);
  assert.equal(billingBanner(base, now), null);
});

Deno.test("limits read as numbers or Unlimited", () => {
  assert.equal(limitText(null), "Unlimited");
  assert.equal(limitText(3), "3");
});
