// At 390 px (a phone) the Analysis, Dashboard and Insights pages never scroll
// sideways: wide content (the findings table first of all) scrolls inside its
// own region. Stricter than comparing the document's width: an element that
// sticks out past the viewport fails too, even when an ancestor clips it
// (content cut off is as bad as a page that scrolls), unless it sits in a
// region that scrolls horizontally.
import assert from "node:assert/strict";
import { createClient } from "@supabase/supabase-js";
import type { Page } from "playwright-core";
import {
  announceSkip,
  assertAccessible,
  chromiumAvailable,
  screenshot,
  signIn,
  startE2e,
} from "./_harness.ts";

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
    if (document.documentElement.scrollWidth > width) {
      found.push(`the page is ${document.documentElement.scrollWidth} px wide`);
    }
    return found.slice(0, 10);
  });
}

async function assertFits(page: Page, what: string): Promise<void> {
  const found = await offenders(page);
  assert.deepEqual(found, [], `${what} at 390 px: ${found.join("; ")}`);
}

async function token(url: string, email: string, password: string): Promise<string> {
  const config = await (await fetch(`${url}/app-config.json`)).json() as {
    supabaseAnonKey: string;
  };
  const client = createClient(url, config.supabaseAnonKey, {
    auth: { persistSession: false, autoRefreshToken: false, detectSessionInUrl: false },
  });
  const { data, error } = await client.auth.signInWithPassword({ email, password });
  if (error || !data.session) throw new Error(`Cannot sign in ${email}: ${error?.message}`);
  return data.session.access_token;
}

async function api(url: string, bearer: string, path: string) {
  const res = await fetch(`${url}/functions/v1${path}`, {
    headers: { authorization: `Bearer ${bearer}` },
  });
  if (!res.ok) throw new Error(`GET ${path} answered ${res.status}: ${await res.text()}`);
  return await res.json();
}

/** Waits until the instance has a succeeded analysis and nothing queued or running. */
async function settle(url: string, bearer: string, instanceId: string): Promise<void> {
  for (let i = 0; i < 600; i++) {
    const runs = (await api(url, bearer, `/analysis/runs?instance_id=${instanceId}`)).data;
    const instance = (await api(url, bearer, `/instances/${instanceId}`)).data;
    const busy = runs.some((r: { status: string }) => ["queued", "running"].includes(r.status));
    if (
      !busy && !instance.active_sync &&
      runs.some((r: { status: string }) => r.status === "succeeded")
    ) return;
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
  throw new Error("The demo instance's sync and analysis did not finish");
}

Deno.test({
  name: "web at 390 px: Analysis (findings table in its own scroll region), Dashboard and Insights",
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
      const instance = (await api(e2e.url, bearer, `/instances?org_id=${e2e.demo.orgId}`))
        .data[0] as { id: string };
      await settle(e2e.url, bearer, instance.id);

      await t.step("Analysis: summary, findings and checks", async () => {
        await page.goto(`/app/analysis?instance=${instance.id}`);
        await page.getByTestId("score-overall").waitFor({ timeout: 30_000 });
        await assertFits(page, "Analysis summary");
        await page.getByRole("tab", { name: /Findings/ }).click();
        const table = page.getByRole("table", { name: "Findings" });
        await table.getByRole("button").first().waitFor();
        await assertFits(page, "Analysis findings");
        // The table is wider than a phone and scrolls in its own region, which
        // itself stays inside the viewport.
        const region = await table.evaluate((el) => {
          let p = el.parentElement;
          while (p && !["auto", "scroll"].includes(getComputedStyle(p).overflowX)) {
            p = p.parentElement;
          }
          if (!p) return null;
          const rect = p.getBoundingClientRect();
          return { scroll: p.scrollWidth, client: p.clientWidth, right: rect.right };
        });
        assert.ok(region, "the findings table is not in a scroll region");
        assert.ok(region.right <= PHONE.width, `the region ends at ${region.right} px`);
        assert.ok(
          region.scroll > region.client,
          `the findings table (${region.scroll} px) fits the phone; nothing to scroll`,
        );
        await screenshot(page, "phone-analysis-findings");
        await assertAccessible(page, "phone-analysis-findings");
        await page.getByRole("tab", { name: /Checks/ }).click();
        await page.getByRole("table", { name: "Checks of this run" }).waitFor();
        await assertFits(page, "Analysis checks");
      });

      await t.step("Dashboard", async () => {
        await page.goto("/app/dashboard");
        await page.getByRole("heading", { name: "Fix these first" }).waitFor({ timeout: 30_000 });
        await page.getByRole("img", { name: "Framework readiness" }).waitFor();
        await assertFits(page, "Dashboard");
        await screenshot(page, "phone-dashboard");
        await assertAccessible(page, "phone-dashboard");
      });

      await t.step("Insights", async () => {
        await page.goto("/app/insights");
        await page.getByRole("img", { name: "Score per analysis" }).waitFor({ timeout: 30_000 });
        await page.getByRole("heading", { name: "Compare two runs" }).waitFor();
        await assertFits(page, "Insights");
        await screenshot(page, "phone-insights");
        await assertAccessible(page, "phone-insights");
      });
      await context.close();
      assert.deepEqual(errors, []);
    } finally {
      await e2e.close();
    }
  },
});
