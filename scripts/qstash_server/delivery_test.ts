// Dependability of the stand-in's delivery: a destination that is down, a
// restart, a delivery cut off by a killed process, custom retry delays.
import assert from "node:assert/strict";
import { Client } from "@upstash/qstash";
import { createTestDatabase } from "../testing/mod.ts";
import { createQStashServer, type QStashServer } from "./mod.ts";
import { startDestination } from "./_test_helpers.ts";

const tdb = await createTestDatabase();
const sql = tdb.db.sql;
let now = Date.parse("2026-05-01T12:00:00Z");
const clock = () => now;
const destination = startDestination();
Deno.test.afterAll(async () => {
  await destination.close();
  await tdb.close();
});

function clientFor(qstash: QStashServer) {
  const api = Deno.serve({ port: 0, hostname: "127.0.0.1", onListen: () => {} }, qstash.fetch);
  const client = new Client({
    baseUrl: `http://127.0.0.1:${api.addr.port}`,
    token: qstash.token,
    devMode: false,
    enableTelemetry: false,
    retry: false,
  });
  return { client, close: () => api.shutdown() };
}

function freePort(): number {
  const listener = Deno.listen({ port: 0, hostname: "127.0.0.1" });
  const port = (listener.addr as Deno.NetAddr).port;
  listener.close();
  return port;
}

Deno.test("a destination that is down is retried with backoff until it answers", async () => {
  const qstash = await createQStashServer({ sql, clock });
  const { client, close } = clientFor(qstash);
  try {
    const port = freePort();
    const url = `http://127.0.0.1:${port}/late`;
    const { messageId } = await client.publishJSON({ url, body: { n: 1 }, retries: 5 });
    await qstash.processDue();
    const first = await client.messages.get(messageId);
    // QStash's first backoff is e^2.5 ≈ 12 s.
    assert.equal(first.notBefore, now + Math.round(Math.exp(2.5) * 1000));

    const received: string[] = [];
    const late = Deno.serve({ port, hostname: "127.0.0.1", onListen: () => {} }, (req) => {
      received.push(req.headers.get("upstash-retried") ?? "");
      return new Response("ok");
    });
    try {
      now += 11_000;
      await qstash.processDue();
      assert.deepEqual(received, [], "not before the backoff has passed");
      now += 2_000;
      await qstash.processDue();
      assert.deepEqual(received, ["1"]);
    } finally {
      await late.shutdown();
    }
  } finally {
    await close();
  }
});

Deno.test("a new stand-in on the same database delivers what the stopped one had pending", async () => {
  const before = await createQStashServer({ sql, clock });
  const api1 = clientFor(before);
  const { messageId } = await api1.client.publishJSON({
    url: `${destination.url}/after-restart`,
    body: { survived: true },
    delay: 60,
  });
  await before.start();
  await before.stop();
  await api1.close();

  const after = await createQStashServer({ sql, clock });
  assert.equal(after.token, before.token, "the token survives the restart");
  assert.equal(after.currentSigningKey, before.currentSigningKey, "so do the signing keys");
  now += 61_000;
  await after.processDue();
  const got = destination.received.filter((r) => r.path === "/after-restart");
  assert.equal(got.length, 1);
  assert.equal(got[0]!.headers.get("upstash-message-id"), messageId);
});

Deno.test("a delivery cut off by a killed process is taken over and counted as a retry", async () => {
  const qstash = await createQStashServer({ sql, clock, workerTimeoutMs: 10_000 });
  const { client, close } = clientFor(qstash);
  try {
    const { messageId } = await client.publishJSON({
      url: `${destination.url}/orphan`,
      body: {},
      retries: 3,
    });
    // What a process killed mid-delivery leaves behind: the message claimed by
    // a worker whose heartbeat stopped 30 seconds ago.
    await sql`insert into qstash_dev.workers (id, heartbeat_at)
              values ('wrk_killed', ${new Date(now - 30_000)})`;
    await sql`update qstash_dev.messages set state = 'delivering', worker_id = 'wrk_killed',
                lease_until = ${new Date(now + 600_000)} where id = ${messageId}`;
    await qstash.processDue();
    const got = destination.received.filter((r) => r.path === "/orphan");
    assert.equal(got.length, 1);
    assert.equal(got[0]!.headers.get("upstash-retried"), "1");
  } finally {
    await close();
  }
});

Deno.test("a delivery held by a live worker is left alone", async () => {
  const qstash = await createQStashServer({ sql, clock, workerTimeoutMs: 10_000 });
  const { client, close } = clientFor(qstash);
  try {
    const { messageId } = await client.publishJSON({ url: `${destination.url}/busy`, body: {} });
    await sql`insert into qstash_dev.workers (id, heartbeat_at)
              values ('wrk_alive', ${new Date(now)})`;
    await sql`update qstash_dev.messages set state = 'delivering', worker_id = 'wrk_alive',
                lease_until = ${new Date(now + 600_000)} where id = ${messageId}`;
    await qstash.processDue();
    assert.equal(destination.received.filter((r) => r.path === "/busy").length, 0);
    await client.messages.cancel(messageId);
  } finally {
    await close();
  }
});

Deno.test("Upstash-Retry-Delay sets the wait between retries", async () => {
  const qstash = await createQStashServer({ sql, clock });
  const { client, close } = clientFor(qstash);
  try {
    destination.on("/linear", () => new Response("no", { status: 500 }));
    const { messageId } = await client.publishJSON({
      url: `${destination.url}/linear`,
      body: {},
      retries: 3,
      retryDelay: "1000 * (1 + retried)",
    });
    await qstash.processDue();
    assert.equal((await client.messages.get(messageId)).notBefore, now + 1000);
    now += 1000;
    await qstash.processDue();
    assert.equal((await client.messages.get(messageId)).notBefore, now + 2000);
    await client.messages.cancel(messageId);
  } finally {
    await close();
  }
});
