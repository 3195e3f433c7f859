import assert from "node:assert/strict";
import { TimeLimitError } from "../runtime/time_limit.ts";
import { createQStashTransport } from "./transport.ts";

Deno.test("a QStash that never answers fails the publish within the call limit instead of hanging it", async () => {
  const release = Promise.withResolvers<void>();
  const seen = Promise.withResolvers<void>();
  const qstash = Deno.serve({ port: 0, hostname: "127.0.0.1", onListen: () => {} }, async () => {
    seen.resolve();
    await release.promise;
    return Response.json({ messageId: "msg_late" });
  });
  try {
    const transport = createQStashTransport({
      baseUrl: `http://127.0.0.1:${qstash.addr.port}`,
      token: "token",
      callbackUrl: "http://127.0.0.1:9/functions/v1/tasks/deliver",
      clientRetries: 0,
      callTimeoutMs: 200,
    });
    await assert.rejects(
      transport.publish({ body: { v: 1, type: "system", action: "reap" }, retries: 0 }),
      (error: unknown) => {
        assert.ok(error instanceof TimeLimitError);
        assert.match(
          error.message,
          /^publishing a task message \(QStash at http:\/\/127\.0\.0\.1:\d+\) did not finish within 200 ms$/,
        );
        return true;
      },
    );
    await seen.promise;
  } finally {
    // The abandoned request completes, so nothing is left in flight.
    release.resolve();
    await qstash.shutdown();
  }
});
