import assert from "node:assert/strict";
import { createLogger } from "../../shared/log/mod.ts";
import { boundedCleanup } from "./stack.ts";

Deno.test("stopping the stack goes on without a part that does not stop, and says which", async () => {
  const lines: string[] = [];
  const log = createLogger({ level: "info", sink: (line) => lines.push(line) });
  const never = new Promise<void>(() => {});
  async function shutdownServer() {
    await never;
  }
  await boundedCleanup(shutdownServer, log, 100);
  assert.equal(lines.length, 1);
  const line = JSON.parse(lines[0]!);
  assert.equal(line.msg, "a part of the stack did not stop in time");
  assert.equal(line.cleanup, "shutdownServer");

  lines.length = 0;
  let stopped = false;
  await boundedCleanup(() => Promise.resolve().then(() => void (stopped = true)), log, 100);
  assert.equal(stopped, true);
  assert.deepEqual(lines, [], "a part that stops says nothing");
});
