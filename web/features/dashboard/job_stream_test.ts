import assert from "node:assert/strict";
import { finishedSince, postureWorkActive, type StreamJob } from "./job_stream.ts";

const job = (id: string, kind: string, status: string): StreamJob => ({ id, kind, status });

Deno.test("finishedSince() reports syncs and runs that reached their end between snapshots", () => {
  const before = [job("a", "servicenow.sync", "running"), job("b", "analysis.run", "queued")];
  const now = [
    job("c", "analysis.run", "succeeded"), // new and already done (a short run)
    job("a", "servicenow.sync", "failed"),
    job("b", "analysis.run", "running"),
    job("p", "system.probe", "succeeded"), // not a posture job
  ];
  assert.deepEqual(finishedSince(before, now).map((j) => j.id), ["c", "a"]);
  // Nothing "finished since" the first snapshot, and nothing twice.
  assert.deepEqual(finishedSince(null, now), []);
  assert.deepEqual(finishedSince(now, now), []);
});

Deno.test("postureWorkActive() is true while a sync or a run is queued or running", () => {
  assert.equal(postureWorkActive([job("a", "servicenow.sync", "queued")]), true);
  assert.equal(postureWorkActive([job("a", "servicenow.sync", "succeeded")]), false);
  assert.equal(postureWorkActive([job("p", "system.probe", "running")]), false);
});
