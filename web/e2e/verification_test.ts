import assert from "node:assert/strict";
import {
  announceSkip,
  chromiumAvailable,
  latestMail,
  screenshot,
  startE2e,
  uniqueEmail,
  waitForStartPage,
} from "./_harness.ts";

announceSkip(import.meta.url);

Deno.test({
  name:
    "web email verification: sign-up asks to confirm, the link lands in the app, a used link explains itself",
  ignore: !chromiumAvailable,
  async fn(t) {
    const e2e = await startE2e({ requireEmailConfirmation: true });
    const email = uniqueEmail("verify");
    const password = "Steady-granite-beacon-19";
    try {
      const page = await e2e.newPage();
      let link = "";

      await t.step("sign-up asks the user to confirm their email", async () => {
        await page.goto("/signup");
        await page.getByLabel("Organization name").fill("Contoso Security");
        await page.getByLabel("Work email").fill(email);
        await page.getByLabel("Password", { exact: true }).fill(password);
        await page.getByRole("button", { name: "Create account" }).click();
        await page.getByRole("heading", { name: "Check your inbox" }).waitFor();
        await page.getByRole("link", { name: "the dev mailbox" }).waitFor();
        await screenshot(page, "signup-check-inbox");
      });

      await t.step("signing in before confirming says what to do", async () => {
        const early = await e2e.newPage();
        await early.goto("/login");
        await early.getByLabel("Work email").fill(email);
        await early.getByLabel("Password", { exact: true }).fill(password);
        await early.getByRole("button", { name: "Sign in" }).click();
        await early.getByText(/Confirm your email address first/).waitFor();
      });

      await t.step(
        "the confirmation link lands on the verification page, then in the app",
        async () => {
          link = (await latestMail(e2e.url, email, "signup")).link;
          await page.goto(link);
          await page.waitForURL(/\/auth\/callback/);
          await page.getByRole("heading", { name: "Email confirmed" }).waitFor();
          await screenshot(page, "auth-callback-confirmed");
          await page.getByRole("link", { name: "Continue to ComplianceIQ" }).click();
          assert.equal(
            await waitForStartPage(page),
            "Dashboard",
            "a new organization starts on its Dashboard",
          );
          assert.equal(await page.getByTestId("current-org").textContent(), "Contoso Security");
        },
      );

      await t.step("opening the same link again explains that it cannot be used", async () => {
        const again = await e2e.newPage();
        await again.goto(link);
        await again.waitForURL(/\/auth\/callback/);
        await again.getByRole("heading", { name: "This link can't be used" }).waitFor();
        await again.getByRole("button", { name: "Send a new link" }).waitFor();
        await screenshot(again, "auth-callback-used-link");
      });

      assert.deepEqual(e2e.pageErrors, []);
    } finally {
      await e2e.close();
    }
  },
});
