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
  name: "web audit: verified chain, filters, entry diff, CSV export, phone width",
  ignore: !chromiumAvailable,
  async fn(t) {
    const e2e = await startE2e();
    try {
      const page = await e2e.newPage();
      await signIn(page, e2e.demo.email, e2e.demo.password);

      await t.step("a settings change shows up, with who did it and the diff", async () => {
        await openFromSidebar(page, "Settings");
        const name = page.getByLabel("Name", { exact: true });
        await name.fill("Demo Org (audited)");
        const saved = page.waitForResponse((r) => r.request().method() === "PATCH");
        await page.getByRole("button", { name: /^Save/ }).click();
        assert.equal((await saved).status(), 200);
        await openFromSidebar(page, "Audit log");
        await page.getByText("The audit chain verifies").waitFor();
        // The sign-in that opened this session is listed among the security events.
        await page.getByTestId("sign-ins").getByText("Signed in").first().waitFor();
        const entries = page.getByTestId("audit-entries");
        await entries.getByText("organizations.update").first().click();
        const detail = page.getByTestId("audit-detail");
        await detail.getByText("Demo Org (audited)").waitFor();
        await detail.getByText(e2e.demo.email).waitFor();
        await screenshot(page, "audit-entry-drawer");
        await assertAccessible(page, "audit-entry-drawer");
        await page.keyboard.press("Escape");
      });

      await t.step("filters narrow the list to security events", async () => {
        await page.getByLabel("Category").selectOption("security");
        await page.getByRole("button", { name: "Apply filters" }).click();
        const list = page.getByTestId("audit-entries");
        await list.getByRole("listitem").first().waitFor();
        // Only security events are listed: each row carries the badge.
        assert.equal(
          await list.getByRole("listitem").count(),
          await list.getByText("security", { exact: true }).count(),
        );
        await screenshot(page, "audit-security-filter");
        await assertAccessible(page, "audit-page");
      });

      await t.step("the CSV export downloads the entries", async () => {
        const download = page.waitForEvent("download");
        await page.getByRole("button", { name: "Export CSV" }).click();
        const file = await download;
        const text = await Deno.readTextFile(await file.path());
        assert.match(text, /^\uFEFFseq,occurred_at,actor_kind/);
      });

      await t.step("usable at 390 px", async () => {
        const context = await e2e.browser.newContext({
          baseURL: e2e.url,
          viewport: { width: 390, height: 844 },
          reducedMotion: "reduce",
        });
        const phone = await context.newPage();
        await signIn(phone, e2e.demo.email, e2e.demo.password);
        await phone.goto("/app/settings/audit");
        await phone.getByText("The audit chain verifies").waitFor();
        await phone.getByTestId("audit-entries").waitFor();
        const overflow = await phone.evaluate(() =>
          document.documentElement.scrollWidth - document.documentElement.clientWidth
        );
        assert.ok(overflow <= 0, `the page is ${overflow}px wider than the phone`);
        await screenshot(phone, "audit-phone");
        await assertAccessible(phone, "audit-phone");
        await context.close();
      });
      assert.deepEqual(e2e.pageErrors, []);
    } finally {
      await e2e.close();
    }
  },
});
