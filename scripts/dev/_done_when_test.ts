import assert from "node:assert/strict";
import { fetchWithin, waitFor } from "./_done_when.ts";

Deno.test("waitFor() returns the first value the probe finds", async () => {
  let calls = 0;
  const value = await waitFor("a value", () => Promise.resolve(++calls === 3 ? "there" : null));
  assert.equal(value, "there");
  assert.equal(calls, 3);
});

Deno.test("waitFor() gives up at its deadline, naming what it waited for and what the diagnosis found", async () => {
  await assert.rejects(
    waitFor("the first analysis run", () => Promise.resolve(null), {
      seconds: 0.3,
      diagnose: () => Promise.resolve("jobs, newest first:\n  sync failed"),
    }),
    (error: Error) => {
      assert.match(error.message, /^the first analysis run: nothing within 0\.3 s\n/);
      assert.match(error.message, /sync failed/);
      return true;
    },
  );
});

Deno.test("fetchWithin() fails a request the server does not answer, naming it", async () => {
  const stalled = Promise.withResolvers<void>();
  const server = Deno.serve({ port: 0, hostname: "127.0.0.1", onListen: () => {} }, async () => {
    await stalled.promise;
    return new Response("late");
  });
  try {
    const url = `http://127.0.0.1:${server.addr.port}/stalled`;
    await assert.rejects(
      fetchWithin(url, { method: "POST" }, 200),
      new Error(`POST ${url} got no answer within 200 ms`),
    );
  } finally {
    stalled.resolve();
    await server.shutdown();
  }
});
