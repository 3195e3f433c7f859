import assert from "node:assert/strict";
import {
  announceSkip,
  assertAccessible,
  chromiumAvailable,
  SCREENSHOT_DIR,
  startE2e,
} from "./_harness.ts";

announceSkip(import.meta.url);

Deno.test({
  name: "API reference: every function's routes with their auth, permission and schemas",
  ignore: !chromiumAvailable,
  async fn() {
    const e2e = await startE2e();
    try {
      const page = await e2e.newPage();
      await page.goto("/api-reference");
      await page.getByRole("heading", { level: 1, name: "API reference" }).waitFor();
      const nav = page.getByRole("navigation", { name: "Functions" });
      await nav.waitFor();
      for (const name of ["organizations", "instances", "analysis", "tasks"]) {
        assert.ok(await nav.getByRole("link", { name: new RegExp(name, "i") }).count() === 1);
      }
      const triage = page.locator("#putAnalysisFindingsFindingIdTriage");
      await triage.getByText("findings.triage", { exact: true }).waitFor();
      await triage.getByText("Signed-in user").waitFor();
      await triage.getByText(/Request body/).click();
      await triage.getByText('"state"').first().waitFor();
      await page.locator("#postTasksQstash").getByText("QStash only").waitFor();
      await assertAccessible(page, "api-reference");
      // The page is long: the first screen is what a reader sees.
      await Deno.mkdir(SCREENSHOT_DIR, { recursive: true });
      await page.screenshot({ path: `${SCREENSHOT_DIR}api-reference.png`, animations: "disabled" });
    } finally {
      await e2e.close();
    }
  },
});
