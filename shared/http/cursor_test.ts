import assert from "node:assert/strict";
import { decodeCursor, encodeCursor } from "./cursor.ts";
import { HttpError } from "./errors.ts";

const asPair = (values: unknown[]) =>
  values.length === 2 && typeof values[0] === "string" && typeof values[1] === "string"
    ? { text: values[0], id: values[1] }
    : null;

Deno.test("a cursor carries any text, URL-safe", () => {
  for (const text of ["anna@example.com", "jürgen@beispiel.de", "名字@例子.中国", "a+b/c=d?&"]) {
    const cursor = encodeCursor([text, "42"]);
    assert.match(cursor, /^[A-Za-z0-9_-]+$/);
    assert.deepEqual(decodeCursor(cursor, asPair), { text, id: "42" });
  }
});

Deno.test("cursors in standard base64 (as earlier versions issued them) still read", () => {
  const legacy = btoa(JSON.stringify(["x@example.com", "7"]));
  assert.deepEqual(decodeCursor(legacy, asPair), { text: "x@example.com", id: "7" });
});

Deno.test("anything else is a 400 invalid_cursor", () => {
  for (const bad of ["garbage", "", encodeCursor([1, 2]), btoa("{}"), btoa("not json")]) {
    assert.throws(
      () => decodeCursor(bad, asPair),
      (error: unknown) =>
        error instanceof HttpError && error.status === 400 && error.code === "invalid_cursor",
      bad,
    );
  }
});
