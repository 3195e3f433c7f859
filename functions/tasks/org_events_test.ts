// GET /tasks/jobs/events: an organization's jobs as one live stream — the
// mechanism the dashboard uses to refresh when a sync or a run finishes.
import assert from "node:assert/strict";
import { createTestAuth, createTestDatabase } from "../../scripts/testing/mod.ts";
import { createTestServices } from "../../scripts/testing/services.ts";
import { createTasksApp } from "./app.ts";

const tdb = await createTestDatabase();
const auth = await createTestAuth();
const services = createTestServices(tdb.db, auth, {
  PUBLIC_URL: "http://localhost:8000",
  QSTASH_CURRENT_SIGNING_KEY: "sig_test_current",
  QSTASH_NEXT_SIGNING_KEY: "sig_test_next",
  TASKS_SSE_POLL_MS: "50",
});
const app = createTasksApp(services);
Deno.test.afterAll(() => tdb.close());

const owner = await auth.createUser(tdb.db, { orgName: "Stream Org" });
const orgId = owner.orgId!;
const outsider = await auth.createUser(tdb.db, { orgName: "Someone Else" });

interface JobEvent {
  data: { id: string; status: string; kind: string }[];
}

/** A stream's `jobs` events, one at a time; `close()` cancels the stream. */
function jobEvents(res: Response) {
  const reader = res.body!.pipeThrough(new TextDecoderStream()).getReader();
  const pending: JobEvent[] = [];
  let buffer = "";
  return {
    /** Reads events until `until` holds for one; returns every event read. */
    async until(until: (e: JobEvent) => boolean): Promise<JobEvent[]> {
      const seen: JobEvent[] = [];
      for (;;) {
        const next = pending.shift();
        if (next) {
          seen.push(next);
          if (until(next)) return seen;
          continue;
        }
        const { value, done } = await reader.read();
        if (done) return seen;
        buffer += value;
        const chunks = buffer.split("\n\n");
        buffer = chunks.pop()!;
        for (const chunk of chunks) {
          if (!/^event: jobs$/m.test(chunk)) continue;
          pending.push(JSON.parse(/^data: (.*)$/m.exec(chunk)![1]!) as JobEvent);
        }
      }
    },
    close: () => reader.cancel().catch(() => {}),
  };
}

Deno.test("the organization's stream sends its jobs again whenever one changes", async () => {
  const res = await app.request(
    `http://localhost/tasks/jobs/events?org_id=${orgId}&access_token=${owner.token}`,
  );
  assert.equal(res.status, 200);
  assert.match(res.headers.get("content-type") ?? "", /text\/event-stream/);
  const stream = jobEvents(res);
  try {
    const [first] = await stream.until(() => true);
    assert.deepEqual(first!.data, [], "the first event is the list as it was");
    const started = await app.request("http://localhost/tasks/probe", {
      method: "POST",
      headers: { authorization: `Bearer ${owner.token}`, "content-type": "application/json" },
      body: JSON.stringify({ org_id: orgId, items: 5 }),
    });
    assert.equal(started.status, 202);
    const jobId = (await started.json()).data.id as string;
    // The new job appears (queued) before anything runs it…
    await stream.until((e) => e.data.some((j) => j.id === jobId && j.status === "queued"));
    // …and again once it has run.
    const [events] = await Promise.all([
      stream.until((e) => e.data.some((j) => j.id === jobId && j.status === "succeeded")),
      services.tasks.drain(),
    ]);
    const statuses = events.map((e) => e.data.find((j) => j.id === jobId)?.status ?? "none");
    assert.equal(statuses.at(-1), "succeeded");
  } finally {
    await stream.close();
  }
});

Deno.test("the organization's stream needs a member's token and a valid org_id", async () => {
  assert.equal(
    (await app.request(`http://localhost/tasks/jobs/events?org_id=${orgId}`)).status,
    401,
  );
  const foreign = await app.request(
    `http://localhost/tasks/jobs/events?org_id=${orgId}&access_token=${outsider.token}`,
  );
  assert.equal(foreign.status, 404);
  const bad = await app.request(
    `http://localhost/tasks/jobs/events?org_id=nope&access_token=${owner.token}`,
  );
  assert.equal(bad.status, 400);
  assert.equal((await bad.json()).error.code, "validation_failed");
});
