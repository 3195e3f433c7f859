import assert from "node:assert/strict";
import { Hono } from "hono";
import { z } from "zod";
import { HttpError } from "./errors.ts";
import { readJson, readParam, readQuery, unstorableStrings } from "./validate.ts";

const app = new Hono();
app.post("/items/:id", async (c) => {
  const id = readParam(c, "id", z.string());
  const query = readQuery(c, z.object({ q: z.string().optional() }));
  const body = await readJson(c, z.object({ name: z.string(), tags: z.array(z.string()) }));
  return c.json({ id, query, body });
});
app.onError((error, c) =>
  error instanceof HttpError ? c.json(error.toBody(), error.status) : c.json({ oops: true }, 500)
);

async function post(path: string, body: unknown) {
  const res = await app.request(path, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(body),
  });
  return { status: res.status, body: await res.json() };
}

Deno.test("a NUL character anywhere in the body is a 400 naming the field", async () => {
  const res = await post("/items/1", { name: "ok", tags: ["fine", "bad\u0000"] });
  assert.equal(res.status, 400);
  assert.equal(res.body.error.code, "validation_failed");
  assert.deepEqual(res.body.error.details.map((d: { path: string }) => d.path), ["tags.1"]);
});

Deno.test("a NUL in a query parameter or a path parameter is a 400", async () => {
  const query = await post("/items/1?q=a%00b", { name: "ok", tags: [] });
  assert.equal(query.status, 400);
  assert.equal(query.body.error.details[0].path, "q");
  const param = await post("/items/a%00b", { name: "ok", tags: [] });
  assert.equal(param.status, 400);
  assert.equal(param.body.error.details[0].path, "id");
});

Deno.test("lone surrogates and NUL in object keys are refused too", () => {
  assert.deepEqual(
    unstorableStrings({ ok: "fine", "k\u0000": 1, deep: [{ x: "\udc00" }] }).map((p) => p.path),
    [
      "k\u0000",
      "deep.0.x",
    ],
  );
  assert.deepEqual(unstorableStrings({ fine: ["名字", "😀", ""] }), []);
});
