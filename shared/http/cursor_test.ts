import assert from "node:assert/strict";
import { Buffer } from "node:buffer";
import { cursorInstantText, cursorTimestamp, decodeCursor, encodeCursor } from "./cursor.ts";
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

Deno.test("values no cursor of ours carries are a 400 before any parse", () => {
  const anything = (values: unknown[]) => values;
  for (
    const values of [
      ["a\u0000b", "1"],
      ["\ud800", "1"],
      [1e308, "1"],
      [2 ** 53 + 2, "1"],
      [[1], "1"],
      [{ a: 1 }, "1"],
      Array.from({ length: 17 }, () => "x"),
    ]
  ) {
    assert.throws(
      () => decodeCursor(encodeCursor(values), anything),
      (error: unknown) => error instanceof HttpError && error.code === "invalid_cursor",
      JSON.stringify(values),
    );
  }
  const huge = Buffer.from('["x", 1e999999]').toString("base64url");
  assert.throws(() => decodeCursor(huge, anything), HttpError);
});

Deno.test("cursorTimestamp() accepts ISO instants Postgres can hold, nothing else", () => {
  assert.equal(
    cursorTimestamp("2026-01-31T12:00:00.000Z")?.toISOString(),
    "2026-01-31T12:00:00.000Z",
  );
  assert.ok(cursorTimestamp("2026-01-31T12:00:00+02:00"));
  for (
    const bad of [
      "-200000-01-01T00:00:00.000Z",
      "+275760-09-13T00:00:00.000Z",
      "0000-01-01T00:00:00Z",
      "2026-13-45T00:00:00Z",
      "Jan 1 2026",
      "1767225600000",
      1767225600000,
      null,
    ]
  ) {
    assert.equal(cursorTimestamp(bad), null, String(bad));
  }
});

Deno.test("cursorInstantText() keeps a database instant's microseconds and refuses impossible ones", () => {
  assert.equal(cursorInstantText("2026-01-31T12:00:00.123456Z"), "2026-01-31T12:00:00.123456Z");
  for (
    const bad of [
      "2026-02-30T00:00:00.000000Z",
      "2026-01-01T24:00:00.000000Z",
      "2026-01-01T00:00:00.000000+01:00",
      "yesterday",
      12,
    ]
  ) {
    assert.equal(cursorInstantText(bad), null, String(bad));
  }
});
