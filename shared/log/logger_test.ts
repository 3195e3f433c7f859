import assert from "node:assert/strict";
import { createLogger } from "./mod.ts";

Deno.test("createLogger() writes one JSON object per line with its fields", () => {
  const lines: string[] = [];
  const log = createLogger({ sink: (l) => lines.push(l) }).child({ requestId: "r1" });
  log.info("request finished", { status: 200 });
  const record = JSON.parse(lines[0]!);
  assert.equal(record.msg, "request finished");
  assert.equal(record.level, "info");
  assert.equal(record.requestId, "r1");
  assert.equal(record.status, 200);
});

Deno.test("createLogger() never writes passwords, tokens or authorization headers", () => {
  const lines: string[] = [];
  const log = createLogger({ sink: (l) => lines.push(l) });
  log.warn("login failed", {
    password: "hunter2",
    headers: { Authorization: "Bearer eyJabc", accept: "json" },
    nested: [{ refresh_token: "r-123" }],
    instance: { client_secret: "s3cr3t" },
  });
  const text = lines.join("\n");
  for (const secret of ["hunter2", "eyJabc", "r-123", "s3cr3t"]) {
    assert.ok(!text.includes(secret), `${secret} leaked into ${text}`);
  }
  assert.ok(text.includes('"accept":"json"'));
});

Deno.test("createLogger() drops lines below the configured level", () => {
  const lines: string[] = [];
  const log = createLogger({ level: "warn", sink: (l) => lines.push(l) });
  log.info("noise");
  log.error("signal");
  assert.equal(lines.length, 1);
});
