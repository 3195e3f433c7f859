// At 390 px (a phone) no page of the app scrolls sideways: the document is no
// wider than the viewport, and no element sticks out past it, even when an
// ancestor clips it (content cut off is as bad as a page that scrolls), unless
// it sits in a region that scrolls horizontally. The findings of the Analysis
// page are stacked cards on a phone, with their status and severity in view.
import assert from "node:assert/strict";
import type { Page } from "playwright-core";
import {
  announceSkip,
  assertAccessible,
  chromiumAvailable,
  screenshot,
  signIn,
  startE2e,
} from "./_harness.ts";
import { apiToken as token, callApi as api, settle } from "./_api.ts";

announceSkip(import.meta.url);

const PHONE = { width: 390, height: 844 };

/** Elements past the right edge of the viewport that no horizontally scrolling region holds. */
function offenders(page: Page): Promise<string[]> {
  return page.evaluate(() => {
    const width = globalThis.innerWidth;
    const found: string[] = [];
    const scrollsSideways = (el: Element) => {
      const style = getComputedStyle(el);
      return (style.overflowX === "auto" || style.overflowX === "scroll") &&
        el !== document.documentElement && el !== document.body;
    };
    for (const el of Array.from(document.body.querySelectorAll("*"))) {
      const rect = el.getBoundingClientRect();
      if (rect.width === 0 || rect.height === 0 || rect.right <= width + 1) continue;
      const style = getComputedStyle(el);
      if (style.visibility === "hidden" || style.position === "fixed") continue;
      let inside = false;
      for (let p = el.parentElement; p && !inside; p = p.parentElement) inside = scrollsSideways(p);
      if (inside) continue;
      const name = el.tagName.toLowerCase() +
        (el.id ? `#${el.id}` : "") +
        (el.getAttribute("data-testid") ? `[data-testid=${el.getAttribute("data-testid")}]` : "");
      found.push(`${name} ends at ${Math.round(rect.right)} px`);
    }
    const doc = document.scrollingElement ?? document.documentElement;
    if (doc.scrollWidth > doc.clientWidth) {
      found.push(`the page is ${doc.scrollWidth} px wide in ${doc.clientWidth} px`);
    }
    return found.slice(0, 10);
  });
}

/**
 * Visible tables that scroll sideways in their own region (their caption and
 * widths): on a phone a list's tables stack their rows as cards instead.
 */
function scrollingTables(page: Page): Promise<string[]> {
  return page.evaluate(() =>
    Array.from(document.querySelectorAll("table")).flatMap((table) => {
      if (!table.checkVisibility()) return [];
      const region = table.parentElement;
      if (!region || region.scrollWidth <= region.clientWidth + 1) return [];
      const name = table.caption?.textContent?.trim() ?? "(no caption)";
      return [`${name}: ${region.scrollWidth} px in ${region.clientWidth} px`];
    })
  );
}

async function assertFits(page: Page, what: string): Promise<void> {
  const found = await offenders(page);
  assert.deepEqual(found, [], `${what} at 390 px: ${found.join("; ")}`);
}

/** A page of the app and what shows it has loaded. */
interface PageCase {
  name: string;
  path: string;
  ready: (page: Page) => Promise<unknown>;
}

const PAGES: PageCase[] = [
  {
    name: "Dashboard",
    path: "/app/dashboard",
    ready: async (page) => {
      await page.getByRole("heading", { name: "Fix these first" }).waitFor({ timeout: 30_000 });
      await page.getByRole("img", { name: "Framework readiness" }).waitFor();
      // The chart draws after Chart.js has loaded.
      await page.getByRole("img", { name: "Framework readiness" }).locator("xpath=..")
        .getByText("Drawing chart").waitFor({ state: "detached" });
    },
  },
  {
    name: "Insights",
    path: "/app/insights",
    ready: async (page) => {
      await page.getByRole("img", { name: "Score per analysis" }).waitFor({ timeout: 30_000 });
      await page.getByRole("heading", { name: "Compare two runs" }).waitFor();
    },
  },
  {
    name: "Reports",
    path: "/app/reports",
    ready: (page) => page.getByRole("table", { name: "Generated files" }).waitFor(),
  },
  {
    name: "Widgets",
    path: "/app/widgets",
    ready: (page) => page.getByRole("heading", { name: "Templates" }).waitFor(),
  },
  {
    name: "Notification settings",
    path: "/app/settings/notifications",
    ready: async (page) => {
      await page.getByRole("list", { name: "Notification channels" }).waitFor();
      await page.getByText("No alerts sent yet").waitFor();
    },
  },
  {
    name: "Team",
    path: "/app/team",
    ready: async (page) => {
      await page.getByRole("list", { name: /^Members of/ }).waitFor();
      await page.getByRole("list", { name: /^Invitations to/ }).waitFor();
    },
  },
  {
    name: "Billing",
    path: "/app/billing",
    ready: async (page) => {
      await page.getByTestId("current-plan").waitFor();
      await page.getByText("No invoices yet").waitFor();
    },
  },
  {
    name: "API keys",
    path: "/app/settings/api-keys",
    ready: (page) => page.getByRole("list", { name: /^API keys of/ }).waitFor(),
  },
  {
    name: "Audit log",
    path: "/app/settings/audit",
    ready: async (page) => {
      await page.getByText("The audit chain verifies").waitFor({ timeout: 30_000 });
      await page.getByTestId("audit-entries").waitFor();
    },
  },
  {
    name: "Instances",
    path: "/app/instances",
    ready: (page) => page.getByRole("list", { name: /^ServiceNow instances of/ }).waitFor(),
  },
];

