// The Analysis page as a security lead reads it: one headline score with how
// it is computed, the same check count everywhere, findings grouped by check
// with the total, bulk triage and mute, framework names, links to the record
// in ServiceNow, a drawer wide enough for evidence, nothing wider than a phone;
// and a new instance that syncs and is analysed with no other click.
import assert from "node:assert/strict";
import type { Page } from "playwright-core";
import {
  announceSkip,
  assertAccessible,
  chromiumAvailable,
  SCREENSHOT_DIR,
  signIn,
  startE2e,
} from "./_harness.ts";
import { apiToken as token, callApi as api, settle } from "./_api.ts";

announceSkip(import.meta.url);

/** A full-page screenshot; long pages on a busy machine get more time than the default. */
async function screenshot(page: Page, name: string, fullPage = true): Promise<void> {
  await Deno.mkdir(SCREENSHOT_DIR, { recursive: true });
  await page.screenshot({
    path: `${SCREENSHOT_DIR}${name}.png`,
    fullPage,
    animations: "disabled",
    timeout: 60_000,
  });
}

/** The page is no wider than its viewport. */
async function assertNoOverflow(page: Page, what: string): Promise<void> {
  const { scroll, width } = await page.evaluate(() => ({
    scroll: document.documentElement.scrollWidth,
    width: globalThis.innerWidth,
  }));
  assert.ok(scroll <= width, `${what}: the page is ${scroll}px wide in a ${width}px viewport`);
}

