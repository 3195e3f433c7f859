import assert from "node:assert/strict";
import type { Download, Page } from "playwright-core";
import { announceSkip, chromiumAvailable, openFromSidebar, signIn, startE2e } from "./_harness.ts";
import { apiToken as token, callApi as api, checkWidths, settle } from "./_api.ts";

announceSkip(import.meta.url);

async function bytesOf(download: Download): Promise<Uint8Array> {
  return await Deno.readFile(await download.path());
}

const ascii = (bytes: Uint8Array, n: number) => new TextDecoder().decode(bytes.slice(0, n));

/** Generates the builder's report in `format` and downloads it from the builder. */
async function generateAndDownload(page: Page, format: string): Promise<Uint8Array> {
  await page.getByRole("radio", { name: new RegExp(`^${format}`) }).check();
  await page.getByRole("button", { name: "Generate now" }).click();
  const status = page.getByTestId("builder-file");
  await status.getByText(new RegExp(`\\(${format}\\)`)).waitFor();
  const button = status.getByRole("button", { name: `Download ${format}` });
  await button.waitFor({ timeout: 120_000 });
  const [download] = await Promise.all([page.waitForEvent("download"), button.click()]);
  return await bytesOf(download);
}

Deno.test({
  name:
    "web reports: build a framework report with a preview, generate PDF and Excel, download, share and revoke, schedule monthly, export findings",
  ignore: !chromiumAvailable,
  async fn(t) {
    const e2e = await startE2e();
    try {
      const bearer = await token(e2e.url, e2e.demo.email, e2e.demo.password);
      const instanceId = (await api(e2e.url, bearer, "GET", `/instances?org_id=${e2e.demo.orgId}`))
        .data[0].id as string;
      await settle(e2e.url, bearer, instanceId);

      const page = await e2e.newPage();
      await signIn(page, e2e.demo.email, e2e.demo.password);
      await openFromSidebar(page, "Reports");

      await t.step("no saved reports or files yet: empty states", async () => {
        await page.getByText("No saved reports yet").waitFor();
        await page.getByText("No files yet").waitFor();
      });

      await t.step("build a SOC 2 report: the preview follows the choices", async () => {
        await page.getByLabel("Report name").fill("SOC 2 monthly");
        await page.getByLabel("Title on the document").fill("SOC 2 attestation — Ærø");
        await page.getByLabel("Framework", { exact: true }).selectOption("soc2_2017");
        for (const section of ["Changes since the previous run", "Sync coverage"]) {
          await page.getByRole("checkbox", { name: new RegExp(`^${section}`) }).uncheck();
        }
        const preview = page.getByTestId("report-preview");
        await preview.getByText("SOC 2 attestation — Ærø").waitFor();
        await preview.getByText(/^SOC 2 Trust Services Criteria/).waitFor();
        await preview.getByTestId("preview-score").waitFor();
        await preview.getByText("Framework attestation").waitFor();
        assert.equal(await preview.getByText("Sync coverage").count(), 0);
        await checkWidths(page, "reports-builder");
      });

      await t.step("generate a PDF with progress and download it", async () => {
        const pdf = await generateAndDownload(page, "PDF");
        assert.equal(ascii(pdf, 5), "%PDF-");
      });

      await t.step("generate an Excel workbook and download it", async () => {
        const xlsx = await generateAndDownload(page, "Excel");
        assert.equal(ascii(xlsx, 2), "PK");
      });

      await t.step("save the report", async () => {
        await page.getByRole("button", { name: "Save report" }).click();
        await page.getByRole("list", { name: "Saved reports" }).getByText("SOC 2 monthly")
          .waitFor();
      });

      await t.step("share a file outside the organization, then revoke the link", async () => {
        const files = page.getByRole("table", { name: "Generated files" });
        await files.getByRole("button", { name: /^Share .*\.xlsx$/ }).click();
        const dialog = page.getByRole("dialog", { name: "Share this file" });
        await dialog.getByLabel("Expires after").selectOption("7");
        await dialog.getByLabel("For whom").fill("External auditor");
        await dialog.getByRole("button", { name: "Create share link" }).click();
        const link = await dialog.getByLabel("Share link (shown once)").inputValue();
        const shared = await fetch(link);
        assert.equal(shared.status, 200);
        assert.equal(ascii(new Uint8Array(await shared.arrayBuffer()), 2), "PK");
        await dialog.getByRole("button", { name: "Revoke External auditor" }).click();
        await dialog.getByText("Revoked").waitFor();
        const revoked = await fetch(link);
        await revoked.body?.cancel();
        assert.equal(revoked.status, 404);
        await checkWidths(page, "reports-share");
        await page.keyboard.press("Escape");
      });

      await t.step("schedule the saved report monthly", async () => {
        await page.getByRole("button", { name: "Schedule SOC 2 monthly" }).click();
        const dialog = page.getByRole("dialog", { name: /Schedule/ });
        await dialog.getByLabel("Frequency").selectOption("monthly");
        await dialog.getByLabel("Recipients").fill("not-an-address");
        await dialog.getByRole("button", { name: "Save schedule" }).click();
        await dialog.getByText("Not an email address: not-an-address").waitFor();
        await dialog.getByLabel("Recipients").fill("ciso@example.test");
        await dialog.getByRole("button", { name: "Save schedule" }).click();
        await page.getByText("Monthly to 1 recipient").waitFor();
        const saved =
          (await api(e2e.url, bearer, "GET", `/reports/definitions?org_id=${e2e.demo.orgId}`))
            .data[0];
        assert.equal(saved.schedule, "monthly");
        assert.deepEqual(saved.recipients, ["ciso@example.test"]);
        await checkWidths(page, "reports");
      });

      await t.step("export the filtered findings list as CSV", async () => {
        await openFromSidebar(page, "Analysis");
        await page.getByRole("tab", { name: /Findings/ }).click();
        await page.getByLabel("Severity").selectOption("high");
        await page.getByRole("table", { name: "Findings" }).locator("tbody tr").first().waitFor();
        await page.getByRole("button", { name: "Export findings" }).click();
        await page.getByRole("menuitem", { name: "CSV" }).click();
        const button = page.getByRole("button", { name: "Download CSV" });
        await button.waitFor({ timeout: 120_000 });
        const [download] = await Promise.all([page.waitForEvent("download"), button.click()]);
        const text = new TextDecoder().decode(await bytesOf(download)).replace(/^\uFEFF/, "");
        const rows = text.trim().split("\r\n").map((line) => line.split(","));
        const severity = rows[0]!.indexOf("Severity");
        assert.ok(rows.length > 1, "the export has findings");
        assert.ok(rows.slice(1).every((r) => r[severity] === "high"), "only the high findings");
      });

      await t.step("export a framework view as PDF", async () => {
        await page.getByRole("tab", { name: "Summary" }).click();
        await page.getByRole("button", { name: /^SOC 2 Trust Services/ }).first().click();
        const dialog = page.getByRole("dialog");
        await dialog.getByRole("button", { name: "Export framework report" }).click();
        await page.getByRole("menuitem", { name: "PDF" }).click();
        const button = dialog.getByRole("button", { name: "Download PDF" });
        await button.waitFor({ timeout: 120_000 });
        const [download] = await Promise.all([page.waitForEvent("download"), button.click()]);
        assert.equal(ascii(await bytesOf(download), 5), "%PDF-");
      });
      assert.deepEqual(e2e.pageErrors, []);
    } finally {
      await e2e.close();
    }
  },
});
