import assert from "node:assert/strict";
import { createClient } from "@supabase/supabase-js";
import type { Page } from "playwright-core";
import {
  announceSkip,
  chromiumAvailable,
  openFromSidebar,
  screenshot,
  signIn,
  startE2e,
  uniqueEmail,
} from "./_harness.ts";

announceSkip(import.meta.url);

/** Creates a confirmed user with their own organization through the auth API (supabase-js). */
async function createUser(
  url: string,
  email: string,
  password: string,
  organization: string,
): Promise<void> {
  const config = await (await fetch(`${url}/app-config.json`)).json() as {
    supabaseAnonKey: string;
  };
  const client = createClient(url, config.supabaseAnonKey, {
    auth: { persistSession: false, autoRefreshToken: false, detectSessionInUrl: false },
  });
  const { error } = await client.auth.signUp({
    email,
    password,
    options: { data: { organization_name: organization, full_name: "Vera Lindqvist" } },
  });
  if (error) throw new Error(`Cannot create test user ${email}: ${error.message}`);
}

/**
 * Changes a member's role and waits for the server's answer. Waiting for the
 * toast alone is not enough: an earlier "is now viewer" toast may still be up.
 */
async function setRole(page: Page, who: string, role: string): Promise<void> {
  const answered = page.waitForResponse((response) =>
    response.request().method() === "PATCH" && /\/members\/[^/]+$/.test(response.url())
  );
  await page.getByLabel(`Role of ${who}`, { exact: true }).selectOption(role);
  assert.equal((await answered).status(), 200, `the role change to ${role} succeeds`);
  await page.getByRole("status").filter({ hasText: `${who} is now ${role}` }).waitFor();
}

async function switchOrg(page: Page, name: string): Promise<void> {
  await page.getByRole("button", { name: /^Organization:/ }).click();
  await page.getByRole("menuitemradio", { name: new RegExp(name) }).click();
  await page.getByTestId("current-org").filter({ hasText: name }).waitFor();
}

