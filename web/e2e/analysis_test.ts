import assert from "node:assert/strict";
import {
  announceSkip,
  assertAccessible,
  chromiumAvailable,
  joinByInvitation,
  signIn,
  startE2e,
} from "./_harness.ts";
import { apiToken as token, callApi as api, settle } from "./_api.ts";

announceSkip(import.meta.url);

Deno.test({
  name:
    "web analysis: scores and findings of the demo instance, a run with live progress and deltas, triage, mute, custom check with preview, viewer refusals",
  ignore: !chromiumAvailable,
  async fn(t) {
    const e2e = await startE2e();
    try {
      const ownerToken = await token(e2e.url, e2e.demo.email, e2e.demo.password);
      const instances = await api(
        e2e.url,
        ownerToken,
        "GET",
        `/instances?org_id=${e2e.demo.orgId}`,
      );
      const instanceId = instances.data[0].id as string;
      await settle(e2e.url, ownerToken, instanceId);

      const owner = await e2e.newPage();
      await signIn(owner, e2e.demo.email, e2e.demo.password);

      await t.step("the demo instance's analysis shows scores, summary and findings", async () => {
        await owner.getByRole("link", { name: "Analysis" }).click();
        await owner.waitForURL(/\/app\/analysis/);
        await owner.getByTestId("score-overall").waitFor();
        const sc = await owner.getByTestId("score-security-center").innerText();
        assert.match(sc, /Security Center hardening\s+\d+/);
        await owner.getByRole("heading", { name: "Failing findings by severity" }).waitFor();
        await owner.getByRole("heading", { name: "By framework" }).waitFor();
        await assertAccessible(owner, "analysis-summary-light");

        // A framework, requirement by requirement.
        await owner.getByRole("button", { name: "SOX IT General Controls" }).click();
        const modal = owner.getByRole("dialog", { name: "SOX IT General Controls" });
        const requirements = modal.getByRole("list", { name: "Requirements" });
        await requirements.waitFor();
        // Requirements without checks are shown as such, never as passing.
        await modal.getByText(/\d+ with checks, \d+ not covered, \d+ manual/).waitFor();
        await modal.getByLabel("Show requirements").selectOption("manual");
        await requirements.getByText("Backups are performed, monitored and restorable").waitFor();
        assert.equal(await requirements.getByText("Pass", { exact: true }).count(), 0);
        assert.ok(await requirements.getByText("Manual", { exact: true }).count() > 0);
        await modal.getByLabel("Show requirements").selectOption("not_covered");
        await requirements.getByText("Not covered", { exact: true }).first().waitFor();
        await owner.screenshot({ path: "test-artifacts/analysis-framework-not-covered.png" });
        await modal.getByLabel("Show requirements").selectOption("all");
        await assertAccessible(owner, "analysis-framework-requirements");
        await modal.getByRole("button", { name: "Close", exact: true }).last().click();
      });

      await t.step(
        "a rerun after the instance changed shows live progress and new or resolved deltas",
        async () => {
          const runIds = async (): Promise<{ id: string; status: string }[]> =>
            (await api(e2e.url, ownerToken, "GET", `/analysis/runs?instance_id=${instanceId}`))
              .data;
          const before = new Set((await runIds()).map((r) => r.id));
          // Two simulated days pass on the instance, then it syncs.
          const advanced = await fetch(`${e2e.url}/snow-sim/_sim/advance`, {
            method: "POST",
            headers: { "content-type": "application/json" },
            body: JSON.stringify({ duration: "2d" }),
          });
          assert.equal(advanced.status, 200, await advanced.text());
          await api(e2e.url, ownerToken, "POST", `/instances/${instanceId}/sync`, {
            mode: "incremental",
          });
          // The sync, and an analysis it may queue by itself, finish first.
          await settle(e2e.url, ownerToken, instanceId);
          await owner.reload();
          await owner.getByTestId("score-overall").waitFor();
          await owner.getByRole("button", { name: "Run analysis" }).click();
          await owner.getByRole("progressbar", { name: "Analysis in progress" }).waitFor();
          await owner.getByTestId("run-progress").waitFor({ state: "detached", timeout: 60_000 });
          await owner.getByTestId("score-overall").waitFor();

          // The first analysis that read the changed data shows what changed: the
          // run started above, or one the sync queued before it (runs are newest first).
          await settle(e2e.url, ownerToken, instanceId);
          const first = (await runIds())
            .filter((r) => !before.has(r.id) && r.status === "succeeded")
            .at(-1);
          assert.ok(first, "an analysis ran after the change");
          await owner.reload();
          await owner.getByLabel("Run", { exact: true }).selectOption(first.id);
          await owner.waitForURL(new RegExp(`[?&]run=${first.id}`));
          await owner.getByTestId("score-overall").waitFor();
          const summary = await owner.getByRole("heading", { name: "Failing findings by severity" })
            .locator("xpath=ancestor::section")
            .innerText();
          const count = (label: string) =>
            Number(new RegExp(`${label}\\s+(\\d+)`, "i").exec(summary)?.[1] ?? "0");
          assert.ok(count("unchanged") > 0, summary);
          assert.ok(
            count("new") + count("resolved") + count("reopened") > 0,
            `no delta after the change:\n${summary}`,
          );
        },
      );

      await t.step(
        "findings: filter, open a finding, copy remediation, triage and mute it",
        async () => {
          await owner.getByRole("tab", { name: /Findings/ }).click();
          await Promise.all([
            owner.waitForResponse((r) =>
              r.url().includes("/analysis/findings?") && r.url().includes("severity=high")
            ),
            owner.getByLabel("Severity").selectOption("high"),
          ]);
          await owner.getByRole("table", { name: "Findings" }).locator("tbody tr").first()
            .getByText("High", { exact: true }).waitFor();
          const first = owner.getByRole("table", { name: "Findings" }).getByRole("button").first();
          await first.waitFor();
          const title = await first.innerText();
          await first.click();
          const drawer = owner.getByRole("dialog", { name: "Finding" });
          await drawer.getByTestId("finding-title").filter({ hasText: title }).waitFor();
          await drawer.getByRole("heading", { name: "Evidence" }).waitFor();
          await drawer.getByRole("heading", { name: "Remediation" }).waitFor();
          await drawer.getByRole("button", { name: "Copy steps" }).waitFor();
          await assertAccessible(owner, "analysis-finding-drawer");

          await drawer.getByLabel("Triage state").selectOption("under_review");
          await drawer.getByLabel("Note").fill("Checking with the identity team");
          await drawer.getByRole("button", { name: "Save triage" }).click();
          await owner.getByRole("status").filter({ hasText: "Triage set to under review" })
            .waitFor();
          await drawer.getByText("set triage to Under review").waitFor();

          await drawer.getByRole("button", { name: "Mute this finding" }).click();
          await drawer.getByLabel("Reason").fill("Accepted until the HR feed is connected");
          await drawer.getByRole("button", { name: "Mute finding" }).click();
          await owner.getByRole("status").filter({ hasText: "Finding muted" }).waitFor();
          await drawer.getByRole("button", { name: "Revoke mute" }).waitFor();
          await drawer.getByRole("button", { name: "Close" }).click();

          await owner.getByLabel("Muted", { exact: true }).selectOption("true");
          await owner.getByRole("table", { name: "Findings" }).getByText(title).first().waitFor();
          await assertAccessible(owner, "analysis-findings-muted");
        },
      );

      await t.step(
        "a custom check: preview on synced data, create, run, and its verdict",
        async () => {
          await owner.getByRole("tab", { name: "Custom checks" }).click();
          await owner.getByRole("button", { name: "New custom check" }).click();
          const dialog = owner.getByRole("dialog", { name: "New custom check" });
          await dialog.getByLabel("Title").fill("Active users with failed logins");
          await dialog.getByLabel("Encoded query").fill("active=true^failed_attempts>=1");
          await dialog.getByLabel("Evidence fields").fill("user_name, failed_attempts");
          await dialog.getByRole("button", { name: "Preview on synced data" }).click();
          const preview = dialog.getByTestId("preview").getByText(/records match/);
          await preview.waitFor();
          const matches = Number(/^(\d+) of/.exec((await preview.innerText()).trim())?.[1]);
          assert.ok(matches > 0, "the demo instance has active users with failed logins");
          await assertAccessible(owner, "analysis-custom-check-editor");
          await dialog.getByLabel("Encoded query").fill("active=true^failed_attemptsLIKE1");
          await dialog.getByRole("button", { name: "Preview on synced data" }).click();
          await dialog.getByText(/operator LIKE does not apply/).waitFor();
          await dialog.getByLabel("Encoded query").fill("active=true^failed_attempts>=1");
          await dialog.getByRole("button", { name: "Create check" }).click();
          await owner.getByRole("status").filter({
            hasText: 'Custom check "Active users with failed logins" created',
          })
            .waitFor();
          await owner.getByRole("table", { name: "Custom checks" }).getByText(
            "Active users with failed logins",
          ).waitFor();

          await owner.getByRole("button", { name: "Run analysis" }).click();
          await owner.getByRole("progressbar", { name: "Analysis in progress" }).waitFor();
          await owner.getByTestId("run-progress").waitFor({ state: "detached", timeout: 60_000 });
          await owner.getByRole("tab", { name: /Checks/ }).click();
          await owner.getByLabel("Search checks").fill("failed logins");
          const checks = owner.getByRole("table", { name: "Checks of this run" });
          await checks.getByText("Active users with failed logins", { exact: true }).waitFor();
          // Its verdict: it fails on exactly the records the preview matched.
          const row = checks.getByRole("row").filter({
            hasText: "Active users with failed logins",
          });
          await row.getByText("Fail", { exact: true }).waitFor();
          assert.match(
            await row.getByRole("button", { name: /failing resources of/ }).innerText(),
            new RegExp(`^${matches}\\b`),
          );
        },
      );

      await t.step("a viewer reads results but cannot run, triage or mute", async () => {
        const viewer = await e2e.newPage();
        await signIn(viewer, ...await joinByInvitation(e2e.url, ownerToken, e2e.demo.orgId));
        await viewer.goto(`/app/analysis?instance=${instanceId}&tab=findings`);
        await viewer.getByRole("table", { name: "Findings" }).getByRole("button").first().click();
        const drawer = viewer.getByRole("dialog", { name: "Finding" });
        await drawer.getByText("Analysts, admins and owners can triage findings.").waitFor();
        assert.equal(await drawer.getByRole("button", { name: "Mute this finding" }).count(), 0);
        assert.equal(await viewer.getByRole("button", { name: "Run analysis" }).count(), 0);
      });

      await t.step(
        "the organization's default framework preselects the findings filter and leads the scores",
        async () => {
          await api(e2e.url, ownerToken, "PATCH", `/organizations/${e2e.demo.orgId}`, {
            settings: { default_framework: "sox_itgc" },
          });
          const page = await e2e.newPage();
          await signIn(page, e2e.demo.email, e2e.demo.password);
          // The findings load with the run, filtered as soon as the default is known.
          const filtered = page.waitForResponse((r) =>
            r.url().includes("/analysis/findings?") && r.url().includes("framework=sox_itgc")
          );
          await page.goto(`/app/analysis?instance=${instanceId}`);
          await page.getByTestId("score-overall").waitFor();
          const byFramework = page.getByRole("table", { name: "Scores by framework" });
          await byFramework.getByRole("button", { name: "SOX IT General Controls (default)" })
            .waitFor();
          assert.match(
            await byFramework.getByRole("row").first().innerText(),
            /^SOX IT General Controls \(default\)/,
          );
          await filtered;
          await page.getByRole("tab", { name: /Findings/ }).click();
          const filter = page.getByLabel("Framework", { exact: true });
          assert.equal(await filter.inputValue(), "sox_itgc");
          // The user's choice wins: all frameworks.
          await Promise.all([
            page.waitForResponse((r) =>
              r.url().includes("/analysis/findings?") && !r.url().includes("framework=")
            ),
            filter.selectOption(""),
          ]);
          assert.equal(await filter.inputValue(), "");
          await assertAccessible(page, "analysis-findings-default-framework");
        },
      );

      await t.step(
        "an admin disables a check and tunes its parameters in the catalog; a viewer only reads them",
        async () => {
          await owner.goto(`/app/analysis?instance=${instanceId}&tab=catalog`);
          const catalog = owner.getByRole("table", { name: "Check catalog" });
          await owner.getByLabel("Search the catalog").fill("identity_privileged_account_dormant");
          await catalog.getByRole("button", { name: /^Settings of / }).first().click();
          const dialog = owner.getByRole("dialog");
          const days = dialog.getByLabel("days", { exact: true });
          await days.waitFor();
          assert.equal(await days.inputValue(), "90");
          await assertAccessible(owner, "analysis-check-settings");

          // Out of bounds: said next to the field, nothing saved.
          await days.fill("0");
          await dialog.getByRole("button", { name: "Save settings" }).click();
          await dialog.getByText("Must be from 1 to 3650.").waitFor();

          await days.fill("30");
          await dialog.getByLabel("roles", { exact: true }).fill(
            "admin\nsecurity_admin\nitil_admin",
          );
          await dialog.getByRole("switch", { name: "Evaluate this check in runs" }).uncheck();
          await dialog.getByRole("button", { name: "Save settings" }).click();
          await owner.getByText(/saved; they apply from the next run/).waitFor();
          await dialog.getByText("Set for this check", { exact: false }).first().waitFor();
          await dialog.getByRole("button", { name: "Cancel" }).click();

          const row = catalog.getByRole("row", {
            name: /Privileged accounts with no recent login/,
          });
          await row.getByText("Disabled").waitFor();
          await row.getByText("Customized").waitFor();
          const detail = await api(
            e2e.url,
            ownerToken,
            "GET",
            `/analysis/catalog/identity_privileged_account_dormant?org_id=${e2e.demo.orgId}`,
          );
          assert.equal(detail.data.enabled, false);
          assert.deepEqual(
            detail.data.parameters.map((p: { name: string; value: unknown }) => [p.name, p.value]),
            [["days", 30], ["roles", ["admin", "security_admin", "itil_admin"]]],
          );

          // A viewer sees the values, with no way to change them.
          const viewer = await e2e.newPage();
          await signIn(viewer, ...await joinByInvitation(e2e.url, ownerToken, e2e.demo.orgId));
          await viewer.goto(`/app/analysis?instance=${instanceId}&tab=catalog`);
          await viewer.getByLabel("Search the catalog").fill("identity_privileged_account_dormant");
          await viewer.getByRole("table", { name: "Check catalog" })
            .getByRole("button", { name: /^Parameters of / }).first().click();
          const readOnly = viewer.getByRole("dialog");
          await readOnly.getByText("Only an admin or owner can change how this check runs.")
            .waitFor();
          assert.equal(await readOnly.getByLabel("days", { exact: true }).inputValue(), "30");
          assert.equal(await readOnly.getByRole("button", { name: "Save settings" }).count(), 0);

          // Back to the catalog's defaults, enabled again.
          await catalog.getByRole("button", { name: /^Settings of / }).first().click();
          await dialog.getByRole("button", { name: "Restore defaults" }).click();
          await owner.getByText(/uses its default parameters again/).waitFor();
          await dialog.getByRole("switch", { name: "Evaluate this check in runs" }).check();
          await dialog.getByRole("button", { name: "Save settings" }).click();
          await owner.getByText(/saved; they apply from the next run/).last().waitFor();
          await dialog.getByRole("button", { name: "Cancel" }).click();
          await row.getByText("Enabled").waitFor();
          assert.equal(await row.getByText("Customized").count(), 0);
        },
      );

      await t.step(
        "an instance never analysed shows the catalog and custom checks already",
        async () => {
          const created = await api(e2e.url, ownerToken, "POST", "/instances", {
            org_id: e2e.demo.orgId,
            name: "Initech (not analysed)",
            url: `${e2e.url}/snow-sim/acme`,
            credentials: {
              type: "basic",
              username: "complianceiq.integration",
              password: "integration-password",
            },
            // Not synced yet either (a new instance syncs by itself unless told not to).
            start_sync: false,
          });
          const fresh = created.data.id as string;
          try {
            await owner.goto(`/app/analysis?instance=${fresh}&tab=findings`);
            await owner.getByText("Not analysed yet").waitFor();
            assert.equal(await owner.getByRole("tab", { name: /Findings/ }).count(), 0);
            await owner.getByRole("tab", { name: "Catalog" }).waitFor();
            await owner.getByRole("table", { name: "Check catalog" }).getByRole("row").nth(1)
              .waitFor();
            await owner.getByRole("tab", { name: "Custom checks" }).click();
            await owner.getByRole("table", { name: "Custom checks" }).waitFor();
            await assertAccessible(owner, "analysis-not-analysed-catalog");
          } finally {
            await api(e2e.url, ownerToken, "DELETE", `/instances/${fresh}`);
          }
        },
      );

      await t.step("the page passes axe in dark mode", async () => {
        const dark = await e2e.newPage({ colorScheme: "dark" });
        await signIn(dark, e2e.demo.email, e2e.demo.password);
        await dark.goto(`/app/analysis?instance=${instanceId}`);
        await dark.getByTestId("score-overall").waitFor();
        await assertAccessible(dark, "analysis-summary-dark");
        await dark.getByRole("tab", { name: /Checks/ }).click();
        await dark.getByRole("table", { name: "Checks of this run" }).waitFor();
        await assertAccessible(dark, "analysis-checks-dark");
      });
      assert.deepEqual(e2e.pageErrors, []);
    } finally {
      await e2e.close();
    }
  },
});
