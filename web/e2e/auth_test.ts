import assert from "node:assert/strict";
import {
  announceSkip,
  chromiumAvailable,
  latestMail,
  openFromSidebar,
  screenshot,
  signIn,
  startE2e,
  uniqueEmail,
  waitForStartPage,
} from "./_harness.ts";

announceSkip(import.meta.url);

Deno.test({
  name:
    "web auth: sign-up, sign-out, sign-in, wrong password, keyboard-only sign-in, password reset",
  ignore: !chromiumAvailable,
  async fn(t) {
    const e2e = await startE2e();
    const email = uniqueEmail("owner");
    const password = "Calm-harbour-lantern-42";
    try {
      const page = await e2e.newPage();

      await t.step("sign-up lands in the app with the new organization", async () => {
        await page.goto("/signup");
        await page.getByLabel("Organization name").fill("Northwind Audit");
        await page.getByLabel("Work email").fill(email);
        await page.getByLabel("Password", { exact: true }).fill("short");
        await assert.doesNotReject(page.getByText("Strength: Too short.").waitFor());
        await page.getByLabel("Password", { exact: true }).fill(password);
        await assert.doesNotReject(page.getByText(/Strength: (Good|Strong)\./).waitFor());
        await page.getByRole("button", { name: "Create account" }).click();
        // A new organization has no instance yet: its Dashboard guides it to connect one.
        assert.equal(await waitForStartPage(page), "Dashboard");
        await page.getByText("Connect your first ServiceNow instance").waitFor();
        assert.equal(await page.getByTestId("current-org").textContent(), "Northwind Audit");
        await openFromSidebar(page, "Team");
        await page.getByRole("row").filter({ hasText: email }).waitFor();
        assert.equal(await page.getByLabel(new RegExp(`Role of ${email}`)).inputValue(), "owner");
        await screenshot(page, "app-team-new-org");
      });

      await t.step("signing out leads to sign-in, and signing in returns to the page", async () => {
        await page.getByRole("button", { name: /^Account:/ }).click();
        await page.getByRole("menuitem", { name: "Sign out" }).click();
        await page.waitForURL(/\/login\?next=%2Fapp%2Fteam$/);
        await page.getByLabel("Work email").fill(email);
        await page.getByLabel("Password", { exact: true }).fill(password);
        await page.getByRole("button", { name: "Sign in" }).click();
        await page.waitForURL(/\/app\/team$/);
        assert.equal(await page.getByTestId("current-org").textContent(), "Northwind Audit");
      });

      await t.step(
        "a session the API refuses sends the user back to sign-in with a notice",
        async () => {
          const expired = await e2e.newPage();
          await signIn(expired, email, password);
          await openFromSidebar(expired, "Team");
          await expired.getByRole("row").filter({ hasText: email }).waitFor();
          // Make the stored tokens unusable: the API answers 401 and the refresh fails.
          await expired.evaluate(() => {
            const key = Object.keys(localStorage).find((k) =>
              k.startsWith("sb-") && k.endsWith("-auth-token")
            );
            if (!key) throw new Error("no supabase session in localStorage");
            const stored = JSON.parse(localStorage.getItem(key)!);
            stored.access_token = "invalid.token.value";
            stored.refresh_token = "revoked-refresh-token";
            localStorage.setItem(key, JSON.stringify(stored));
          });
          await expired.getByRole("link", { name: "Settings" }).click();
          await expired.waitForURL(/\/login\?next=%2Fapp%2Fsettings$/);
          await expired.getByText("Your session has expired. Sign in again to continue.").waitFor();
        },
      );

      await t.step("a wrong password shows an error and stays on sign-in", async () => {
        const other = await e2e.newPage();
        await other.goto("/login");
        await other.getByLabel("Work email").fill(email);
        await other.getByLabel("Password", { exact: true }).fill("not-the-password-1");
        await other.getByRole("button", { name: "Sign in" }).click();
        const alert = other.getByRole("alert").filter({ hasText: /\S/ });
        await alert.waitFor();
        assert.equal((await alert.textContent())?.trim(), "Incorrect email or password.");
        assert.match(other.url(), /\/login$/);
        await screenshot(other, "login-wrong-password");
      });

      await t.step("signing in works with the keyboard alone", async () => {
        const kb = await e2e.newPage();
        await kb.goto("/login");
        await kb.getByRole("heading", { name: "Sign in to ComplianceIQ" }).waitFor();
        const focusedName = () =>
          kb.evaluate(() => (document.activeElement as HTMLInputElement | null)?.name ?? "");
        for (let i = 0; i < 6 && await focusedName() !== "email"; i++) {
          await kb.keyboard.press("Tab");
        }
        assert.equal(await focusedName(), "email", "Tab reaches the email field");
        await kb.keyboard.type(email);
        await kb.keyboard.press("Tab");
        assert.equal(await focusedName(), "password", "Tab moves from email to password");
        await kb.keyboard.type(password);
        // The focus ring is visible on keyboard focus.
        const outline = await kb.evaluate(() =>
          getComputedStyle(document.activeElement!).outlineStyle
        );
        assert.notEqual(outline, "none");
        await kb.keyboard.press("Enter");
        assert.equal(await waitForStartPage(kb), "Dashboard");
      });

      await t.step("a password reset through the dev mailbox sets a new password", async () => {
        const reset = await e2e.newPage();
        await reset.goto("/forgot-password");
        await reset.getByLabel("Work email").fill(email);
        await reset.getByRole("button", { name: "Send reset link" }).click();
        await reset.getByRole("heading", { name: "Check your inbox" }).waitFor();
        const mail = await latestMail(e2e.url, email, "recovery");
        await reset.goto(mail.link);
        await reset.waitForURL(/\/reset-password/);
        await reset.getByRole("heading", { name: "Choose a new password" }).waitFor();
        await screenshot(reset, "reset-password-form");
        const newPassword = "Quiet-meadow-compass-77";
        await reset.getByLabel("New password", { exact: true }).fill(newPassword);
        await reset.getByLabel("Confirm new password", { exact: true }).fill(
          "Quiet-meadow-compass-78",
        );
        await reset.getByRole("button", { name: "Update password" }).click();
        await reset.getByText("The two passwords don't match.").waitFor();
        await reset.getByLabel("Confirm new password", { exact: true }).fill(newPassword);
        await reset.getByRole("button", { name: "Update password" }).click();
        assert.equal(await waitForStartPage(reset), "Dashboard");
        await reset.getByText("Password updated").waitFor();

        const fresh = await e2e.newPage();
        await fresh.goto("/login");
        await fresh.getByLabel("Work email").fill(email);
        await fresh.getByLabel("Password", { exact: true }).fill(password);
        await fresh.getByRole("button", { name: "Sign in" }).click();
        await fresh.getByText("Incorrect email or password.").waitFor();
        await signIn(fresh, email, newPassword);
        assert.equal(await fresh.getByTestId("current-org").textContent(), "Northwind Audit");
      });

      assert.deepEqual(e2e.pageErrors, [], "no uncaught errors in the pages");
    } finally {
      await e2e.close();
    }
  },
});
