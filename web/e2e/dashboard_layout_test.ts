import assert from "node:assert/strict";
import type { Page } from "playwright-core";
import {
  announceSkip,
  assertAccessible,
  chromiumAvailable,
  joinByInvitation,
  signIn,
  startE2e,
} from "./_harness.ts";
import { apiToken as token, callApi as api, settle } from "./_api.ts";

const getData = async (url: string, bearer: string, path: string) =>
  (await api(url, bearer, "GET", path)).data;

announceSkip(import.meta.url);

/** Focuses a control and presses Enter: the keyboard, not the mouse. */
async function press(page: Page, name: string): Promise<void> {
  const button = page.getByRole("button", { name, exact: true });
  await button.focus();
  await page.keyboard.press("Enter");
}

/** The tiles' names in reading order. */
function tileNames(page: Page): Promise<string[]> {
  return page.locator("section[data-tile]").evaluateAll((els) =>
    els.map((e) => e.getAttribute("aria-label") ?? "")
  );
}

async function tileWidth(page: Page, name: string): Promise<number> {
  return (await page.locator(`section[data-tile][aria-label="${name}"]`).boundingBox())!.width;
}

Deno.test({
  name:
    "web dashboard layouts: a personal dashboard built with the keyboard, the organization's arranged by an admin and seen by a viewer",
  ignore: !chromiumAvailable,
  async fn(t) {
    const e2e = await startE2e();
    try {
      const ownerToken = await token(e2e.url, e2e.demo.email, e2e.demo.password);
      const demo =
        (await getData(e2e.url, ownerToken, `/instances?org_id=${e2e.demo.orgId}`))[0].id;
      await settle(e2e.url, ownerToken, demo);
      const viewer = await joinByInvitation(e2e.url, ownerToken, e2e.demo.orgId, "viewer");

      const owner = await e2e.newPage();
      assert.equal(await signIn(owner, e2e.demo.email, e2e.demo.password), "Dashboard");
      await owner.getByRole("heading", { name: "Fix these first" }).waitFor();

      await t.step("a personal dashboard: add, resize and reorder with the keyboard", async () => {
        await press(owner, "New personal dashboard");
        await owner.getByLabel("New dashboard's name").fill("My board");
        await owner.keyboard.press("Enter");
        await owner.getByText("No widgets on this dashboard").waitFor();
        await press(owner, "Edit layout");
        for (const widget of ["Posture score", "Score trend"]) {
          await owner.getByLabel("Add a widget").selectOption({ label: widget });
          await press(owner, "Add");
          await owner.locator(`section[data-tile][aria-label="${widget}"]`).waitFor();
        }
        await press(owner, "Wider: Posture score");
        await press(owner, "Wider: Posture score");
        await owner.getByText("6 × 3").waitFor();
        await press(owner, "Move right: Posture score");
        assert.deepEqual(await tileNames(owner), ["Score trend", "Posture score"]);
        await assertAccessible(owner, "dashboard-layout-editing");
        await press(owner, "Save layout");
        await owner.getByRole("button", { name: "Edit layout" }).waitFor();
      });

      await t.step("after a reload the personal dashboard is shown as it was saved", async () => {
        await owner.reload();
        await owner.locator('section[data-tile][aria-label="Posture score"]').waitFor();
        assert.deepEqual(await tileNames(owner), ["Score trend", "Posture score"]);
        const [trend, gauge] = [
          await tileWidth(owner, "Score trend"),
          await tileWidth(owner, "Posture score"),
        ];
        assert.ok(gauge > trend * 1.3, `6 columns (${gauge} px) against 4 (${trend} px)`);
        await owner.setViewportSize({ width: 390, height: 844 });
        await owner.waitForTimeout(300);
        assert.ok(
          Math.abs(
            (await tileWidth(owner, "Score trend")) - (await tileWidth(owner, "Posture score")),
          ) <
            2,
          "one column at phone width",
        );
        const overflow = await owner.evaluate(() => document.documentElement.scrollWidth);
        assert.ok(overflow <= 390, `${overflow} px wide at 390 px`);
        await assertAccessible(owner, "dashboard-layout-personal-390");
        await owner.setViewportSize({ width: 1280, height: 800 });
      });

      await t.step("the admin arranges the organization's dashboard", async () => {
        await owner.getByLabel("Showing").selectOption({ label: "Dashboard (organization)" });
        await owner.getByRole("heading", { name: "Fix these first" }).waitFor();
        await press(owner, "Edit layout");
        await press(owner, "Remove: Sync health");
        await press(owner, "Move up: Instances");
        await press(owner, "Save layout");
        await owner.getByRole("button", { name: "Edit layout" }).waitFor();
        assert.ok(!(await tileNames(owner)).includes("Sync health"));
      });

      await t.step("a viewer sees the organization's dashboard and cannot arrange it", async () => {
        const page = await e2e.newPage({ colorScheme: "dark" });
        assert.equal(await signIn(page, viewer[0], viewer[1]), "Dashboard");
        await page.getByRole("heading", { name: "Fix these first" }).waitFor();
        await page.locator('section[data-tile][aria-label="Instances"]').waitFor();
        const names = await tileNames(page);
        assert.ok(!names.includes("Sync health"), names.join(", "));
        assert.ok(
          names.indexOf("Instances") < names.indexOf("Framework readiness"),
          `the admin moved Instances up: ${names.join(", ")}`,
        );
        assert.equal(await page.getByRole("button", { name: "Edit layout" }).count(), 0);
        assert.ok(
          !(await page.getByLabel("Showing").innerText()).includes("My board"),
          "the owner's personal dashboard is the owner's",
        );
        await assertAccessible(page, "dashboard-layout-viewer-dark");
      });

      await t.step("the owner's dashboards in dark", async () => {
        const page = await e2e.newPage({ colorScheme: "dark" });
        await signIn(page, e2e.demo.email, e2e.demo.password);
        await page.getByLabel("Showing").selectOption({ label: "My board" });
        await page.locator('section[data-tile][aria-label="Posture score"]').waitFor();
        await press(page, "Edit layout");
        await assertAccessible(page, "dashboard-layout-editing-dark");
      });
      assert.deepEqual(e2e.pageErrors, []);
    } finally {
      await e2e.close();
    }
  },
});
