import assert from "node:assert/strict";
import type { JobProgress } from "./analysis_api.ts";
import { createActivityFollower, SYNC_KIND } from "./activity.ts";

const syncJob = (id: string): JobProgress => ({
  id,
  kind: SYNC_KIND,
  subject: "i1",
  status: "running",
  progress: 0,
  progress_message: "",
  error: null,
});

Deno.test("activity: a sync is over once the instance no longer lists it, even if its stream never ends", async () => {
  let active: JobProgress[] = [syncJob("j1")];
  const events: string[] = [];
  let watching = 0;
  const follower = createActivityFollower({
    listActive: () => Promise.resolve(active),
    watchJob: () => {
      watching++;
      return () => watching--;
    },
    onSync: (job) => events.push(job ? `sync ${job.id}` : "sync over"),
    onSyncEnd: () => events.push("reload"),
    onRun: (id) => events.push(`run ${id}`),
    pollMs: 0,
  });
  await follower.check();
  assert.deepEqual(events, ["sync j1"]);
  assert.equal(watching, 1, "one stream, not one per check");

  active = [{ ...syncJob("r1"), kind: "analysis.run" }];
  await follower.check();
  assert.deepEqual(events, ["sync j1", "sync over", "reload", "run r1"]);
  assert.equal(watching, 0, "the stream of the finished sync is closed");
  follower.stop();
});

Deno.test("activity: a sync whose stream ends is reported once, and a failed listing changes nothing", async () => {
  let end: (() => void) | null = null;
  let fail = false;
  const events: string[] = [];
  const follower = createActivityFollower({
    listActive:
      () => (fail ? Promise.reject(new Error("offline")) : Promise.resolve([syncJob("j2")])),
    watchJob: (_id, _progress, onEnd) => {
      end = onEnd;
      return () => {};
    },
    onSync: (job) => events.push(job ? `sync ${job.id}` : "sync over"),
    onSyncEnd: () => events.push("reload"),
    onRun: () => {},
    pollMs: 0,
  });
  await follower.check();
  fail = true;
  await follower.check();
  assert.deepEqual(events, ["sync j2"]);
  end!();
  assert.deepEqual(events, ["sync j2", "sync over", "reload"]);
  follower.stop();
});
