import assert from "node:assert/strict";
import { createClient } from "@supabase/supabase-js";
import type { Page } from "playwright-core";
import {
  announceSkip,
  assertAccessible,
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

/** Invites `email` as `role` from the Team page and waits for the confirmation. */
async function invite(page: Page, email: string, role: string): Promise<void> {
  await page.getByRole("button", { name: "Invite member" }).click();
  const dialog = page.getByRole("dialog", { name: "Invite a teammate" });
  await dialog.getByLabel("Email").fill(email);
  await dialog.getByLabel("Role").selectOption(role);
  await dialog.getByRole("button", { name: "Send invitation" }).click();
  await page.getByRole("status").filter({ hasText: `Invitation sent to ${email}` }).waitFor();
}

/** The members table's rows containing `text`. */
function memberRow(page: Page, text: string) {
  return page.getByRole("table", { name: /^Members of/ }).getByRole("row").filter({
    hasText: text,
  });
}

/** The invitations table's row for `email`. */
function invitationRow(page: Page, email: string) {
  return page.getByRole("table", { name: /^Invitations to/ }).getByRole("row").filter({
    hasText: email,
  });
}

Deno.test({
  name:
    "web team: invitations (new and existing accounts), roles, refusals, leave, ownership, settings, deletion",
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

      const newcomer = uniqueEmail("nadia");
      await t.step("an owner invites a colleague; the invitation shows as pending", async () => {
        await invite(owner, newcomer, "analyst");
        await invitationRow(owner, newcomer).getByText("Pending").waitFor();
        await assertAccessible(owner, "team-invitations");
      });

      const colleague = await e2e.newPage();
      await t.step(
        "the colleague signs up from the emailed link and lands in the organization",
        async () => {
          const mail = await latestMail(e2e.url, newcomer, "invite");
          assert.match(mail.subject, /Join Demo Organization on ComplianceIQ/);
          await colleague.goto(mail.link);
          await colleague.getByRole("heading", { name: "Join Demo Organization" }).waitFor();
          assert.equal(new URL(colleague.url()).hash, "", "the secret leaves the address bar");
          await assertAccessible(colleague, "invite-page");
          await colleague.getByRole("link", { name: "Create an account" }).click();
          await colleague.getByRole("heading", { name: "Create your account to join" }).waitFor();
          assert.equal(await colleague.getByLabel("Organization name").count(), 0);
          assert.equal(await colleague.getByLabel("Work email").inputValue(), newcomer);
          await colleague.getByLabel("Password", { exact: true }).fill("Copper-lantern-violet-73");
          await colleague.getByRole("button", { name: "Create account" }).click();
          await waitForStartPage(colleague);
          await colleague.getByTestId("current-org").filter({ hasText: "Demo Organization" })
            .waitFor();
          await owner.reload();
          await memberRow(owner, newcomer).waitFor();
          await invitationRow(owner, newcomer).getByText("Accepted").waitFor();
        },
      );

      await t.step("a used link cannot be used again", async () => {
        const mail = await latestMail(e2e.url, newcomer, "invite");
        const stranger = await e2e.newPage();
        await stranger.goto(mail.link);
        await stranger.getByText("This invitation has already been used").waitFor();
      });

      await t.step("resending replaces the link; revoking kills it", async () => {
        const late = uniqueEmail("late");
        await invite(owner, late, "viewer");
        const first = await latestMail(e2e.url, late, "invite");
        await invitationRow(owner, late).getByRole("button", {
          name: `Resend the invitation to ${late}`,
        })
          .click();
        await owner.getByRole("status").filter({ hasText: `Sent a new link to ${late}` }).waitFor();
        const visitor = await e2e.newPage();
        await visitor.goto(first.link);
        await visitor.getByRole("heading", { name: "This invitation can't be used" }).waitFor();
        await invitationRow(owner, late).getByRole("button", {
          name: `Revoke the invitation to ${late}`,
        })
          .click();
        await owner.getByRole("alertdialog", { name: "Revoke invitation?" })
          .getByRole("button", { name: "Revoke invitation" }).click();
        await invitationRow(owner, late).getByText("Revoked").waitFor();
        const second = await latestMail(e2e.url, late, "invite");
        await visitor.goto(second.link);
        await visitor.getByRole("heading", { name: "This invitation can't be used" }).waitFor();
      });

      const member = await e2e.newPage();
      await t.step("someone with an account signs in from the link and accepts", async () => {
        await invite(owner, vera, "viewer");
        const mail = await latestMail(e2e.url, vera, "invite");
        await member.goto(mail.link);
        await member.getByRole("link", { name: "I have an account: sign in" }).click();
        assert.equal(await member.getByLabel("Work email").inputValue(), vera);
        await member.getByLabel("Password", { exact: true }).fill(veraPassword);
        await member.getByRole("button", { name: "Sign in" }).click();
        await member.getByRole("button", { name: "Accept and open Demo Organization" }).click();
        await waitForStartPage(member);
        await member.getByTestId("current-org").filter({ hasText: "Demo Organization" }).waitFor();
        await owner.reload();
        await owner.getByLabel("Role of Vera Lindqvist", { exact: true }).waitFor();
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

      await t.step("a viewer sees the team read-only, with the reason", async () => {
        await setRole(owner, "Vera Lindqvist", "viewer");
        await openFromSidebar(member, "Team");
        await member.getByText("You're a viewer here").waitFor();
        await member.getByText("Only admins and owners can invite members or change roles.")
          .waitFor();
        assert.equal(await member.getByRole("combobox").count(), 0, "no role pickers for a viewer");
        assert.equal(await member.getByRole("button", { name: "Invite member" }).count(), 0);
        assert.equal(await member.getByText("Invitations", { exact: true }).count(), 0);
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
        await memberRow(owner, e2e.demo.email).waitFor();
        assert.equal(await memberRow(owner, vera).count(), 0);
      });

      await t.step("an owner removes a member after confirming", async () => {
        await invite(owner, vera, "viewer");
        await member.goto((await latestMail(e2e.url, vera, "invite")).link);
        await member.getByRole("button", { name: "Accept and open Demo Organization" }).click();
        await waitForStartPage(member);
        await owner.reload();
        await owner.getByRole("button", { name: "Remove Vera Lindqvist" }).waitFor();
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
        assert.equal(await memberRow(owner, vera).count(), 0);
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

      await t.step(
        "an owner offers ownership; the colleague accepts and the owner becomes admin",
        async () => {
          await openFromSidebar(owner, "Team");
          await owner.getByLabel("New owner").selectOption({ label: newcomer });
          await owner.getByRole("button", { name: "Offer ownership" }).click();
          await owner.getByRole("alertdialog", { name: "Offer ownership?" })
            .getByRole("button", { name: "Offer ownership" }).click();
          await owner.getByText(`Ownership offered to ${newcomer}`, { exact: false }).waitFor();
          await colleague.reload();
          await openFromSidebar(colleague, "Team");
          await colleague.getByText("offered you ownership of Demo Holdings").waitFor();
          await assertAccessible(colleague, "team-ownership-offer");
          await colleague.getByRole("button", { name: "Accept ownership" }).click();
          await colleague.getByRole("status").filter({ hasText: "You are now an owner" }).waitFor();
          await owner.reload();
          const heir = memberRow(owner, newcomer);
          await heir.getByText("Owner", { exact: true }).waitFor();
          assert.equal(
            await owner.getByLabel(`Role of ${newcomer}`, { exact: true }).count(),
            0,
            "the former owner, now an admin, cannot change an owner's role",
          );
        },
      );

      await t.step("an owner deletes an organization after typing its name", async () => {
        // Removed from the demo organization, Vera is back in her own.
        await member.reload();
        await member.getByTestId("current-org").filter({ hasText: "Vera Consulting" }).waitFor();
        await openFromSidebar(member, "Settings");
        await member.getByRole("button", { name: "Delete Vera Consulting" }).click();
        const dialog = member.getByRole("dialog", { name: "Delete Vera Consulting?" });
        const confirm = dialog.getByRole("button", { name: "Delete organization" });
        await dialog.getByLabel("Type Vera Consulting to confirm").fill("vera consulting");
        assert.equal(await confirm.isDisabled(), true, "the name must match exactly");
        await dialog.getByLabel("Type Vera Consulting to confirm").fill("Vera Consulting");
        await assertAccessible(member, "settings-delete-org");
        await confirm.click();
        await member.getByRole("status").filter({ hasText: "Vera Consulting was deleted" })
          .waitFor();
        await member.getByTestId("current-org").filter({ hasText: "Vera Consulting" })
          .waitFor({ state: "detached" });
      });

      assert.deepEqual(e2e.pageErrors, []);
    } finally {
      await e2e.close();
    }
  },
});
