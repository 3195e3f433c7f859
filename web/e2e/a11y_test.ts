import assert from "node:assert/strict";
import { announceSkip, assertAccessible, chromiumAvailable, signIn, startE2e } from "./_harness.ts";

announceSkip(import.meta.url);

const PUBLIC_PAGES = [
  { path: "/", name: "landing", heading: /Know your ServiceNow instances pass audit/ },
  { path: "/login", name: "login", heading: "Sign in to ComplianceIQ" },
  { path: "/signup", name: "signup", heading: "Create your ComplianceIQ account" },
  { path: "/forgot-password", name: "forgot-password", heading: "Reset your password" },
  { path: "/reset-password", name: "reset-password-invalid", heading: "Reset your password" },
  { path: "/auth/callback", name: "auth-callback-empty", heading: "Nothing to confirm" },
  { path: "/no-such-page", name: "not-found", heading: "Page not found" },
];

const APP_PAGES = [
  { path: "/app/dashboard", name: "dashboard", heading: "Dashboard" },
  { path: "/app/insights", name: "insights", heading: "Insights" },
  { path: "/app/reports", name: "reports", heading: "Reports" },
  { path: "/app/team", name: "team", heading: "Team" },
  { path: "/app/settings", name: "settings", heading: "Settings" },
  { path: "/app/design-system", name: "design-system", heading: "Design system" },
];

Deno.test({
  name:
    "web accessibility: every page passes axe in light and dark, dialogs keep focus, the theme persists",
  ignore: !chromiumAvailable,
  async fn(t) {
    const e2e = await startE2e();
    try {
      for (const scheme of ["light", "dark"] as const) {
        await t.step(
          `public pages have no serious or critical violations (${scheme})`,
          async () => {
            const page = await e2e.newPage({ colorScheme: scheme });
            for (const target of PUBLIC_PAGES) {
              await page.goto(target.path);
              await page.getByRole("heading", { level: 1, name: target.heading }).waitFor();
              await assertAccessible(page, `${target.name}-${scheme}`);
            }
          },
        );

        await t.step(`app pages have no serious or critical violations (${scheme})`, async () => {
          const page = await e2e.newPage({ colorScheme: scheme });
          await signIn(page, e2e.demo.email, e2e.demo.password);
          for (const target of APP_PAGES) {
            await page.goto(target.path);
            await page.getByRole("heading", { level: 1, name: target.heading }).waitFor();
            // Wait for data and lazy charts (the design page's example loader stays).
            await page.waitForFunction(() =>
              ![...document.querySelectorAll("[role=status]")].some((el) => {
                const text = `${el.getAttribute("aria-label") ?? ""} ${el.textContent ?? ""}`;
                return /Loading|Drawing/.test(text) && !text.includes("(example)");
              })
            );
            await assertAccessible(page, `${target.name}-${scheme}`);
          }
          await page.getByRole("button", { name: "Open modal" }).click();
          await page.getByRole("dialog", { name: "Schedule a sync" }).waitFor();
          await assertAccessible(page, `design-system-modal-${scheme}`);
          await page.keyboard.press("Escape");
          await page.getByRole("button", { name: /^Organization:/ }).click();
          await page.getByRole("menu").waitFor();
          await assertAccessible(page, `org-switcher-${scheme}`);
          await page.keyboard.press("Escape");
        });
      }

      await t.step(
        "a dialog takes focus, keeps Tab inside, and gives focus back on Escape",
        async () => {
          const page = await e2e.newPage();
          await signIn(page, e2e.demo.email, e2e.demo.password);
          await page.goto("/app/design-system");
          const opener = page.getByRole("button", { name: "Open modal" });
          await opener.focus();
          await page.keyboard.press("Enter");
          const dialog = page.getByRole("dialog", { name: "Schedule a sync" });
          await dialog.waitFor();
          assert.equal(
            await page.evaluate(() => (document.activeElement as HTMLInputElement | null)?.value),
            "02:00",
          );
          for (let i = 0; i < 6; i++) {
            await page.keyboard.press("Tab");
            const inside = await page.evaluate(() =>
              Boolean(document.activeElement?.closest("dialog[open]"))
            );
            assert.ok(inside, `focus left the dialog after ${i + 1} Tab presses`);
          }
          await page.keyboard.press("Shift+Tab");
          assert.ok(
            await page.evaluate(() => Boolean(document.activeElement?.closest("dialog[open]"))),
          );
          await page.keyboard.press("Escape");
          await page.waitForFunction(() => !document.querySelector("dialog[open]"));
          const focused = await page.evaluate(() => document.activeElement?.outerHTML.slice(0, 80));
          assert.ok(
            await opener.evaluate((el) => el === document.activeElement),
            `focus returns to the opener, not ${focused}`,
          );
        },
      );

      await t.step("a sortable table header works from the keyboard", async () => {
        const page = await e2e.newPage();
        await signIn(page, e2e.demo.email, e2e.demo.password);
        await page.goto("/app/design-system");
        const header = page.getByRole("columnheader", { name: "Failing records" });
        await header.getByRole("button").focus();
        await page.keyboard.press("Enter");
        assert.equal(await header.getAttribute("aria-sort"), "ascending");
        const table = page.getByRole("table", { name: /Sample checks/ });
        const firstRow = table.getByRole("row").nth(1);
        assert.match((await firstRow.textContent()) ?? "", /AUD-001/);
        await page.keyboard.press("Enter");
        assert.equal(await header.getAttribute("aria-sort"), "descending");
        assert.match((await table.getByRole("row").nth(1).textContent()) ?? "", /ACL-007/);
        await table.locator("xpath=..").locator("..").getByRole("button", { name: "Next" }).click();
        await page.getByText("6–9 of 9").waitFor();
      });

      await t.step(
        "a table too wide for its container scrolls in a region the keyboard reaches",
        async () => {
          const page = await e2e.newPage();
          await signIn(page, e2e.demo.email, e2e.demo.password);
          await page.goto("/app/design-system");
          const table = page.getByRole("table", { name: /Sample checks/ });
          await table.waitFor();
          const region = page.getByRole("region", { name: "Sample checks" });
          assert.equal(await region.count(), 0, "a table that fits adds no Tab stop");
          await page.setViewportSize({ width: 360, height: 800 });
          await region.waitFor();
          await region.focus();
          await page.keyboard.press("ArrowRight");
          // The arrow key scrolls the focused region.
          await page.waitForFunction(
            (el) => (el as HTMLElement).scrollLeft > 0,
            await region.elementHandle(),
          );
          await assertAccessible(page, "design-system-narrow");
        },
      );

      await t.step("the theme follows the system, and a chosen theme persists", async () => {
        const dark = await e2e.newPage({ colorScheme: "dark" });
        await dark.goto("/login");
        assert.ok(await dark.evaluate(() => document.documentElement.classList.contains("dark")));

        const page = await e2e.newPage({ colorScheme: "light" });
        await page.goto("/");
        assert.equal(
          await page.evaluate(() => document.documentElement.classList.contains("dark")),
          false,
        );
        await page.getByRole("button", { name: /^Theme: system/ }).click();
        await page.getByRole("button", { name: /^Theme: light/ }).click();
        assert.ok(await page.evaluate(() => document.documentElement.classList.contains("dark")));
        await page.reload();
        await page.getByRole("button", { name: /^Theme: dark/ }).waitFor();
        assert.ok(await page.evaluate(() => document.documentElement.classList.contains("dark")));
      });

      assert.deepEqual(e2e.pageErrors, []);
    } finally {
      await e2e.close();
    }
  },
});
