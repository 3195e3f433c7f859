import assert from "node:assert/strict";
import { HttpError, httpErrorFromPostgres } from "./errors.ts";

Deno.test("HttpError derives its code from the status and renders the one error shape", () => {
  const error = new HttpError(404, "Organization not found");
  assert.deepEqual(error.toBody(), {
    error: { code: "not_found", message: "Organization not found", details: null },
  });
});

Deno.test("HttpError keeps an explicit code, details and headers", () => {
  const error = new HttpError(429, "Slow down", {
    code: "too_many_syncs",
    details: { retryAfter: 3 },
    headers: { "Retry-After": "3" },
  });
  assert.equal(error.code, "too_many_syncs");
  assert.deepEqual(error.details, { retryAfter: 3 });
  assert.equal(error.headers["Retry-After"], "3");
});

Deno.test("httpErrorFromPostgres() maps our CQ exceptions to their status and hint", () => {
  const error = httpErrorFromPostgres({
    code: "CQ409",
    message: "The organization needs at least one owner",
    hint: "last_owner",
  });
  assert.equal(error?.status, 409);
  assert.equal(error?.code, "last_owner");
  assert.equal(error?.message, "The organization needs at least one owner");
});

Deno.test("httpErrorFromPostgres() hides Postgres' own messages", () => {
  const error = httpErrorFromPostgres({
    code: "23505",
    message: 'duplicate key value violates unique constraint "organizations_slug_key"',
    constraint_name: "organizations_slug_key",
  });
  assert.equal(error?.status, 409);
  assert.ok(!error?.message.includes("duplicate key"));
  assert.deepEqual(error?.details, { constraint: "organizations_slug_key" });
});

Deno.test("httpErrorFromPostgres() leaves server faults to the 500 handler", () => {
  assert.equal(httpErrorFromPostgres({ code: "XX000", message: "internal" }), null);
  assert.equal(httpErrorFromPostgres(new Error("boom")), null);
});

Deno.test("httpErrorFromPostgres() turns every data exception (class 22) into a 400", () => {
  for (const code of ["22003", "22008", "22021", "22P05", "22007", "22023", "2201E"]) {
    const error = httpErrorFromPostgres({ code, message: "value out of range" });
    assert.equal(error?.status, 400, code);
    assert.equal(error?.code, "invalid_value", code);
    assert.ok(!error?.message.includes("out of range: value"), "Postgres' text stays hidden");
  }
  assert.equal(httpErrorFromPostgres({ code: "22001" })?.status, 422, "too long keeps its 422");
});
