// The real, unmodified @upstash/qstash Client against the stand-in, and its real
// Receiver verifying the stand-in's deliveries.
import assert from "node:assert/strict";
import { Client, QstashError, Receiver, SignatureError } from "@upstash/qstash";
import { createTestDatabase, waitFor } from "../testing/mod.ts";
import { createQStashServer } from "./mod.ts";
import { startDestination } from "./_test_helpers.ts";

const tdb = await createTestDatabase();
const qstash = await createQStashServer({
  sql: tdb.db.sql,
  retryDelayScale: 0.0005,
  pollMs: 50,
});
const api = Deno.serve({ port: 0, hostname: "127.0.0.1", onListen: () => {} }, qstash.fetch);
const destination = startDestination();
await qstash.start();
Deno.test.afterAll(async () => {
  await qstash.stop();
  await api.shutdown();
  await destination.close();
  await tdb.close();
});

const baseUrl = `http://127.0.0.1:${api.addr.port}`;
const client = new Client({
  baseUrl,
  token: qstash.token,
  devMode: false,
  enableTelemetry: false,
  retry: false,
});
const receiver = new Receiver({
  currentSigningKey: qstash.currentSigningKey,
  nextSigningKey: qstash.nextSigningKey,
  devMode: false,
});

const deliveriesTo = (path: string) => destination.received.filter((r) => r.path === path);

Deno.test("Client.publishJSON() is delivered with a signature the real Receiver accepts", async (t) => {
  const url = `${destination.url}/hello`;
  const published = await client.publishJSON({
    url,
    body: { hello: "world", n: 1 },
    headers: { "X-Trace-Id": "trace-123" },
  });
  assert.match(published.messageId, /^msg_/);
  assert.equal(published.url, url);
  const [delivery] = await waitFor(
    "the delivery",
    () => deliveriesTo("/hello").length > 0 && deliveriesTo("/hello"),
  );

  await t.step("with the body, content type, forwarded headers and QStash headers", () => {
    assert.equal(delivery!.method, "POST");
    assert.deepEqual(JSON.parse(delivery!.body), { hello: "world", n: 1 });
    assert.equal(delivery!.headers.get("content-type"), "application/json");
    assert.equal(delivery!.headers.get("x-trace-id"), "trace-123");
    assert.equal(delivery!.headers.get("upstash-message-id"), published.messageId);
    assert.equal(delivery!.headers.get("upstash-retried"), "0");
    assert.equal(delivery!.headers.get("user-agent"), "Upstash-QStash");
  });

  const signature = delivery!.headers.get("upstash-signature")!;
  await t.step("which Receiver.verify() accepts for that URL and body", async () => {
    assert.equal(await receiver.verify({ signature, body: delivery!.body, url }), true);
  });
  await t.step("and rejects with another body, another URL, or other keys", async () => {
    await assert.rejects(
      receiver.verify({ signature, body: delivery!.body + " ", url }),
      SignatureError,
    );
    await assert.rejects(
      receiver.verify({ signature, body: delivery!.body, url: `${url}/other` }),
      SignatureError,
    );
    const stranger = new Receiver({
      currentSigningKey: "sig_not_the_key",
      nextSigningKey: "sig_not_the_next_key_either",
      devMode: false,
    });
    await assert.rejects(stranger.verify({ signature, body: delivery!.body, url }), SignatureError);
  });
  await t.step(
    "and a Receiver holding only the next key still accepts it after rotation",
    async () => {
      const keys = await (await fetch(`${baseUrl}/v2/keys`, {
        headers: { authorization: `Bearer ${qstash.token}` },
      })).json();
      assert.deepEqual(keys, { current: qstash.currentSigningKey, next: qstash.nextSigningKey });
      const rotating = new Receiver({
        currentSigningKey: "sig_retired_key",
        nextSigningKey: qstash.currentSigningKey,
        devMode: false,
      });
      assert.equal(await rotating.verify({ signature, body: delivery!.body, url }), true);
    },
  );
});

Deno.test("Client.publishJSON() with the same deduplicationId is delivered once", async () => {
  const url = `${destination.url}/dedup`;
  const first = await client.publishJSON({ url, body: { n: 1 }, deduplicationId: "order-42" });
  const second = await client.publishJSON({ url, body: { n: 2 }, deduplicationId: "order-42" });
  assert.equal(second.messageId, first.messageId);
  assert.equal(second.deduplicated, true);
  assert.notEqual(first.deduplicated, true);
  const other = await client.publishJSON({ url, body: { n: 3 }, deduplicationId: "order-43" });
  assert.notEqual(other.messageId, first.messageId);
  await waitFor("two deliveries", () => deliveriesTo("/dedup").length >= 2);
  await qstash.processDue();
  assert.deepEqual(deliveriesTo("/dedup").map((r) => JSON.parse(r.body).n).sort(), [1, 3]);
});

Deno.test("messages.get() shows a delayed message and messages.cancel() stops it", async () => {
  const url = `${destination.url}/delayed`;
  const before = Date.now();
  const { messageId } = await client.publishJSON({
    url,
    body: { later: true },
    delay: 3600,
    retries: 2,
  });
  const message = await client.messages.get(messageId);
  assert.equal(message.messageId, messageId);
  assert.equal(message.url, url);
  assert.equal(message.body, JSON.stringify({ later: true }));
  assert.equal(message.maxRetries, 2);
  assert.ok(message.notBefore! >= before + 3600_000 - 1000, "notBefore is an hour away");
  assert.deepEqual(await client.messages.cancel(messageId), { cancelled: 1 });
  await assert.rejects(
    client.messages.get(messageId),
    (error: unknown) => error instanceof QstashError && error.status === 404,
  );
  await qstash.processDue();
  assert.equal(deliveriesTo("/delayed").length, 0);
});

