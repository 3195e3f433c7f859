// API keys in the browser: an owner creates a key under Settings, copies it
// from the one-time dialog, the test calls the API with it, then the owner
// revokes it and the API refuses it (401). Axe scans the list and both dialogs.
import assert from "node:assert/strict";
import {
  announceSkip,
  assertAccessible,
  chromiumAvailable,
  openFromSidebar,
  screenshot,
  signIn,
  startE2e,
} from "./_harness.ts";

announceSkip(import.meta.url);

Deno.test({
  name: "web API keys: create, copy once, call the API, revoke, refused",
  ignore: !chromiumAvailable,
  async fn(t) {
    const e2e = await startE2e();
    try {
      const page = await e2e.newPage();
      await signIn(page, e2e.demo.email, e2e.demo.password);
      await openFromSidebar(page, "API keys");
      const api = (key: string) =>
        fetch(`${e2e.url}/functions/v1/instances?org_id=${e2e.demo.orgId}`, {
          headers: { authorization: `Bearer ${key}` },
        });
      let key = "";

      await t.step("an organization without keys says what keys are for", async () => {
        await page.getByText("No API keys yet").waitFor();
        await assertAccessible(page, "api-keys-empty");
      });

      await t.step("creating a key shows it once, ready to copy", async () => {
        await page.getByRole("button", { name: "Create key" }).click();
        const form = page.getByRole("dialog", { name: "Create an API key" });
        await form.getByLabel("Name").fill("Nightly SIEM export");
        await form.getByLabel("Role").selectOption("analyst");
        await assertAccessible(page, "api-keys-create");
        await form.getByRole("button", { name: "Create key" }).click();
        const secret = page.getByRole("alertdialog", { name: "Copy your new API key" });
        await secret.waitFor();
        key = await secret.getByTestId("new-api-key").inputValue();
        assert.match(key, /^ciq_live_[0-9a-f]{32}_[A-Za-z0-9_-]{43}$/);
        await assertAccessible(page, "api-keys-secret");
        await secret.getByRole("button", { name: "I've stored it" }).click();
        await secret.waitFor({ state: "hidden" });
        const row = page.getByRole("row").filter({ hasText: "Nightly SIEM export" });
        await row.getByText("Active").waitFor();
        // The list shows the public prefix only, never the secret.
        assert.ok(!(await page.content()).includes(key.slice(-43)));
      });

      await t.step("the key calls the API as the organization", async () => {
        const res = await api(key);
        assert.equal(res.status, 200, await res.clone().text());
        assert.ok(Array.isArray((await res.json()).data));
        await page.reload();
        const row = page.getByRole("row").filter({ hasText: "Nightly SIEM export" });
        await row.getByText(/^from /).waitFor();
      });

      await t.step("a revoked key is refused at once", async () => {
        await page.getByRole("button", { name: "Revoke Nightly SIEM export" }).click();
        const confirm = page.getByRole("alertdialog", { name: "Revoke API key?" });
        await assertAccessible(page, "api-keys-revoke");
        await confirm.getByRole("button", { name: "Revoke key" }).click();
        const row = page.getByRole("row").filter({ hasText: "Nightly SIEM export" });
        await row.getByText("Revoked").waitFor();
        const res = await api(key);
        assert.equal(res.status, 401);
        assert.equal((await res.json()).error.code, "api_key_revoked");
        await assertAccessible(page, "api-keys-revoked");
      });

      await t.step("usable at 390 px wide", async () => {
        await page.setViewportSize({ width: 390, height: 844 });
        await page.getByRole("heading", { level: 1, name: "API keys" }).waitFor();
        await screenshot(page, "api-keys-phone");
        const overflow = await page.evaluate(() =>
          document.documentElement.scrollWidth - document.documentElement.clientWidth
        );
        assert.ok(overflow <= 1, `the page scrolls sideways by ${overflow}px`);
      });
      assert.deepEqual(e2e.pageErrors, []);
    } finally {
      await e2e.close();
    }
  },
});
