// GET /notifications/:orgId/inbox/events: a member's inbox as a live stream —
// an alert that notifies the member shows on the open stream without a reload.
import assert from "node:assert/strict";
import {
  createTestAuth,
  createTestDatabase,
  createTestServices,
} from "../../scripts/testing/mod.ts";
import { memoryMailer } from "../../shared/mail/mod.ts";
import { notifyJobEnded, setNotificationChannels } from "../../shared/notifications/mod.ts";
import { createNotificationsApp } from "./app.ts";

const tdb = await createTestDatabase();
const auth = await createTestAuth();
const sql = tdb.db.sql;
const services = createTestServices(tdb.db, auth, { TASKS_SSE_POLL_MS: "50" });
const app = createNotificationsApp(services);
const owner = await auth.createUser(tdb.db, { orgName: "Live Inbox Org" });
const orgId = owner.orgId!;
const outsider = await auth.createUser(tdb.db, { orgName: "Elsewhere" });
setNotificationChannels({ mailer: memoryMailer(), allowPrivate: true });
Deno.test.afterAll(async () => {
  setNotificationChannels(null);
  await tdb.close();
});

interface InboxEvent {
  data: { id: string; title: string; read_at: string | null }[];
  unread: number;
}

function inboxEvents(res: Response) {
  const reader = res.body!.pipeThrough(new TextDecoderStream()).getReader();
  const pending: InboxEvent[] = [];
  let buffer = "";
  return {
    async until(until: (e: InboxEvent) => boolean): Promise<InboxEvent> {
      for (;;) {
        const next = pending.shift();
        if (next) {
          if (until(next)) return next;
          continue;
        }
        const { value, done } = await reader.read();
        if (done) throw new Error("the stream ended");
        buffer += value;
        const chunks = buffer.split("\n\n");
        buffer = chunks.pop()!;
        for (const chunk of chunks) {
          if (!/^event: inbox$/m.test(chunk)) continue;
          pending.push(JSON.parse(/^data: (.*)$/m.exec(chunk)![1]!) as InboxEvent);
        }
      }
    },
    close: () => reader.cancel().catch(() => {}),
  };
}

const url = (token?: string, org = orgId) =>
  `http://localhost/notifications/${org}/inbox/events${token ? `?access_token=${token}` : ""}`;

Deno.test("an alert for the member appears on the open stream, and reading it too", async () => {
  await sql`insert into public.notification_rules (org_id, name, event, in_app_role, throttle_minutes)
            values (${orgId}, 'Failures', 'job.failed', 'viewer', 0)`;
  const res = await app.request(url(owner.token));
  assert.equal(res.status, 200);
  assert.match(res.headers.get("content-type") ?? "", /text\/event-stream/);
  const stream = inboxEvents(res);
  try {
    const first = await stream.until(() => true);
    assert.deepEqual(first, { data: [], unread: 0 });
    const [job] = await sql<{ id: string }[]>`
      insert into public.jobs (org_id, kind, status, error)
      values (${orgId}, 'analysis.run', 'failed', 'boom') returning id`;
    await notifyJobEnded(services, {
      orgId,
      jobId: job!.id,
      kind: "analysis.run",
      status: "failed",
    });
    const arrived = await stream.until((e) => e.unread === 1);
    assert.equal(arrived.data[0]!.title, "An analysis run failed");
    const read = await app.request(
      `http://localhost/notifications/${orgId}/inbox/${arrived.data[0]!.id}/read`,
      { method: "POST", headers: { authorization: `Bearer ${owner.token}` } },
    );
    assert.equal(read.status, 200);
    const after = await stream.until((e) => e.unread === 0);
    assert.ok(after.data[0]!.read_at);
  } finally {
    await stream.close();
  }
});

Deno.test("the inbox stream needs the member's own token", async () => {
  assert.equal((await app.request(url())).status, 401);
  assert.equal((await app.request(url(outsider.token))).status, 404);
  assert.equal((await app.request(url(owner.token, "nope"))).status, 400);
});