Deno.test("a failing destination is retried with Upstash-Retried counting up until it succeeds", async () => {
  destination.on(
    "/flaky",
    (_req, count) => new Response("not yet", { status: count < 3 ? 500 : 200 }),
  );
  await client.publishJSON({ url: `${destination.url}/flaky`, body: { n: 1 }, retries: 3 });
  await waitFor("the successful attempt", () => deliveriesTo("/flaky").length >= 3);
  await qstash.processDue();
  assert.deepEqual(deliveriesTo("/flaky").map((r) => r.headers.get("upstash-retried")), [
    "0",
    "1",
    "2",
  ]);
});

Deno.test("retries run out into the dead-letter queue, with the failure callback called", async () => {
  destination.on("/broken", () => new Response("boom", { status: 502 }));
  const { messageId } = await client.publishJSON({
    url: `${destination.url}/broken`,
    body: { doomed: true },
    retries: 1,
    failureCallback: `${destination.url}/failure-callback`,
  });
  const dead = await waitFor("the dead letter", async () => {
    const { messages } = await client.dlq.listMessages({ filter: { messageId } });
    return messages[0];
  });
  assert.equal(deliveriesTo("/broken").length, 2, "the first attempt and one retry");
  assert.equal(dead.responseStatus, 502);
  assert.equal(dead.responseBody, "boom");
  assert.equal(dead.url, `${destination.url}/broken`);
  assert.equal(dead.body, JSON.stringify({ doomed: true }));
  await assert.rejects(client.messages.get(messageId), QstashError);

  const [callback] = await waitFor(
    "the failure callback",
    () => deliveriesTo("/failure-callback").length > 0 && deliveriesTo("/failure-callback"),
  );
  const payload = JSON.parse(callback!.body);
  assert.equal(payload.sourceMessageId, messageId);
  assert.equal(payload.status, 502);
  assert.equal(atob(payload.body), "boom");
  assert.equal(payload.retried, 1);
  assert.equal(payload.maxRetries, 1);
  assert.equal(
    await receiver.verify({
      signature: callback!.headers.get("upstash-signature")!,
      body: callback!.body,
      url: `${destination.url}/failure-callback`,
    }),
    true,
  );

  await client.dlq.delete(dead.dlqId);
  const { messages } = await client.dlq.listMessages({ filter: { messageId } });
  assert.equal(messages.length, 0);
});

Deno.test("a success callback receives the destination's response", async () => {
  destination.on("/answers", () => new Response("forty-two"));
  const { messageId } = await client.publishJSON({
    url: `${destination.url}/answers`,
    body: {},
    callback: `${destination.url}/callback`,
  });
  const [callback] = await waitFor(
    "the callback",
    () => deliveriesTo("/callback").length > 0 && deliveriesTo("/callback"),
  );
  const payload = JSON.parse(callback!.body);
  assert.equal(payload.sourceMessageId, messageId);
  assert.equal(payload.status, 200);
  assert.equal(atob(payload.body), "forty-two");
});

Deno.test("schedules.create(), list(), get() and delete() manage cron schedules", async () => {
  const destinationUrl = `${destination.url}/cron`;
  const { scheduleId } = await client.schedules.create({
    destination: destinationUrl,
    cron: "*/5 * * * *",
    body: JSON.stringify({ tick: true }),
    headers: { "Content-Type": "application/json" },
    scheduleId: "conformance-schedule",
    retries: 2,
  });
  assert.equal(scheduleId, "conformance-schedule");
  const listed = await client.schedules.list();
  const mine = listed.find((s) => s.scheduleId === scheduleId);
  assert.ok(mine, "the schedule is listed");
  assert.equal(mine.cron, "*/5 * * * *");
  assert.equal(mine.destination, destinationUrl);
  assert.equal(mine.retries, 2);
  assert.equal(mine.isPaused, false);
  const got = await client.schedules.get(scheduleId);
  assert.ok(got.nextScheduleTime! > Date.now(), "the next firing is in the future");
  assert.equal(new Date(got.nextScheduleTime!).getUTCMinutes() % 5, 0);

  await client.schedules.create({
    destination: destinationUrl,
    cron: "0 9 * * 1",
    scheduleId,
  });
  assert.equal((await client.schedules.get(scheduleId)).cron, "0 9 * * 1", "upsert by id");

  await client.schedules.pause({ schedule: scheduleId });
  assert.equal((await client.schedules.get(scheduleId)).isPaused, true);
  await client.schedules.resume({ schedule: scheduleId });
  assert.equal((await client.schedules.get(scheduleId)).isPaused, false);

  await client.schedules.delete(scheduleId);
  assert.ok(!(await client.schedules.list()).some((s) => s.scheduleId === scheduleId));
  await assert.rejects(
    client.schedules.get(scheduleId),
    (error: unknown) => error instanceof QstashError && error.status === 404,
  );
});

Deno.test("the API refuses a wrong token, a bad cron and a non-URL destination", async () => {
  const intruder = new Client({
    baseUrl,
    token: "not-the-token",
    devMode: false,
    enableTelemetry: false,
    retry: false,
  });
  await assert.rejects(
    intruder.publishJSON({ url: `${destination.url}/x`, body: {} }),
    (error: unknown) => error instanceof QstashError && error.status === 401,
  );
  await assert.rejects(
    client.schedules.create({ destination: `${destination.url}/x`, cron: "every tuesday" }),
    (error: unknown) => error instanceof QstashError && error.status === 400,
  );
  await assert.rejects(
    client.publishJSON({ url: "ftp://example.test/x", body: {} }),
    (error: unknown) => error instanceof QstashError && error.status === 400,
  );
});