const slug = (name: string) => name.toLowerCase().replaceAll(" ", "-");

Deno.test({
  name: "web at 390 px: every page fits the phone; findings are stacked cards",
  ignore: !chromiumAvailable,
  async fn(t) {
    const e2e = await startE2e();
    try {
      const context = await e2e.browser.newContext({
        baseURL: e2e.url,
        viewport: PHONE,
        reducedMotion: "reduce",
      });
      context.setDefaultTimeout(15_000);
      const page = await context.newPage();
      const errors: string[] = [];
      page.on("pageerror", (error) => errors.push(error.message));
      await signIn(page, e2e.demo.email, e2e.demo.password);
      const bearer = await token(e2e.url, e2e.demo.email, e2e.demo.password);
      const orgId = e2e.demo.orgId;
      const instance = (await api(e2e.url, bearer, "GET", `/instances?org_id=${orgId}`))
        .data[0] as { id: string };
      await settle(e2e.url, bearer, instance.id);
      // Rows in the tables a new organization has empty.
      await api(e2e.url, bearer, "POST", `/organizations/${orgId}/api-keys`, {
        name: "Nightly SIEM export of every failing finding",
        role: "viewer",
      });
      await api(e2e.url, bearer, "POST", `/organizations/${orgId}/invitations`, {
        email: "a.very.long.address.for.a.phone@compliance.example.test",
        role: "analyst",
      });
      await api(e2e.url, bearer, "POST", `/notifications/${orgId}/channels`, {
        name: "Security team mailbox",
        kind: "email",
        emails: ["security-team@compliance.example.test"],
      });
      await api(e2e.url, bearer, "POST", "/reports/exports", {
        spec: {
          title: "Findings",
          scope: { org_id: orgId, instance_id: instance.id },
          sections: ["findings"],
        },
        format: "csv",
      });

      await t.step("Analysis: the findings are cards showing status and severity", async () => {
        await page.goto(`/app/analysis?instance=${instance.id}`);
        await page.getByTestId("score-overall").waitFor({ timeout: 30_000 });
        await assertFits(page, "Analysis summary");
        // Every tab is in view: the strip wraps instead of hiding tabs past the edge.
        for (const tab of await page.getByRole("tab").all()) {
          const box = (await tab.boundingBox())!;
          assert.ok(box.x >= 0 && box.x + box.width <= PHONE.width, `${await tab.textContent()}`);
        }
        await page.getByRole("tab", { name: /Findings/ }).click();
        const cards = page.getByRole("list", { name: "Findings" }).getByRole("listitem");
        await cards.first().waitFor();
        assert.equal(await page.getByRole("table", { name: "Findings" }).isVisible(), false);
        await assertFits(page, "Analysis findings");
        const first = cards.first();
        const facts = await first.locator("dl").evaluate((dl) =>
          Object.fromEntries(
            Array.from(dl.querySelectorAll("dt")).map((dt) => [
              dt.textContent,
              dt.nextElementSibling?.textContent,
            ]),
          )
        );
        assert.match(facts.Severity ?? "", /^(Critical|High|Medium|Low|Info)$/);
        assert.match(facts.Status ?? "", /^(Fail|Pass|Not evaluated|Muted)$/);
        assert.equal(facts.Triage, "Open");
        // Status and severity are in view, not past the right edge.
        for (const term of ["Severity", "Status"]) {
          const box = (await first.locator("dd").nth(term === "Severity" ? 0 : 1).boundingBox())!;
          assert.ok(box.x + box.width <= PHONE.width, `${term} ends at ${box.x + box.width} px`);
        }
        // Selection for the bulk actions.
        await first.getByRole("checkbox").check();
        await page.getByText("1 selected").waitFor();
        // The keyboard opens the finding's drawer from the card's title.
        const title = (await first.getByRole("button").textContent())!.trim();
        await first.getByRole("button").focus();
        await page.keyboard.press("Enter");
        const drawer = page.getByRole("dialog", { name: "Finding" });
        await drawer.getByText(title).first().waitFor();
        await page.keyboard.press("Escape");
        await drawer.waitFor({ state: "hidden" });
        await screenshot(page, "phone-analysis-findings");
        await assertAccessible(page, "phone-analysis-findings");
        await first.getByRole("checkbox").uncheck();

        await page.getByRole("tab", { name: /Checks/ }).click();
        await page.getByRole("list", { name: "Checks of this run" }).waitFor();
        await assertFits(page, "Analysis checks");
        assert.deepEqual(await scrollingTables(page), []);
        await screenshot(page, "phone-analysis-checks");
        await page.getByRole("tab", { name: "Catalog" }).click();
        await page.getByRole("list", { name: "Check catalog" }).waitFor();
        await assertFits(page, "Analysis catalog");
        assert.deepEqual(await scrollingTables(page), []);
        await screenshot(page, "phone-analysis-catalog");
        await page.getByRole("tab", { name: "Custom checks" }).click();
        await page.getByText("No custom checks yet").waitFor();
        await assertFits(page, "Analysis custom checks");
        await screenshot(page, "phone-analysis-custom");
      });

      for (const c of PAGES) {
        await t.step(c.name, async () => {
          await page.goto(c.path);
          await c.ready(page);
          await assertFits(page, c.name);
          assert.deepEqual(await scrollingTables(page), [], `${c.name}: tables scroll sideways`);
          await screenshot(page, `phone-${slug(c.name)}`);
          await assertAccessible(page, `phone-${slug(c.name)}`);
        });
      }
      await context.close();
      assert.deepEqual(errors, []);
    } finally {
      await e2e.close();
    }
  },
});