Deno.test({
  name: "web team: add member, change role, refusals for a viewer, leave, settings",
  ignore: !chromiumAvailable,
  async fn(t) {
    const e2e = await startE2e();
    const vera = uniqueEmail("vera");
    const veraPassword = "Amber-orchard-signal-58";
    try {
      await createUser(e2e.url, vera, veraPassword, "Vera Consulting");
      const owner = await e2e.newPage();
      // Every organization starts on its Dashboard.
      assert.equal(await signIn(owner, e2e.demo.email, e2e.demo.password), "Dashboard");
      await openFromSidebar(owner, "Team");

      await t.step("adding an unknown email says no more than for a known one", async () => {
        await owner.getByRole("button", { name: "Add member" }).click();
        const dialog = owner.getByRole("dialog", { name: "Add a member" });
        await dialog.getByLabel("Email").fill("nobody@example.test");
        await dialog.getByRole("button", { name: "Add member" }).click();
        await owner.getByRole("status").filter({
          hasText: "If nobody@example.test has a ComplianceIQ account, they are now a member",
        }).waitFor();
        await screenshot(owner, "team-add-member-unknown");
        assert.equal(await owner.getByRole("row").filter({ hasText: "nobody@" }).count(), 0);
      });

      await t.step("an owner adds a member by email with a role", async () => {
        await owner.getByRole("button", { name: "Add member" }).click();
        const dialog = owner.getByRole("dialog", { name: "Add a member" });
        await dialog.getByLabel("Email").fill(vera);
        await dialog.getByLabel("Role").selectOption("viewer");
        await dialog.getByRole("button", { name: "Add member" }).click();
        await owner.getByRole("status").filter({
          hasText: `If ${vera} has a ComplianceIQ account, they are now a member (viewer)`,
        }).waitFor();
        assert.equal(
          await owner.getByLabel("Role of Vera Lindqvist", { exact: true }).inputValue(),
          "viewer",
        );
      });

      await t.step("an owner changes a member's role, and it persists", async () => {
        await setRole(owner, "Vera Lindqvist", "analyst");
        await owner.reload();
        const select = owner.getByLabel("Role of Vera Lindqvist", { exact: true });
        await select.waitFor();
        assert.equal(await select.inputValue(), "analyst");
        await screenshot(owner, "team-owner");
      });

      const member = await e2e.newPage();
      await t.step("a viewer sees the team read-only, with the reason", async () => {
        await setRole(owner, "Vera Lindqvist", "viewer");
        // Vera's own organization has no instance yet: its Dashboard says how to connect one.
        assert.equal(await signIn(member, vera, veraPassword), "Dashboard");
        await openFromSidebar(member, "Team");
        await switchOrg(member, "Demo Organization");
        await member.getByText("You're a viewer here").waitFor();
        await member.getByText("Only admins and owners can add members or change roles.").waitFor();
        assert.equal(await member.getByRole("combobox").count(), 0, "no role pickers for a viewer");
        assert.equal(await member.getByRole("button", { name: "Add member" }).count(), 0);
        await screenshot(member, "team-viewer");
      });

      await t.step("a change the API refuses is explained, and the page catches up", async () => {
        await setRole(owner, "Vera Lindqvist", "admin");
        await member.reload();
        const own = member.getByLabel("Role of Vera Lindqvist", { exact: true });
        await own.waitFor();
        // Vera's page still shows her as admin when the owner demotes her.
        await setRole(owner, "Vera Lindqvist", "viewer");
        await own.selectOption("analyst");
        const refusal = member.getByRole("alert").filter({ hasText: "Role not changed" });
        await refusal.waitFor();
        assert.match((await refusal.textContent()) ?? "", /needs the admin role/i);
        await member.getByText("You're a viewer here").waitFor();
        assert.equal(await member.getByRole("combobox").count(), 0);
        await screenshot(member, "team-refused-change");
      });

      await t.step("the last owner cannot leave, and is told why", async () => {
        await owner.getByText("An organization needs at least one owner.", { exact: false }).first()
          .waitFor();
        assert.equal(
          await owner.getByRole("button", { name: "Leave Demo Organization" }).isDisabled(),
          true,
        );
      });

      await t.step("a member leaves the organization", async () => {
        await member.getByRole("button", { name: "Leave Demo Organization" }).click();
        const dialog = member.getByRole("alertdialog", { name: "Leave Demo Organization?" });
        await dialog.getByRole("button", { name: "Leave organization" }).click();
        await member.getByRole("status").filter({ hasText: "You left Demo Organization" })
          .waitFor();
        await member.getByTestId("current-org").filter({ hasText: "Vera Consulting" }).waitFor();
        await owner.reload();
        await owner.getByRole("row").filter({ hasText: e2e.demo.email }).waitFor();
        assert.equal(await owner.getByRole("row").filter({ hasText: vera }).count(), 0);
      });

      await t.step("an owner removes a member after confirming", async () => {
        await owner.getByRole("button", { name: "Add member" }).click();
        const dialog = owner.getByRole("dialog", { name: "Add a member" });
        await dialog.getByLabel("Email").fill(vera);
        await dialog.getByRole("button", { name: "Add member" }).click();
        await owner.getByRole("row").filter({ hasText: vera }).waitFor();
        await owner.getByRole("button", { name: "Remove Vera Lindqvist" }).click();
        const confirm = owner.getByRole("alertdialog", { name: "Remove member?" });
        assert.ok(
          await confirm.getByRole("button", { name: "Cancel" }).evaluate((el) =>
            el === document.activeElement
          ),
          "focus starts on Cancel",
        );
        await confirm.getByRole("button", { name: "Remove member" }).click();
        await owner.getByRole("status").filter({ hasText: "Vera Lindqvist was removed" }).waitFor();
        assert.equal(await owner.getByRole("row").filter({ hasText: vera }).count(), 0);
      });

      await t.step("an owner renames the organization; a taken slug is refused", async () => {
        await owner.getByRole("link", { name: "Settings" }).click();
        await owner.waitForURL(/\/app\/settings$/);
        await owner.getByLabel("Name", { exact: true }).fill("Demo Holdings");
        await owner.getByLabel("Slug", { exact: true }).fill("vera-consulting");
        await owner.getByRole("button", { name: "Save changes" }).click();
        await owner.getByText("That slug is already taken. Choose another one.").waitFor();
        await owner.getByLabel("Slug", { exact: true }).fill("demo-holdings");
        await owner.getByLabel("Dormant account threshold (days)").fill("20");
        await owner.getByRole("button", { name: "Save changes" }).click();
        await owner.getByText("Enter a whole number of days between 30 and 365.").waitFor();
        await owner.getByLabel("Dormant account threshold (days)").fill("60");
        // The default framework offers the check catalog's frameworks, by their ids.
        const framework = owner.getByLabel("Default framework");
        await framework.locator('option[value="soc2_2017"]').waitFor({ state: "attached" });
        const values = await framework.locator("option").evaluateAll((options) =>
          options.map((o) => (o as HTMLOptionElement).value)
        );
        assert.deepEqual(values, [
          "",
          "sox_itgc",
          "soc2_2017",
          "iso_27001_2022",
          "nist_800_53_r5",
          "nist_csf_2_0",
          "pci_dss_4_0",
          "cis_controls_v8_1",
        ]);
        await framework.selectOption("soc2_2017");
        const analyze = owner.getByRole("switch", { name: "Analyse after every sync" });
        assert.equal(await analyze.isChecked(), true, "on by default");
        await analyze.uncheck();
        await owner.getByRole("button", { name: "Save changes" }).click();
        await owner.getByRole("status").filter({ hasText: "Settings saved" }).waitFor();
        await owner.getByTestId("current-org").filter({ hasText: "Demo Holdings" }).waitFor();
        await owner.reload();
        assert.equal(await owner.getByLabel("Dormant account threshold (days)").inputValue(), "60");
        assert.equal(await owner.getByLabel("Slug", { exact: true }).inputValue(), "demo-holdings");
        await owner.locator('option[value="soc2_2017"]').waitFor({ state: "attached" });
        assert.equal(await owner.getByLabel("Default framework").inputValue(), "soc2_2017");
        assert.equal(
          await owner.getByRole("switch", { name: "Analyse after every sync" }).isChecked(),
          false,
        );
        await screenshot(owner, "settings-owner");
      });

      assert.deepEqual(e2e.pageErrors, []);
    } finally {
      await e2e.close();
    }
  },
});
