import assert from "node:assert/strict";
import { TimeLimitError, withinTime } from "./time_limit.ts";

Deno.test("withinTime() passes on what the call returns or throws in time", async () => {
  assert.equal(await withinTime(Promise.resolve(42), 1_000, "a quick call"), 42);
  await assert.rejects(withinTime(Promise.reject(new Error("refused")), 1_000, "x"), /refused/);
});

Deno.test("withinTime() fails a call that never finishes, naming it and its limit", async () => {
  await assert.rejects(
    withinTime(new Promise(() => {}), 50, "publishing to QStash"),
    (error: unknown) => {
      assert.ok(error instanceof TimeLimitError);
      assert.equal(error.message, "publishing to QStash did not finish within 50 ms");
      return true;
    },
  );
});
