// Settings → Notifications in the browser: the owner adds a webhook channel
// pointing at a receiver started here (the dev stack allows private http URLs),
// copies its secret from the one-time dialog, sends a test alert that the
// receiver verifies with the `standardwebhooks` library, adds a rule, and sees
// the rule's deliveries after a sync fails. A viewer sees channels and rules
// read-only and no delivery log. Axe scans every state, light and dark; the
// page is checked at phone width.
import assert from "node:assert/strict";
import { createClient } from "@supabase/supabase-js";
import type { Page } from "playwright-core";
import { Webhook } from "standardwebhooks";
import { notifyJobEnded } from "../../shared/notifications/mod.ts";
import {
  announceSkip,
  assertAccessible,
  chromiumAvailable,
  joinByInvitation,
  openFromSidebar,
  screenshot,
  signIn,
  startE2e,
} from "./_harness.ts";

announceSkip(import.meta.url);

/** A webhook receiver on a loopback port that records what it is sent. */
function startReceiver() {
  const received: { headers: Headers; body: string }[] = [];
  const server = Deno.serve(
    { hostname: "127.0.0.1", port: 0, onListen: () => {} },
    async (req) => {
      received.push({ headers: req.headers, body: await req.text() });
      return new Response("ok", { status: 200 });
    },
  );
  return {
    url: `http://127.0.0.1:${server.addr.port}/hook`,
    received,
    close: () => server.shutdown(),
  };
}

function verify(secret: string, message: { headers: Headers; body: string }) {
  return new Webhook(secret).verify(message.body, {
    "webhook-id": message.headers.get("webhook-id")!,
    "webhook-timestamp": message.headers.get("webhook-timestamp")!,
    "webhook-signature": message.headers.get("webhook-signature")!,
  }) as { type: string };
}

const row = (page: Page, text: string) => page.getByRole("row").filter({ hasText: text });

async function readSecret(page: Page): Promise<string> {
  const dialog = page.getByRole("alertdialog", { name: "Copy the signing secret" });
  await dialog.getByText("Shown only this once").waitFor();
  const secret = await dialog.getByTestId("webhook-secret").inputValue();
  assert.match(secret, /^whsec_[A-Za-z0-9+/=]{40,}$/);
  return secret;
}

async function assertNoSideScroll(page: Page): Promise<void> {
  const overflow = await page.evaluate(() =>
    document.documentElement.scrollWidth - document.documentElement.clientWidth
  );
  assert.ok(overflow <= 1, `the page scrolls sideways by ${overflow}px`);
}

