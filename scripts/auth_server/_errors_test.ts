import assert from "node:assert/strict";
import { AuthError, errorResponse, OAuthError, requestedApiVersion } from "./_errors.ts";

const request = (version?: string) =>
  new Request("http://localhost/auth/v1/signup", {
    headers: version ? { "X-Supabase-Api-Version": version } : {},
  });

Deno.test("requestedApiVersion() picks 2024-01-01 only for that date or later", () => {
  assert.equal(requestedApiVersion(request("2024-01-01")), "2024-01-01");
  assert.equal(requestedApiVersion(request("2025-06-30")), "2024-01-01");
  assert.equal(requestedApiVersion(request("2023-12-31")), null);
  assert.equal(requestedApiVersion(request("yesterday")), null);
  assert.equal(requestedApiVersion(request()), null);
});

Deno.test("errorResponse() keeps weak-password reasons in both shapes", async () => {
  const weak = new AuthError(422, "weak_password", "Password should be at least 8 characters.", {
    reasons: ["length"],
  });
  const current = errorResponse(weak, request("2024-01-01"));
  assert.equal(current.status, 422);
  assert.equal(current.headers.get("x-sb-error-code"), "weak_password");
  assert.deepEqual(await current.json(), {
    code: "weak_password",
    message: "Password should be at least 8 characters.",
    weak_password: { reasons: ["length"] },
  });
  const legacy = errorResponse(weak, request());
  assert.equal(legacy.headers.get("X-Supabase-Api-Version"), null);
  assert.deepEqual(await legacy.json(), {
    code: 422,
    error_code: "weak_password",
    msg: "Password should be at least 8 characters.",
    weak_password: { reasons: ["length"] },
  });
});

Deno.test("errorResponse() adds the request id to legacy 5xx bodies only", async () => {
  const failure = new AuthError(500, "unexpected_failure", "Database error saving new user");
  assert.equal((await errorResponse(failure, request(), "req-1").json()).error_id, "req-1");
  assert.equal(
    (await errorResponse(failure, request("2024-01-01"), "req-1").json()).error_id,
    undefined,
  );
});

Deno.test("errorResponse() renders OAuth errors as {error, error_description}", async () => {
  const res = errorResponse(
    new OAuthError("invalid_request", "refresh_token required"),
    request("2024-01-01"),
  );
  assert.equal(res.status, 400);
  assert.deepEqual(await res.json(), {
    error: "invalid_request",
    error_description: "refresh_token required",
  });
});
