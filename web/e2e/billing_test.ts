import assert from "node:assert/strict";
import { createClient } from "@supabase/supabase-js";
import {
  announceSkip,
  assertAccessible,
  chromiumAvailable,
  screenshot,
  signIn,
  startE2e,
  uniqueEmail,
} from "./_harness.ts";

announceSkip(import.meta.url);

const PASSWORD = "billing-e2e-password";

Deno.test({
  name:
    "web billing: a trial hits its instance limit with a clear message, upgrades through the local checkout and sees the limits change",
  ignore: !chromiumAvailable,
  async fn(t) {
    const e2e = await startE2e();
    try {
      // A new organization on the trial plan, with its one instance already added.
      const email = uniqueEmail("billing");
      const config = await (await fetch(`${e2e.url}/app-config.json`)).json();
      const auth = createClient(e2e.url, config.supabaseAnonKey, {
        auth: { persistSession: false, autoRefreshToken: false, detectSessionInUrl: false },
      }).auth;
      const signUp = await auth.signUp({
        email,
        password: PASSWORD,
        options: { data: { organization_name: "Billing Co" } },
      });
      assert.equal(signUp.error, null);
      const token = signUp.data.session!.access_token;
      const headers = { authorization: `Bearer ${token}`, "content-type": "application/json" };
      const orgs = await (await fetch(`${e2e.url}/functions/v1/organizations`, { headers }))
        .json();
      const orgId = orgs.data[0].id as string;
      const first = await fetch(`${e2e.url}/functions/v1/instances`, {
        method: "POST",
        headers,
        body: JSON.stringify({
          org_id: orgId,
          name: "First",
          url: `${e2e.url}/snow-sim/acme`,
          credentials: { type: "basic", username: "complianceiq.integration", password: "x" },
        }),
      });
      assert.equal(first.status, 201);
      const instanceId = (await first.json()).data.id as string;

      const page = await e2e.newPage();
      await signIn(page, email, PASSWORD);

      await t.step("the billing page shows the trial, its limits and usage", async () => {
        await page.goto("/app/billing");
        await page.getByRole("heading", { level: 1, name: "Billing" }).waitFor();
        await page.getByTestId("current-plan").getByText("Trial", { exact: true }).waitFor();
        await page.getByRole("progressbar", { name: "ServiceNow instances" }).waitFor();
        assert.equal(
          await page.getByRole("progressbar", { name: "ServiceNow instances" })
            .getAttribute("aria-valuetext"),
          "1 of 1",
        );
        await page.getByRole("heading", { name: "Usage" }).waitFor();
        await page.getByText("No invoices yet").waitFor();
        await assertAccessible(page, "billing-trial");
        await screenshot(page, "billing-trial");
      });

      await t.step(
        "at the limit the app says so, and the API refuses with the figures",
        async () => {
          await page.goto("/app/instances");
          await page.getByRole("heading", { level: 1, name: "Instances" }).waitFor();
          await page.getByText("Instance limit reached").waitFor();
          assert.equal(await page.getByRole("button", { name: "Add instance" }).isDisabled(), true);
          await assertAccessible(page, "billing-limit-reached");
          await screenshot(page, "billing-limit-reached");
          const refused = await fetch(`${e2e.url}/functions/v1/instances`, {
            method: "POST",
            headers,
            body: JSON.stringify({
              org_id: orgId,
              name: "Second",
              url: `${e2e.url}/snow-sim/acme`,
              credentials: { type: "basic", username: "complianceiq.integration", password: "x" },
            }),
          });
          assert.equal(refused.status, 402);
          const body = await refused.json();
          assert.equal(body.error.code, "plan_limit_reached");
          assert.equal(
            body.error.message,
            "Your Trial plan allows 1 instances; you have 1. Upgrade to Basic for more.",
          );
          await page.getByRole("link", { name: "upgrade the plan" }).click();
          await page.getByRole("heading", { level: 1, name: "Billing" }).waitFor();
        },
      );

      await t.step("upgrade through the local checkout: the limits change", async () => {
        await page.getByRole("button", { name: "Upgrade to Basic" }).click();
        await page.getByRole("heading", { name: "Subscribe to basic" }).waitFor();
        await page.getByRole("button", { name: "Pay and subscribe" }).click();
        await page.waitForURL(/\/app\/billing\?checkout=success/);
        await page.getByText("Your payment went through.", { exact: false }).waitFor();
        await page.getByTestId("current-plan").getByText("Basic", { exact: true }).waitFor();
        assert.equal(
          await page.getByRole("progressbar", { name: "ServiceNow instances" })
            .getAttribute("aria-valuetext"),
          "1 of 3",
        );
        await page.getByRole("cell", { name: "DEV-0001" }).waitFor();
        // The instances page lets the second instance in now.
        await page.goto("/app/instances");
        await page.getByRole("heading", { level: 1, name: "Instances" }).waitFor();
        await page.getByRole("button", { name: "Add instance" }).waitFor();
        assert.equal(await page.getByText("Instance limit reached").count(), 0);
        await page.goto("/app/billing");
        await page.getByTestId("current-plan").waitFor();
        await page.getByRole("button", { name: "Payment methods and invoices" }).waitFor();
        await assertAccessible(page, "billing-basic");
        await screenshot(page, "billing-basic");
      });

      await t.step(
        "a failed payment shows the past-due banner; cancelling makes it read-only",
        async () => {
          await page.getByRole("button", { name: "Payment methods and invoices" }).click();
          await page.getByRole("heading", { name: "Billing portal" }).waitFor();
          await page.getByRole("button", { name: "Simulate a failed payment" }).click();
          await page.getByRole("heading", { level: 1, name: "Billing" }).waitFor();
          const banner = page.getByTestId("billing-banner");
          await banner.getByText("Payment past due").waitFor();
          await assertAccessible(page, "billing-past-due");
          await screenshot(page, "billing-past-due");

          await page.getByRole("button", { name: "Payment methods and invoices" }).click();
          await page.getByRole("button", { name: "Cancel subscription" }).click();
          await page.getByRole("heading", { level: 1, name: "Billing" }).waitFor();
          await banner.getByText("Your subscription has ended").waitFor();
          await page.getByTestId("current-plan").getByText("Read-only").waitFor();
          const sync = await fetch(`${e2e.url}/functions/v1/instances/${instanceId}/sync`, {
            method: "POST",
            headers,
            body: JSON.stringify({ mode: "incremental" }),
          });
          assert.equal(sync.status, 402);
          assert.equal((await sync.json()).error.code, "read_only");
        },
      );

      await t.step("at 390 px the page still reads", async () => {
        await page.setViewportSize({ width: 390, height: 844 });
        await page.getByRole("heading", { level: 1, name: "Billing" }).waitFor();
        assert.ok(
          await page.evaluate(() => document.documentElement.scrollWidth <= 390),
          "nothing overflows sideways",
        );
        await screenshot(page, "billing-narrow");
        await page.setViewportSize({ width: 1280, height: 800 });
      });
      assert.deepEqual(e2e.pageErrors, []);
    } finally {
      await e2e.close();
    }
  },
});