Deno.test({
  name: "web notification settings: channels, secret once, test-send, rules, deliveries, roles",
  ignore: !chromiumAvailable,
  async fn(t) {
    const e2e = await startE2e();
    const receiver = startReceiver();
    try {
      const page = await e2e.newPage();
      await signIn(page, e2e.demo.email, e2e.demo.password);
      await openFromSidebar(page, "Notifications");
      let secret = "";

      await t.step("with nothing set up, each section says what it is for", async () => {
        await page.getByText("No channels yet").waitFor();
        await page.getByText("No alert rules yet").waitFor();
        await page.getByText("No alerts sent yet").waitFor();
        await assertAccessible(page, "notification-settings-empty");
      });

      await t.step(
        "a webhook channel: the form explains refusals, then shows the secret once",
        async () => {
          await page.getByRole("button", { name: "Add channel" }).click();
          const form = page.getByRole("dialog", { name: "Add a channel" });
          await form.getByLabel("Kind").selectOption("webhook");
          await form.getByLabel("Name").fill("SIEM hook");
          await form.getByLabel("Endpoint URL").fill("siem");
          await form.getByRole("button", { name: "Add channel" }).click();
          await form.getByText("Enter a full URL, starting with https://").waitFor();
          // The API's own check, shown under the field it is about.
          await form.getByLabel("Endpoint URL").fill(receiver.url.replace("//", "//user:pw@"));
          await form.getByRole("button", { name: "Add channel" }).click();
          await form.getByText("The webhook URL must not contain credentials.").waitFor();
          await assertAccessible(page, "notification-settings-channel-error");

          await form.getByLabel("Endpoint URL").fill(receiver.url);
          await form.getByRole("button", { name: "Add channel" }).click();
          secret = await readSecret(page);
          await assertAccessible(page, "notification-settings-secret");
          await page.getByRole("button", { name: "I've stored it" }).click();
          await row(page, "SIEM hook").getByText(receiver.url).waitFor();
          await row(page, "SIEM hook").getByText("Nothing sent yet").waitFor();
          assert.ok(!(await page.content()).includes(secret), "the secret is gone from the page");
        },
      );

      await t.step(
        "a test alert shows what the receiver answered, signed with the secret",
        async () => {
          await page.getByRole("button", { name: "Send a test alert to SIEM hook" }).click();
          const outcome = page.getByRole("status").filter({
            hasText: "Test alert to “SIEM hook” delivered",
          });
          await outcome.getByText("The receiver answered HTTP 200.").waitFor();
          assert.equal(receiver.received.length, 1);
          assert.equal(verify(secret, receiver.received[0]!).type, "alert.test");
          await assertAccessible(page, "notification-settings-tested");
        },
      );

      await t.step("rotating the secret asks first and shows the new one once", async () => {
        await page.getByRole("button", { name: "More actions for SIEM hook" }).click();
        await page.getByRole("menuitem", { name: "Rotate secret" }).click();
        const confirm = page.getByRole("alertdialog", { name: "Rotate the signing secret?" });
        await assertAccessible(page, "notification-settings-rotate");
        await confirm.getByRole("button", { name: "Rotate secret" }).click();
        const rotated = await readSecret(page);
        assert.notEqual(rotated, secret);
        await page.getByText("The old one stopped working").waitFor();
        secret = rotated;
        await page.getByRole("button", { name: "I've stored it" }).click();
      });

      await t.step("a rule for failed syncs, sent to the webhook", async () => {
        await page.getByRole("button", { name: "Add rule" }).click();
        const form = page.getByRole("dialog", { name: "Add an alert rule" });
        await form.getByLabel("Name").fill("Sync failures to the SIEM");
        await form.getByLabel("Event").selectOption("job.failed");
        await form.getByLabel("Notify in the app").selectOption("");
        await form.getByRole("button", { name: "Add rule" }).click();
        await form.getByText("Choose at least one channel").waitFor();
        await form.getByRole("checkbox", { name: /SIEM hook/ }).check();
        await form.getByLabel("Throttle (minutes)").fill("0");
        await assertAccessible(page, "notification-settings-rule-form");
        await form.getByRole("button", { name: "Add rule" }).click();
        await form.waitFor({ state: "hidden" });
        const rule = row(page, "Sync failures to the SIEM");
        await rule.getByText("Sync or run failed").waitFor();
        await rule.getByText("SIEM hook").waitFor();
        await rule.getByText("Off", { exact: true }).first().waitFor();
      });

      await t.step("after a failed sync the delivery log shows the receiver's 2xx", async () => {
        const [job] = await e2e.services.db.sql<{ id: string }[]>`
          insert into public.jobs (org_id, kind, status, error)
          values (${e2e.demo.orgId}, 'servicenow.sync', 'failed', 'The instance answered 401')
          returning id`;
        const outcome = await notifyJobEnded(e2e.services, {
          orgId: e2e.demo.orgId,
          jobId: job!.id,
          kind: "servicenow.sync",
          status: "failed",
        });
        assert.equal(outcome?.sent, 1, JSON.stringify(outcome));
        assert.equal(verify(secret, receiver.received.at(-1)!).type, "alert.job.failed");
        await page.getByRole("button", { name: "Refresh" }).click();
        const log = page.getByRole("table", { name: /Alert deliveries/ });
        const delivered = log.getByRole("row").filter({ hasText: "SIEM hook" });
        await delivered.getByText("Sent").waitFor();
        await delivered.getByText("200", { exact: true }).waitFor();
        await delivered.getByText("Sync failures to the SIEM").waitFor();
        await page.reload();
        await row(page, "SIEM hook").getByText("HTTP 200").waitFor();
        await assertAccessible(page, "notification-settings-deliveries");

        await page.getByLabel("Status").selectOption("failed");
        await page.getByText("No failed deliveries").waitFor();
        await page.getByLabel("Status").selectOption("sent");
        await log.getByRole("row").filter({ hasText: "SIEM hook" }).waitFor();
      });

      await t.step("editing a rule keeps its fields and saves the change", async () => {
        await page.getByRole("button", { name: "Edit Sync failures to the SIEM" }).click();
        const form = page.getByRole("dialog", { name: "Edit “Sync failures to the SIEM”" });
        assert.equal(await form.getByLabel("Event").inputValue(), "job.failed");
        assert.equal(await form.getByRole("checkbox", { name: /SIEM hook/ }).isChecked(), true);
        await form.getByLabel("Throttle (minutes)").fill("90");
        await form.getByRole("button", { name: "Save rule" }).click();
        await form.waitFor({ state: "hidden" });
        await row(page, "Sync failures to the SIEM").getByText("90 min").waitFor();
      });

      await t.step("a channel is switched off from the keyboard and stays off", async () => {
        const toggle = page.getByRole("switch", { name: "SIEM hook enabled" });
        await toggle.focus();
        await page.keyboard.press("Space");
        await page.waitForFunction(() =>
          !(document.querySelector('[aria-label="SIEM hook enabled"]') as HTMLInputElement)
            .checked &&
          !(document.querySelector('[aria-label="SIEM hook enabled"]') as HTMLInputElement).disabled
        );
        await page.reload();
        assert.equal(
          await page.getByRole("switch", { name: "SIEM hook enabled" }).isChecked(),
          false,
        );
      });

      await t.step("dark theme", async () => {
        const dark = await e2e.newPage({ colorScheme: "dark" });
        await signIn(dark, e2e.demo.email, e2e.demo.password);
        await dark.goto("/app/settings/notifications");
        await row(dark, "SIEM hook").getByText("HTTP 200").waitFor();
        await assertAccessible(dark, "notification-settings-dark");
        await dark.getByRole("button", { name: "Add rule" }).click();
        await dark.getByRole("dialog", { name: "Add an alert rule" }).waitFor();
        await assertAccessible(dark, "notification-settings-rule-form-dark");
      });

      await t.step("the bell leads admins to the page", async () => {
        await page.goto("/app");
        await page.getByRole("button", { name: /^Notifications/ }).click();
        await page.getByRole("menuitem", { name: /Notification settings/ }).click();
        await page.getByRole("heading", { level: 1, name: "Notifications" }).waitFor();
      });

      await t.step("at phone width nothing scrolls sideways", async () => {
        await page.setViewportSize({ width: 390, height: 844 });
        // A phone shows the channels as cards, not table rows.
        await page.getByRole("list", { name: "Notification channels" }).getByRole("listitem")
          .filter({ hasText: "SIEM hook" }).waitFor();
        await assertNoSideScroll(page);
        await screenshot(page, "notification-settings-phone");
      });

      await t.step("deleting the channel asks first; the rule no longer names it", async () => {
        await page.setViewportSize({ width: 1280, height: 800 });
        await page.getByRole("button", { name: "More actions for SIEM hook" }).click();
        await page.getByRole("menuitem", { name: "Delete" }).click();
        const confirm = page.getByRole("alertdialog", { name: "Delete channel?" });
        await confirm.getByRole("button", { name: "Delete channel" }).click();
        await confirm.waitFor({ state: "hidden" });
        await page.getByText("No channels yet").waitFor();
        await row(page, "Sync failures to the SIEM").getByText("None").waitFor();
      });

      await t.step("a viewer reads channels and rules, changes nothing, sees no log", async () => {
        const session = await createClient(
          e2e.url,
          (await (await fetch(`${e2e.url}/app-config.json`)).json()).supabaseAnonKey,
          { auth: { persistSession: false, autoRefreshToken: false, detectSessionInUrl: false } },
        ).auth.signInWithPassword({ email: e2e.demo.email, password: e2e.demo.password });
        const [email, password] = await joinByInvitation(
          e2e.url,
          session.data.session!.access_token,
          e2e.demo.orgId,
          "viewer",
        );
        const viewer = await e2e.newPage();
        await signIn(viewer, email, password);
        await openFromSidebar(viewer, "Notifications");
        await viewer.getByText("Read-only for your role").waitFor();
        await row(viewer, "Sync failures to the SIEM").getByText("Sync or run failed").waitFor();
        for (const name of ["Add channel", "Add rule", "Refresh"]) {
          assert.equal(await viewer.getByRole("button", { name }).count(), 0, name);
        }
        assert.equal(await viewer.getByRole("switch").count(), 0);
        assert.equal(await viewer.getByRole("heading", { name: "Delivery log" }).count(), 0);
        await assertAccessible(viewer, "notification-settings-viewer");
        await viewer.getByRole("button", { name: /^Notifications/ }).click();
        assert.equal(
          await viewer.getByRole("menuitem", { name: /Notification settings/ }).count(),
          0,
        );
      });

      assert.deepEqual(e2e.pageErrors, []);
    } finally {
      await receiver.close();
      await e2e.close();
    }
  },
});
