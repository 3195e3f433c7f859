import assert from "node:assert/strict";
import { Hono } from "hono";
import { createLogger } from "../log/mod.ts";
import type { AppEnv } from "./app.ts";
import { type ProgressStreamOptions, streamProgress } from "./sse.ts";

interface Item {
  status: string;
  step: number;
}

function streamOf(items: (Item | null)[], overrides: Partial<ProgressStreamOptions<Item>> = {}) {
  const lines: string[] = [];
  const app = new Hono<AppEnv>();
  app.get("/events", (c) => {
    c.set("log", createLogger({ sink: (line) => lines.push(line) }));
    const queue = [...items];
    return streamProgress(c, {
      event: "item",
      first: queue.shift()!,
      read: () => Promise.resolve(queue.shift() ?? null),
      stamp: (item) => `${item.status}|${item.step}`,
      status: (item) => item.status,
      pollMs: 1,
      noun: "item",
      logMessage: "item event stream failed",
      ...overrides,
    });
  });
  return { app, lines };
}

async function events(res: Response): Promise<{ event?: string; id?: string; data?: string }[]> {
  const text = await res.text();
  return text.split("\n\n").filter(Boolean).map((chunk) => ({
    event: /^event: (.*)$/m.exec(chunk)?.[1],
    id: /^id: (.*)$/m.exec(chunk)?.[1],
    data: /^data: (.*)$/m.exec(chunk)?.[1],
  }));
}

Deno.test("streamProgress() sends each change once, then end with the final status", async () => {
  const { app } = streamOf([
    { status: "queued", step: 0 },
    { status: "running", step: 1 },
    { status: "running", step: 1 },
    { status: "succeeded", step: 2 },
  ]);
  const res = await app.request("/events");
  assert.match(res.headers.get("content-type") ?? "", /text\/event-stream/);
  assert.deepEqual(await events(res), [
    { event: "item", id: "queued|0", data: '{"status":"queued","step":0}' },
    { event: "item", id: "running|1", data: '{"status":"running","step":1}' },
    { event: "item", id: "succeeded|2", data: '{"status":"succeeded","step":2}' },
    { event: "end", id: undefined, data: '{"status":"succeeded"}' },
  ]);
});

Deno.test("streamProgress() ends with status deleted when the item disappears", async () => {
  const { app } = streamOf([{ status: "running", step: 0 }, null]);
  const received = await events(await app.request("/events"));
  assert.deepEqual(received.at(-1), { event: "end", id: undefined, data: '{"status":"deleted"}' });
});

Deno.test("streamProgress() logs a failure and tells the client to poll instead", async () => {
  const { app, lines } = streamOf([{ status: "running", step: 0 }], {
    read: () => Promise.reject(new Error("database gone")),
  });
  const received = await events(await app.request("/events"));
  assert.deepEqual(received.find((e) => e.event === "error"), {
    event: "error",
    id: undefined,
    data: '{"message":"The progress stream failed; poll the item instead"}',
  });
  assert.ok(lines.some((line) => line.includes("item event stream failed")));
});
