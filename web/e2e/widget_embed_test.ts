// The embed page in Chromium, inside an iframe: shown on a page served from an
// origin on the organization's allow-list, refused (frame-ancestors) on a page
// from any other origin. Serves the widgets app alone over the posture fixture.
import assert from "node:assert/strict";
import { chromium } from "playwright-core";
import { createWidgetsApp } from "../../functions/widgets/app.ts";
import { createPostureFixture } from "../../shared/posture/_fixture.ts";
import { announceSkip, CHROMIUM_PATH, chromiumAvailable } from "./_harness.ts";

announceSkip(import.meta.url);

function serve(handler: (req: Request) => Response | Promise<Response>) {
  return Deno.serve({ port: 0, hostname: "127.0.0.1", onListen: () => {} }, handler);
}

function hostPage(src: string): Response {
  return new Response(
    `<!doctype html><html lang="en"><head><title>Portal</title></head><body>
<iframe id="w" title="Compliance widget" src="${src}" width="400" height="300"></iframe>
</body></html>`,
    { headers: { "content-type": "text/html" } },
  );
}

Deno.test({
  name: "the embed page shows inside an iframe on an allowed origin and is refused on another",
  ignore: !chromiumAvailable,
  sanitizeOps: false,
  sanitizeResources: false,
  async fn() {
    const fx = await createPostureFixture();
    const app = createWidgetsApp(fx.services);
    const api = serve((req) => app.fetch(req));
    const apiUrl = `http://127.0.0.1:${api.addr.port}`;
    let src = "";
    const allowed = serve(() => hostPage(src));
    const other = serve(() => hostPage(src));
    // Same machine, different origins: localhost is allowed, 127.0.0.1 is not.
    const allowedOrigin = `http://localhost:${allowed.addr.port}`;
    const otherOrigin = `http://127.0.0.1:${other.addr.port}`;
    const browser = await chromium.launch({
      executablePath: CHROMIUM_PATH,
      args: ["--headless", "--no-sandbox", "--disable-gpu"],
    });
    try {
      const call = async (method: string, path: string, body: unknown) => {
        const res = await app.request(`http://localhost/widgets${path}`, {
          method,
          headers: {
            authorization: `Bearer ${fx.owner.token}`,
            "content-type": "application/json",
          },
          body: JSON.stringify(body),
        });
        assert.ok(res.ok, await res.clone().text());
        return (await res.json()).data;
      };
      const widget = await call("POST", "", {
        org_id: fx.orgId,
        name: "Compliance score",
        template: "score_gauge",
      });
      const { token } = await call("POST", `/${widget.id}/embeds`, { name: "Portal" });
      await call("PUT", "/origins", { org_id: fx.orgId, origins: [allowedOrigin] });
      src = `${apiUrl}/widgets/embed/${token}`;

      const page = await (await browser.newContext()).newPage();
      await page.goto(`${allowedOrigin}/`);
      const frame = page.frameLocator("#w");
      await frame.getByRole("heading", { name: "Compliance score" }).waitFor();
      assert.equal(await frame.locator(".big").first().innerText(), "35/100");

      const refused = await (await browser.newContext()).newPage();
      const messages: string[] = [];
      refused.on("console", (m) => messages.push(m.text()));
      // The load event waits for the iframe too (its error page when refused).
      await refused.goto(`${otherOrigin}/`, { waitUntil: "load" });
      await refused.waitForTimeout(500);
      assert.ok(
        messages.some((m) => /frame-ancestors/.test(m)),
        `Chromium says why it refused: ${messages.join(" | ")}`,
      );
      const inner = refused.frames().find((f) => f !== refused.mainFrame());
      // Chromium replaces a refused frame with its error page.
      assert.ok(!inner || inner.url().startsWith("chrome-error:"), `frame at ${inner?.url()}`);
      const shown = await inner?.getByText("Compliance score").count().catch(() => 0) ?? 0;
      assert.equal(shown, 0, "the widget must not render on an origin off the list");
    } finally {
      await browser.close();
      await Promise.all([api.shutdown(), allowed.shutdown(), other.shutdown()]);
      await fx.close();
    }
  },
});
