// The navbar bell: after a sync fails and an alert rule sends in-app
// notifications, the bell shows the unread count at once (live over the inbox's
// event stream, no reload); opening it lists the notification, selecting it
// marks it read. Axe scans the open menu.
import assert from "node:assert/strict";
import { notifyJobEnded } from "../../shared/notifications/mod.ts";
import {
  announceSkip,
  assertAccessible,
  chromiumAvailable,
  screenshot,
  signIn,
  startE2e,
} from "./_harness.ts";

announceSkip(import.meta.url);

Deno.test({
  name: "web notifications: the bell counts unread alerts and marks them read",
  ignore: !chromiumAvailable,
  async fn(t) {
    const e2e = await startE2e();
    try {
      const { db } = e2e.services;
      const orgId = e2e.demo.orgId;
      const page = await e2e.newPage();
      await signIn(page, e2e.demo.email, e2e.demo.password);

      await t.step("with nothing yet the bell says so", async () => {
        await page.getByRole("button", { name: "Notifications", exact: true }).click();
        await page.getByText("No notifications yet").waitFor();
        await assertAccessible(page, "notifications-empty");
        // An empty menu has nothing to focus for Escape: close it with the bell.
        await page.getByRole("button", { name: "Notifications", exact: true }).click();
        await page.getByText("No notifications yet").waitFor({ state: "hidden" });
      });

      await t.step("a failed sync shows up at once as one unread notification", async () => {
        await db.sql`
          insert into public.notification_rules (org_id, name, event, in_app_role, throttle_minutes)
          values (${orgId}, 'Sync failures', 'job.failed', 'viewer', 0)`;
        const [job] = await db.sql<{ id: string }[]>`
          insert into public.jobs (org_id, kind, status, error)
          values (${orgId}, 'servicenow.sync', 'failed', 'The instance answered 401')
          returning id`;
        const outcome = await notifyJobEnded(e2e.services, {
          orgId,
          jobId: job!.id,
          kind: "servicenow.sync",
          status: "failed",
        });
        assert.ok(outcome && outcome.sent >= 1, JSON.stringify(outcome));
        // No reload: the open page hears of it over the inbox's event stream.
        const bell = page.getByRole("button", { name: "Notifications, 1 unread" });
        await bell.click();
        await page.getByRole("menuitem", { name: /A sync failed/ }).waitFor();
        await assertAccessible(page, "notifications-open");
        await screenshot(page, "notifications-bell");
      });

      await t.step("selecting it marks it read", async () => {
        await page.getByRole("menuitem", { name: /A sync failed/ }).click();
        await page.getByRole("button", { name: "Notifications", exact: true }).waitFor();
      });
    } finally {
      await e2e.close();
    }
  },
});
