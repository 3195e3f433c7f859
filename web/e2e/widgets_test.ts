// The Widgets page in Chromium: build a widget from a template, change it, see
// the diff, roll it back, embed it, show the embed in an iframe on a page from
// another origin on the allow-list, revoke it (410); axe on every state, light
// and dark.
import assert from "node:assert/strict";
import type { Page } from "playwright-core";
import {
  announceSkip,
  assertAccessible,
  chromiumAvailable,
  openFromSidebar,
  signIn,
  startE2e,
} from "./_harness.ts";

announceSkip(import.meta.url);

function hostPage(src: () => string) {
  return Deno.serve({ port: 0, hostname: "127.0.0.1", onListen: () => {} }, () =>
    new Response(
      `<!doctype html><html lang="en"><head><title>Portal</title></head><body>
<iframe id="w" title="Compliance widget" src="${src()}" width="480" height="360"></iframe>
</body></html>`,
      { headers: { "content-type": "text/html" } },
    ));
}

async function toast(page: Page, text: RegExp): Promise<void> {
  await page.getByText(text).first().waitFor();
}

Deno.test({
  name: "web widgets: template → widget, edit, diff, rollback, embed on an allowed origin, revoke",
  ignore: !chromiumAvailable,
  sanitizeOps: false,
  sanitizeResources: false,
  async fn(t) {
    const e2e = await startE2e();
    let src = "";
    const host = hostPage(() => src);
    const hostOrigin = `http://127.0.0.1:${host.addr.port}`;
    let widgetUrl = "";
    try {
      const page = await e2e.newPage();
      await signIn(page, e2e.demo.email, e2e.demo.password);

      await t.step(
        "the gallery shows templates with live previews; origins are validated",
        async () => {
          await openFromSidebar(page, "Widgets");
          await page.getByRole("heading", { name: "Templates" }).waitFor();
          await page.getByRole("region", { name: "Score gauge on your data" }).getByText(/passed ·/)
            .waitFor();
          const origins = page.getByLabel("Origins, one per line");
          await origins.fill("https://portal.example.com/path");
          await page.getByRole("button", { name: "Save origins" }).click();
          await page.getByText(/without a path/).waitFor();
          await origins.fill(hostOrigin);
          await page.getByRole("button", { name: "Save origins" }).click();
          await toast(page, /Allowed origins saved/);
          await assertAccessible(page, "widgets-gallery-light");
          await page.setViewportSize({ width: 390, height: 844 });
          await assertAccessible(page, "widgets-gallery-390");
          const width = await page.evaluate(() => document.documentElement.scrollWidth);
          assert.ok(width <= 390, `the gallery is ${width} px wide at 390 px`);
          await page.setViewportSize({ width: 1280, height: 800 });
        },
      );

      await t.step("a widget from a template is changed, diffed and rolled back", async () => {
        await page.getByRole("button", { name: "Use template Top failing checks" }).click();
        await page.getByRole("heading", { level: 1, name: "Top failing checks" }).waitFor();
        widgetUrl = page.url();
        const limit = page.getByLabel("Limit");
        assert.equal(await limit.inputValue(), "5");
        await limit.fill("3");
        await page.getByText("Unsaved changes").waitFor();
        await page.getByRole("button", { name: "Save as version 2" }).click();
        const diff = page.getByLabel("Changes in version 2");
        await diff.waitFor();
        assert.match(
          await diff.innerText(),
          /Limit\s*5\s*→?\s*changed to\s*3|Limit[\s\S]*5[\s\S]*3/,
        );
        await assertAccessible(page, "widgets-editor-light");

        await page.getByRole("button", { name: "Roll back to version 1" }).click();
        const dialog = page.getByRole("alertdialog").or(page.getByRole("dialog"));
        await dialog.getByRole("button", { name: "Roll back" }).click();
        await page.getByText("rolled back to version 1").waitFor();
        assert.equal(await page.getByLabel("Limit").inputValue(), "5");
        await page.getByText("rolled back to version 1").waitFor();
      });

      let token = "";
      await t.step(
        "an embed is created, shown once, and framed by the allowed origin",
        async () => {
          await page.getByRole("button", { name: "Embed", exact: true }).click();
          await page.getByRole("dialog").getByLabel("Name").fill("IT portal");
          await page.getByRole("button", { name: "Create embed" }).click();
          const snippet = await page.getByRole("textbox", { name: "Iframe snippet" }).inputValue();
          src = /src="([^"]+)"/.exec(snippet)![1]!;
          token = /(ciq_embed_[^"/]+)/.exec(src)![1]!;
          assert.equal(
            await page.getByRole("textbox", { name: "JSON URL" }).inputValue(),
            `${src}.json`,
          );
          await assertAccessible(page, "widgets-embed-token-light");
          await page.getByRole("button", { name: "Done" }).click();
          await page.getByText("IT portal", { exact: true }).waitFor();

          const portal = await e2e.newPage();
          await portal.goto(`${hostOrigin}/`);
          await portal.frameLocator("#w").getByRole("heading", { name: "Top failing checks" })
            .waitFor();
          await portal.close();
        },
      );

      await t.step("a revoked embed answers 410 at once", async () => {
        await page.getByRole("button", { name: "Revoke IT portal" }).click();
        await page.getByRole("alertdialog").or(page.getByRole("dialog"))
          .getByRole("button", { name: "Revoke embed" }).click();
        await page.getByRole("cell", { name: "revoked" }).waitFor();
        assert.equal((await fetch(`${src}.json`).then((r) => (r.body?.cancel(), r))).status, 410);
        assert.equal((await fetch(src).then((r) => (r.body?.cancel(), r))).status, 410);
        assert.ok(token.startsWith("ciq_embed_"));
        await assertAccessible(page, "widgets-revoked-light");
      });

      await t.step("dark theme", async () => {
        const dark = await e2e.newPage({ colorScheme: "dark" });
        await signIn(dark, e2e.demo.email, e2e.demo.password);
        await dark.goto(widgetUrl);
        await dark.getByRole("heading", { name: "Version history" }).waitFor();
        await dark.locator('section[aria-label^="Preview of"][aria-busy="false"]').waitFor();
        await assertAccessible(dark, "widgets-editor-dark");
        await dark.goto("/app/widgets");
        await dark.getByRole("heading", { name: "Your widgets" }).waitFor();
        await dark.getByRole("region", { name: "Score gauge on your data" }).getByText(/passed ·/)
          .waitFor();
        await assertAccessible(dark, "widgets-gallery-dark");
      });
      assert.deepEqual(e2e.pageErrors, []);
    } finally {
      await host.shutdown();
      await e2e.close();
    }
  },
});