Deno.test({
  name:
    "web analysis, made readable: headline score, consistent counts, findings by check, bulk triage and mute, record links, phone width, first run",
  ignore: !chromiumAvailable,
  async fn(t) {
    const e2e = await startE2e();
    try {
      const bearer = await token(e2e.url, e2e.demo.email, e2e.demo.password);
      const instances = await api(e2e.url, bearer, "GET", `/instances?org_id=${e2e.demo.orgId}`);
      const instance = instances.data[0] as { id: string; url: string };
      await settle(e2e.url, bearer, instance.id);
      const runs = (await api(e2e.url, bearer, "GET", `/analysis/runs?instance_id=${instance.id}`))
        .data;
      const run = (await api(e2e.url, bearer, "GET", `/analysis/runs/${runs[0].id}`)).data;

      const page = await e2e.newPage();
      await signIn(page, e2e.demo.email, e2e.demo.password);

      await t.step("one headline score, how it is computed, and one count of checks", async () => {
        await page.goto(`/app/analysis?instance=${instance.id}`);
        const headline = page.getByTestId("score-overall");
        await headline.getByRole("heading", { name: "Overall score" }).waitFor();
        assert.match(await headline.innerText(), new RegExp(`\\b${run.scores.overall.score}\\b`));
        await headline.getByText("How is this computed?").click();
        await headline.getByText(/risk of the checks that pass/).waitFor();
        const ran = `${run.checks_total} checks ran`;
        await headline.getByText(ran, { exact: false }).first().waitFor();
        const checksCard = page.getByRole("heading", { name: "Checks", exact: true })
          .locator("xpath=ancestor::section");
        assert.match(await checksCard.innerText(), new RegExp(ran));
        const tab = await page.getByRole("tab", { name: /Checks/ }).innerText();
        assert.equal(
          Number(/(\d+)\s*$/.exec(tab)?.[1]),
          run.checks_total,
          `the Checks tab: ${tab}`,
        );
        // Coloured by value: the band's name is said next to the number.
        assert.match(await headline.innerText(), /Good|Fair|Weak|Poor/);
        await screenshot(page, "analysis-readable-summary-desktop");
        await assertAccessible(page, "analysis-readable-summary");
      });

      await t.step(
        "findings grouped by check with the total, and a link to the record",
        async () => {
          await page.getByRole("tab", { name: /Findings/ }).click();
          const groups = page.getByRole("navigation", { name: "Findings by check" });
          await groups.getByText(`${run.summary.findings.failing} findings in`).waitFor();
          const first = groups.getByRole("listitem").nth(1).getByRole("button");
          const label = await first.innerText();
          const count = Number(/(\d+)\s*affected resources/.exec(label)?.[1]);
          assert.ok(count > 0, label);
          await first.click();
          await page.getByTestId("findings-shown").getByText(new RegExp(`of ${count} finding`))
            .waitFor();
          const link = page.getByRole("table", { name: "Findings" })
            .getByRole("link", { name: /Open in ServiceNow/ }).first();
          if (await link.count() > 0) {
            assert.match(
              (await link.getAttribute("href")) ?? "",
              new RegExp(
                `^${
                  instance.url.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&")
                }/[a-z0-9_]+\\.do\\?sys_id=[0-9a-f]{32}$`,
              ),
            );
          }
          await groups.getByRole("button", { name: /All checks/ }).click();
          await screenshot(page, "analysis-readable-findings-desktop", false);
          await assertAccessible(page, "analysis-readable-findings");
        },
      );

      await t.step("the finding drawer: wide, framework names, no placeholder left", async () => {
        await page.getByRole("table", { name: "Findings" }).getByRole("button").first().click();
        const drawer = page.getByRole("dialog", { name: "Finding" });
        await drawer.getByRole("heading", { name: "Remediation" }).waitFor();
        const box = await drawer.boundingBox();
        assert.ok(box && box.width >= 540, `the drawer is ${box?.width}px wide`);
        const text = await drawer.innerText();
        assert.doesNotMatch(text, /<resource>|<table>/);
        assert.doesNotMatch(text, /Maps to [a-z0-9_]+_[a-z0-9]+ /, "framework names, not ids");
        await screenshot(page, "analysis-readable-drawer-desktop", false);
        await assertAccessible(page, "analysis-readable-drawer");
        await drawer.getByRole("button", { name: "Close" }).click();
      });

      await t.step("bulk triage and bulk mute of selected findings", async () => {
        const table = page.getByRole("table", { name: "Findings" });
        const boxes = table.getByRole("checkbox");
        await boxes.nth(0).check();
        await boxes.nth(1).check();
        const bar = page.getByRole("group", { name: "Change the selected findings" });
        await bar.getByText("2 selected").waitFor();
        await bar.getByLabel("Set triage to").selectOption("remediating");
        await bar.getByRole("button", { name: "Apply" }).click();
        await page.getByRole("status").filter({ hasText: "2 findings set to remediating" })
          .waitFor();
        // The list reloads, then the selection clears: select again only after that.
        await bar.getByText("0 selected").waitFor();
        const remediating = await api(
          e2e.url,
          bearer,
          "GET",
          `/analysis/findings?run_id=${run.id}&triage=remediating`,
        );
        assert.equal(remediating.data.length, 2);

        await boxes.nth(2).check();
        await bar.getByRole("button", { name: "Mute selected" }).click();
        const dialog = page.getByRole("dialog", { name: "Mute 1 finding" });
        await dialog.getByLabel("Reason").fill("Service account, reviewed quarterly");
        await assertAccessible(page, "analysis-readable-bulk-mute");
        await dialog.getByRole("button", { name: "Mute findings" }).click();
        await page.getByRole("status").filter({ hasText: "1 finding muted" }).waitFor();
      });

      await t.step("nothing is wider than a phone (390 px)", async () => {
        const context = await e2e.browser.newContext({
          baseURL: e2e.url,
          viewport: { width: 390, height: 844 },
          reducedMotion: "reduce",
        });
        context.setDefaultTimeout(10_000);
        const phone = await context.newPage();
        await signIn(phone, e2e.demo.email, e2e.demo.password);
        await phone.goto(`/app/analysis?instance=${instance.id}`);
        await phone.getByTestId("score-overall").waitFor();
        await assertNoOverflow(phone, "summary");
        await screenshot(phone, "analysis-readable-summary-phone");
        await phone.getByRole("tab", { name: /Findings/ }).click();
        await phone.getByRole("navigation", { name: "Findings by check" }).waitFor();
        // A phone shows the findings as cards, not the table.
        await phone.getByRole("list", { name: "Findings" }).getByRole("button").first().waitFor();
        await assertNoOverflow(phone, "findings");
        await screenshot(phone, "analysis-readable-findings-phone");
        await assertAccessible(phone, "analysis-readable-findings-phone");
        await phone.getByRole("tab", { name: /Checks/ }).click();
        await phone.getByRole("list", { name: "Checks of this run" }).waitFor();
        await assertNoOverflow(phone, "checks");
        await context.close();
      });

      await t.step(
        "a new instance syncs and is analysed without another click; the page follows",
        async () => {
          const added = await api(e2e.url, bearer, "POST", "/instances", {
            org_id: e2e.demo.orgId,
            name: "First run",
            url: `${e2e.url}/snow-sim/acme`,
            credentials: {
              type: "basic",
              username: "complianceiq.integration",
              password: "integration-password",
            },
          });
          assert.equal(added.sync?.trigger, "setup", JSON.stringify(added.sync));
          await page.goto(`/app/analysis?instance=${added.data.id}`);
          // Progress while the first sync and then the analysis run; no reload, no click.
          await page.getByTestId("activity").waitFor({ timeout: 30_000 });
          await screenshot(page, "analysis-readable-first-run");
          await page.getByTestId("score-overall").waitFor({ timeout: 180_000 });
          // The progress goes away by itself once the results are loaded.
          await page.getByTestId("activity").waitFor({ state: "detached", timeout: 30_000 });
          assert.equal(e2e.pageErrors.length, 0, e2e.pageErrors.join("\n"));
        },
      );
    } finally {
      await e2e.close();
    }
  },
});
