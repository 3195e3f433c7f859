import assert from "node:assert/strict";
import { createClient } from "@supabase/supabase-js";
import type { Page, Response } from "playwright-core";
import {
  announceSkip,
  assertAccessible,
  chromiumAvailable,
  joinByInvitation,
  screenshot,
  signIn,
  startE2e,
} from "./_harness.ts";

announceSkip(import.meta.url);

const DEMO_INSTANCE = "Acme (simulated ServiceNow)";
const PASSWORD = "integration-password";

/** Every instances-API response body the page received, to prove no secret comes back. */
function captureApi(page: Page): string[] {
  const bodies: string[] = [];
  page.on("response", async (response: Response) => {
    if (!response.url().includes("/functions/v1/instances")) return;
    try {
      bodies.push(await response.text());
    } catch {
      // Redirects and aborted requests have no body.
    }
  });
  return bodies;
}

function row(page: Page, name: string) {
  return page.getByRole("row").filter({ hasText: name });
}

async function openMenu(page: Page, name: string, item: string): Promise<void> {
  await page.getByRole("button", { name: `More actions for ${name}` }).click();
  await page.getByRole("menuitem", { name: item }).click();
}

Deno.test({
  name:
    "web instances: health and last sync, add with a connection test, write-only credentials, sync now with progress, schedule, history, delete, roles",
  ignore: !chromiumAvailable,
  async fn(t) {
    const e2e = await startE2e();
    try {
      const owner = await e2e.newPage();
      const bodies = captureApi(owner);
      await signIn(owner, e2e.demo.email, e2e.demo.password);
      await owner.goto("/app/instances");
      await owner.getByRole("heading", { level: 1, name: "Instances" }).waitFor();

      await t.step("the demo instance is listed with its health and its first sync", async () => {
        const demo = row(owner, DEMO_INSTANCE);
        await demo.getByText("Healthy").waitFor();
        await demo.getByText("/snow-sim/acme").waitFor();
        // The stack started its first sync; it finishes while we watch.
        await demo.getByText("Succeeded").waitFor({ timeout: 60_000 });
        await demo.getByText(/records read/).waitFor();
        await assertAccessible(owner, "instances-list");
      });

      await t.step("sync now shows a live progress bar until the sync finishes", async () => {
        const demo = row(owner, DEMO_INSTANCE);
        await owner.getByRole("button", { name: `Sync now: ${DEMO_INSTANCE}` }).click();
        await demo.getByRole("progressbar").waitFor();
        await owner.getByRole("status").filter({ hasText: `Sync of ${DEMO_INSTANCE} started` })
          .waitFor();
        await demo.getByRole("progressbar").waitFor({ state: "detached", timeout: 60_000 });
        await demo.getByText("Succeeded").waitFor();
      });

      const name = "Globex (simulated)";
      await t.step(
        "adding an instance needs a connection test; a failed one says why",
        async () => {
          await owner.getByRole("button", { name: "Add instance" }).click();
          const dialog = owner.getByRole("dialog", { name: "Add a ServiceNow instance" });
          await dialog.getByLabel("Name", { exact: true }).fill(name);
          await dialog.getByLabel("Instance URL").fill(`${e2e.url}/snow-sim/acme`);
          await dialog.getByLabel("User name").fill("complianceiq.integration");
          await dialog.getByLabel("Password").fill("wrong-password");
          assert.equal(
            await dialog.getByRole("button", { name: "Add instance" }).isDisabled(),
            true,
          );
          await dialog.getByRole("button", { name: "Test connection" }).click();
          await dialog.getByTestId("health-report").getByText("Credentials rejected", {
            exact: true,
          })
            .waitFor();
          await dialog.getByRole("button", { name: "Save anyway" }).waitFor();
          await assertAccessible(owner, "instances-add-failed-test");

          await dialog.getByLabel("Password").fill(PASSWORD);
          // The result no longer matches the form: saving needs a new test.
          await dialog.getByText("Test the connection before saving.").waitFor();
          await dialog.getByRole("button", { name: "Test connection" }).click();
          const report = dialog.getByTestId("health-report");
          await report.getByText("Healthy", { exact: true }).waitFor();
          await report.getByText(/tables readable/).waitFor();
          await dialog.getByRole("button", { name: "Add instance" }).click();
          await owner.getByRole("status").filter({ hasText: `${name} added` }).waitFor();
          await row(owner, name).getByText("Healthy").waitFor();
          await screenshot(owner, "instances-added");
        },
      );

      await t.step("credentials are write-only: never shown, never returned", async () => {
        await openMenu(owner, name, "Edit");
        const dialog = owner.getByRole("dialog", { name: `Edit ${name}` });
        const password = dialog.getByLabel("Password");
        assert.equal(await password.inputValue(), "");
        assert.equal(await password.getAttribute("type"), "password");
        assert.match((await password.getAttribute("placeholder")) ?? "", /saved, hidden/);
        // A rename keeps the saved credentials and needs no new test.
        await dialog.getByLabel("Name", { exact: true }).fill(`${name} EU`);
        await dialog.getByRole("button", { name: "Save changes" }).click();
        await owner.getByRole("status").filter({ hasText: `${name} EU saved` }).waitFor();
        await openMenu(owner, `${name} EU`, "Test connection");
        await owner.getByRole("status").filter({ hasText: `${name} EU: Healthy` }).waitFor();
        assert.ok(bodies.length > 5, "API responses were captured");
        for (const body of bodies) {
          assert.ok(!body.includes(PASSWORD), "an API response contained the password");
        }
        assert.ok(!(await owner.content()).includes(PASSWORD));
      });

      await t.step(
        "the schedule editor previews runs and the API's rules are explained",
        async () => {
          await openMenu(owner, `${name} EU`, "Schedule");
          const dialog = owner.getByRole("dialog", { name: `Sync schedule of ${name} EU` });
          await dialog.getByLabel("Runs").selectOption("custom");
          await dialog.getByLabel("Cron expression").fill("*/5 * * * *");
          await dialog.getByRole("button", { name: "Save schedule" }).click();
          await dialog.getByRole("alert").getByText("Syncs may run at most every 15 minutes", {
            exact: false,
          })
            .waitFor();
          await dialog.getByLabel("Runs").selectOption("weekdays");
          await dialog.getByLabel("Time zone").selectOption("Europe/Paris");
          assert.equal(
            await dialog.getByTestId("schedule-preview").getByRole("listitem").count(),
            3,
          );
          await assertAccessible(owner, "instances-schedule");
          await dialog.getByRole("button", { name: "Save schedule" }).click();
          await row(owner, `${name} EU`).getByText("Weekdays at 06:00 (Europe/Paris)").waitFor();
        },
      );

      await t.step("the sync history lists runs with per-table figures", async () => {
        await openMenu(owner, DEMO_INSTANCE, "Sync history");
        const drawer = owner.getByRole("dialog", { name: `Sync history of ${DEMO_INSTANCE}` });
        const runs = drawer.getByRole("row").filter({ hasText: "Succeeded" });
        await runs.first().waitFor();
        assert.ok(await runs.count() >= 2, "the first sync and the one started here");
        await drawer.getByRole("button", { name: /^Details of the sync of/ }).first().click();
        const detail = owner.getByRole("dialog", { name: "Sync details" });
        await detail.getByRole("row").filter({ hasText: "sys_user_has_role" }).waitFor();
        // Every table the checks read is listed, the configuration tables included.
        await detail.getByRole("row").filter({ hasText: "blacklisted_password" }).waitFor();
        // Wider than the drawer: the figures scroll in a region the keyboard reaches.
        const figures = detail.getByRole("region", { name: "Tables of this sync" });
        await figures.focus();
        assert.ok(
          await figures.evaluate((el) =>
            el === document.activeElement && el.scrollWidth > el.clientWidth
          ),
          "the per-table figures scroll inside a focused region",
        );
        await assertAccessible(owner, "instances-history");
        await detail.getByRole("button", { name: "Close" }).click();
      });

      await t.step("deleting an instance asks first, then removes it", async () => {
        await openMenu(owner, `${name} EU`, "Delete");
        const confirm = owner.getByRole("alertdialog", { name: `Delete ${name} EU?` });
        await confirm.getByText("deletes its synced records").waitFor();
        await confirm.getByRole("button", { name: "Delete instance" }).click();
        await owner.getByRole("status").filter({ hasText: `${name} EU deleted` }).waitFor();
        assert.equal(await row(owner, `${name} EU`).count(), 0);
      });

      await t.step("a viewer sees health and syncs but can change nothing", async () => {
        const demo = await createClient(
          e2e.url,
          (await (await fetch(`${e2e.url}/app-config.json`)).json()).supabaseAnonKey,
          { auth: { persistSession: false, autoRefreshToken: false, detectSessionInUrl: false } },
        ).auth.signInWithPassword({ email: e2e.demo.email, password: e2e.demo.password });
        const [email, password] = await joinByInvitation(
          e2e.url,
          demo.data.session!.access_token,
          e2e.demo.orgId,
        );
        const viewer = await e2e.newPage();
        await signIn(viewer, email, password);
        await viewer.goto("/app/instances");
        await viewer.getByText("Read-only for your role").waitFor();
        await row(viewer, DEMO_INSTANCE).getByText("Healthy").waitFor();
        assert.equal(await viewer.getByRole("button", { name: "Add instance" }).count(), 0);
        assert.equal(await viewer.getByRole("button", { name: /^Sync now/ }).count(), 0);
        await viewer.getByRole("button", { name: `More actions for ${DEMO_INSTANCE}` }).click();
        assert.equal(await viewer.getByRole("menuitem").count(), 1, "only the sync history");
        await viewer.getByRole("menuitem", { name: "Sync history" }).waitFor();
        await screenshot(viewer, "instances-viewer");
      });

      assert.deepEqual(e2e.pageErrors, []);
    } finally {
      await e2e.close();
    }
  },
});
