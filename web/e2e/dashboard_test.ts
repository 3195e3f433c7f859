import assert from "node:assert/strict";
import {
  announceSkip,
  chromiumAvailable,
  openFromSidebar,
  startE2e,
  uniqueEmail,
  waitForStartPage,
} from "./_harness.ts";
import { apiToken as token, callApi as api, checkWidths, settle } from "./_api.ts";

announceSkip(import.meta.url);

Deno.test({
  name:
    "web dashboard and insights: empty state for a new organization, posture of the demo organization with live refresh, trends and comparisons",
  ignore: !chromiumAvailable,
  async fn(t) {
    const e2e = await startE2e();
    try {
      await t.step(
        "a new organization lands on a Dashboard that guides it to connect an instance",
        async () => {
          const page = await e2e.newPage();
          await page.goto("/signup");
          await page.getByLabel("Organization name").fill("Fabrikam Security");
          await page.getByLabel("Work email").fill(uniqueEmail("new"));
          await page.getByLabel("Password", { exact: true }).fill("Calm-harbour-lantern-42");
          await page.getByRole("button", { name: "Create account" }).click();
          assert.equal(await waitForStartPage(page), "Dashboard");
          await page.getByRole("heading", { name: "Connect your first ServiceNow instance" })
            .waitFor();
          await page.getByText("snc_read_only").waitFor();
          await page.getByRole("link", { name: "Add an instance" }).waitFor();
          await checkWidths(page, "dashboard-empty");
        },
      );

      const ownerToken = await token(e2e.url, e2e.demo.email, e2e.demo.password);
      const demo = (await api(e2e.url, ownerToken, "GET", `/instances?org_id=${e2e.demo.orgId}`))
        .data[0].id as string;
      await settle(e2e.url, ownerToken, demo);
      // A second instance (the same simulator) and a second run of the first:
      // two instances and two runs to compare, and a trend.
      const second = (await api(e2e.url, ownerToken, "POST", "/instances", {
        org_id: e2e.demo.orgId,
        name: "Staging",
        url: `${e2e.url}/snow-sim/acme`,
        credentials: {
          type: "basic",
          username: "complianceiq.integration",
          password: "integration-password",
        },
      })).data.id as string;
      // Adding it started its first full sync (and the analysis after it) by itself.
      await settle(e2e.url, ownerToken, second);
      await api(e2e.url, ownerToken, "POST", "/analysis/runs", { instance_id: demo });
      await settle(e2e.url, ownerToken, demo, 2);

      const owner = await e2e.newPage();
      await owner.goto("/login");
      await owner.getByLabel("Work email").fill(e2e.demo.email);
      await owner.getByLabel("Password", { exact: true }).fill(e2e.demo.password);
      await owner.getByRole("button", { name: "Sign in" }).click();
      assert.equal(await waitForStartPage(owner), "Dashboard");

      await t.step(
        "the Dashboard shows scores, what to fix first, charts and instances",
        async () => {
          await owner.getByRole("heading", { name: "Fix these first" }).waitFor();
          await owner.getByText("Posture score", { exact: true }).waitFor();
          await owner.getByRole("img", { name: "Score trend" }).waitFor();
          await owner.getByRole("img", { name: "Framework readiness" }).waitFor();
          await owner.getByRole("link", { name: "Staging" }).waitFor();
          await checkWidths(owner, "dashboard");
        },
      );

      await t.step("a run finishing refreshes the Dashboard by itself", async () => {
        await api(e2e.url, ownerToken, "POST", "/analysis/runs", { instance_id: second });
        await owner.getByText("A sync or analysis is running").waitFor({ timeout: 30_000 });
        await owner.getByText("A sync or analysis is running").waitFor({
          state: "detached",
          timeout: 240_000,
        });
        await owner.getByRole("heading", { name: "Fix these first" }).waitFor();
      });

      await t.step("a check to fix first links into its findings", async () => {
        const first = owner.getByRole("heading", { name: "Fix these first" }).locator(
          "xpath=../../..",
        )
          .getByRole("link").first();
        await first.click();
        await owner.waitForURL(/\/app\/analysis\?.*tab=findings/);
      });

      await t.step(
        "Insights: trends with a range, two runs and two instances compared",
        async () => {
          await openFromSidebar(owner, "Insights");
          await owner.getByRole("img", { name: "Score per analysis" }).waitFor();
          await owner.getByLabel("Range").selectOption("30");
          await owner.getByRole("img", { name: "Findings opened and resolved per week" }).waitFor();
          await owner.getByRole("heading", { name: "Compare two runs" }).waitFor();
          await owner.getByText(/Checks that changed verdict \(\d+\)/).waitFor({ timeout: 20_000 });
          await owner.getByText(/\d+ of \d+\s+checks differ/).waitFor({ timeout: 20_000 });
          await owner.getByLabel("Show").selectOption("all");
          await owner.getByRole("table", { name: /Checks of/ }).getByRole("row").nth(20).waitFor();
          // Back to the differences: a full-page screenshot of every check is slow.
          await owner.getByLabel("Show").selectOption("differences");
          await owner.getByText(/\d+ of \d+\s+checks differ/).waitFor();
          await checkWidths(owner, "insights");
        },
      );
      assert.deepEqual(e2e.pageErrors, []);
    } finally {
      await e2e.close();
    }
  },
});
