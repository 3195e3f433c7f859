// The self-hosted sidecars start from their mains with only their environment,
// and the real Upstash clients talk to them.
import assert from "node:assert/strict";
import { Client } from "@upstash/qstash";
import { Redis } from "@upstash/redis";
import { startRedisProcess } from "../redis_server/mod.ts";
import { childEnv, createTestDatabase, freePort, waitUntilServing } from "../testing/mod.ts";

const tdb = await createTestDatabase();
// PGlite serves one connection at a time: the scheduler takes it.
await tdb.db.close();
Deno.test.afterAll(() => tdb.close());

async function startMain(script: string, env: Record<string, string>) {
  const port = freePort();
  const child = new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", script],
    cwd: new URL("../..", import.meta.url),
    clearEnv: true,
    env: childEnv({ PORT: String(port), ...env }),
    stdout: "null",
    stderr: "null",
  }).spawn();
  const base = `http://127.0.0.1:${port}`;
  await waitUntilServing(`${base}/health`, child);
  return {
    base,
    stop: async () => {
      child.kill("SIGTERM");
      await child.status;
    },
  };
}

Deno.test("the Redis REST sidecar serves @upstash/redis over a real redis-server", async () => {
  const redis = await startRedisProcess();
  const token = "self-hosted-redis-token";
  const sidecar = await startMain("scripts/serve/redis_rest_main.ts", {
    REDIS_URL: redis.url,
    UPSTASH_REDIS_REST_TOKEN: token,
  });
  try {
    const client = new Redis({ url: sidecar.base, token, enableTelemetry: false });
    await client.set("greeting", { hello: "wörld" });
    assert.deepEqual(await client.get("greeting"), { hello: "wörld" });
    assert.equal(await client.incr("counter"), 1);
    const refused = new Redis({ url: sidecar.base, token: "wrong", enableTelemetry: false });
    await assert.rejects(() => refused.get("greeting"));
  } finally {
    await sidecar.stop();
    await redis.stop();
  }
});

Deno.test("the QStash-compatible sidecar accepts the real client's publish and schedules", async () => {
  const token = "self-hosted-qstash-token";
  const sidecar = await startMain("scripts/serve/qstash_main.ts", {
    DATABASE_URL: tdb.url,
    DB_POOL_MAX: "1",
    QSTASH_TOKEN: token,
    QSTASH_CURRENT_SIGNING_KEY: "sig_self_hosted_current",
    QSTASH_NEXT_SIGNING_KEY: "sig_self_hosted_next",
  });
  try {
    const client = new Client({ baseUrl: sidecar.base, token, devMode: false, retry: false });
    const published = await client.publishJSON({
      url: "http://127.0.0.1:9/nowhere",
      body: { hello: "world" },
    });
    assert.match(published.messageId, /^msg_/);
    const { scheduleId } = await client.schedules.create({
      destination: "http://127.0.0.1:9/nightly",
      cron: "0 3 * * *",
    });
    const schedules = await client.schedules.list();
    assert.ok(schedules.some((s) => s.scheduleId === scheduleId));
  } finally {
    await sidecar.stop();
  }
});
