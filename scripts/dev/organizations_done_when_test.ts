// Issue 14's done-when, end to end through the dev stack at the API level (so
// it runs on PGlite and on the PostgreSQL server; web/e2e/team_test.ts,
// billing_test.ts and api_keys_test.ts walk the same steps in the browser):
// an owner invites a colleague who signs up from the emailed link; a trial
// hits its instance limit with a clear message; the plan is upgraded through
// the local checkout (the billing stand-in sends signed webhooks) and the
// limits change; an API key is created, calls the API, is revoked and is refused.
import assert from "node:assert/strict";
import { createClient } from "@supabase/supabase-js";
import { apiCaller, fetchWithin, mailbox } from "./_done_when.ts";
import { startStack } from "./stack.ts";

Deno.test("in the dev stack: invite → sign up from the email link; hit a limit; upgrade at the local checkout; API key used, revoked, refused", async (t) => {
  const stack = await startStack({ port: 0, quiet: true, fresh: true, demoSync: false });
  try {
    const anon = createClient(stack.url, stack.auth.anonKey, {
      auth: { persistSession: false, autoRefreshToken: false, detectSessionInUrl: false },
    }).auth;
    const suffix = crypto.randomUUID().slice(0, 8);
    const ownerEmail = `owner-${suffix}@done-when.test`;
    const signedUp = await anon.signUp({
      email: ownerEmail,
      password: "Amber-orchard-pelican-41",
      options: { data: { organization_name: "Done When Co" } },
    });
    assert.equal(signedUp.error, null);
    const ownerToken = signedUp.data.session!.access_token;
    const api = (bearer: string) => apiCaller(stack, bearer);
    const owner = api(ownerToken);
    const orgs = await owner("GET", "/organizations");
    const orgId = orgs.body.data.find((o: { name: string }) => o.name === "Done When Co").id;

    await t.step("invite a colleague, who signs up from the email link and joins", async () => {
      const colleague = `colleague-${suffix}@done-when.test`;
      const invited = await owner("POST", `/organizations/${orgId}/invitations`, {
        email: colleague,
        role: "analyst",
      });
      assert.equal(invited.status, 201, invited.text);
      const mail = (await mailbox(stack, colleague)).find((m) => m.type === "invite");
      assert.ok(mail, "the invitation reached the dev mailbox");
      assert.match(mail.text, /Done When Co/);
      const link = new URL(mail.link);
      assert.equal(link.origin, stack.url);
      assert.equal(link.pathname, "/invite");
      const token = link.hash.replace(/^#token=/, "");
      // The invite page asks what the link is for, then the colleague signs up and accepts.
      const lookup = await api("")("POST", "/organizations/invitations/lookup", { token });
      assert.equal(lookup.status, 200, lookup.text);
      assert.equal(lookup.body.data.organization_name, "Done When Co");
      const account = await anon.signUp({ email: colleague, password: "Quiet-harbor-lantern-77" });
      assert.equal(account.error, null);
      const accepted = await api(account.data.session!.access_token)(
        "POST",
        "/organizations/invitations/accept",
        { token },
      );
      assert.equal(accepted.status, 200, accepted.text);
      const members = await owner("GET", `/organizations/${orgId}/members`);
      const joined = members.body.data.find((m: { email: string }) => m.email === colleague);
      assert.equal(joined?.role, "analyst");
      // The link works once.
      const again = await api(account.data.session!.access_token)(
        "POST",
        "/organizations/invitations/accept",
        { token },
      );
      assert.equal(again.status, 409, again.text);
    });

    const addInstance = (name: string) =>
      owner("POST", "/instances", {
        org_id: orgId,
        name,
        url: `${stack.url}/snow-sim/acme`,
        credentials: { type: "basic", username: "complianceiq.integration", password: "x" },
      });

    await t.step("a trial hits its instance limit with a clear message", async () => {
      assert.equal((await addInstance("First")).status, 201);
      const refused = await addInstance("Second");
      assert.equal(refused.status, 402, refused.text);
      assert.equal(refused.body.error.code, "plan_limit_reached");
      assert.equal(
        refused.body.error.message,
        "Your Trial plan allows 1 instances; you have 1. Upgrade to Basic for more.",
      );
      assert.deepEqual(refused.body.error.details, {
        limit: "instances",
        allowed: 1,
        used: 1,
        plan: "trial",
        upgrade_to: "basic",
      });
    });

    await t.step("upgrade through the local checkout: the limits change", async () => {
      const checkout = await owner("POST", `/billing/${orgId}/checkout`, { plan: "basic" });
      assert.equal(checkout.status, 200, checkout.text);
      const page = await fetchWithin(checkout.body.data.url);
      assert.match(await page.text(), /Subscribe to basic/);
      // "Pay and subscribe": the stand-in sends the signed events, then redirects back.
      const paid = await fetchWithin(checkout.body.data.url, {
        method: "POST",
        redirect: "manual",
      });
      await paid.body?.cancel();
      assert.equal(paid.status, 303);
      assert.match(paid.headers.get("location")!, /\/app\/billing\?checkout=success$/);
      const billing = await owner("GET", `/billing/${orgId}`);
      assert.equal(billing.status, 200, billing.text);
      assert.equal(billing.body.data.plan.plan, "basic");
      assert.equal(billing.body.data.has_billing_account, true);
      const instances = billing.body.data.limits.find((l: { limit: string }) =>
        l.limit === "instances"
      );
      assert.deepEqual(instances, { limit: "instances", allowed: 3, used: 1 });
      assert.equal((await addInstance("Second")).status, 201);
    });

    await t.step("an API key calls the API, is revoked and is refused", async () => {
      const created = await owner("POST", `/organizations/${orgId}/api-keys`, {
        name: "CI export",
        role: "viewer",
      });
      assert.equal(created.status, 201, created.text);
      const { key, api_key } = created.body.data;
      assert.match(key, /^ciq_/);
      const withKey = api(key);
      const listed = await withKey("GET", `/instances?org_id=${orgId}`);
      assert.equal(listed.status, 200, listed.text);
      assert.deepEqual(
        listed.body.data.map((i: { name: string }) => i.name).sort(),
        ["First", "Second"],
      );
      const revoked = await owner("POST", `/organizations/${orgId}/api-keys/${api_key.id}/revoke`);
      assert.equal(revoked.status, 200, revoked.text);
      const refused = await withKey("GET", `/instances?org_id=${orgId}`);
      assert.equal(refused.status, 401, refused.text);
    });
  } finally {
    await stack.stop();
  }
});
