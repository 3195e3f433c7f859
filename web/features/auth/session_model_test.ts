import assert from "node:assert/strict";
import { UserFacingError } from "../../lib/api_error.ts";
import { toAuthError } from "./auth_errors.ts";
import { type AuthApi, createSessionModel, readAuthRedirect } from "./session_model.ts";

Deno.test("readAuthRedirect() reads what an email link brought back", () => {
  assert.deepEqual(
    readAuthRedirect("https://app.test/reset-password#access_token=a&type=recovery"),
    {
      type: "recovery",
      error: null,
      errorCode: null,
    },
  );
  assert.deepEqual(
    readAuthRedirect(
      "https://app.test/auth/callback#error=access_denied&error_code=otp_expired&error_description=Email+link+is+invalid+or+has+expired",
    ),
    { type: null, error: "Email link is invalid or has expired", errorCode: "otp_expired" },
  );
});

Deno.test("toAuthError() gives users a message for each auth failure", () => {
  assert.equal(
    toAuthError({ code: "invalid_credentials", status: 400 }, "sign in").message,
    "Incorrect email or password.",
  );
  assert.match(
    toAuthError({ name: "AuthRetryableFetchError", status: 0 }, "sign in").message,
    /Cannot reach/,
  );
  assert.equal(
    toAuthError(
      { code: "weak_password", status: 422, message: "Password should contain a digit" },
      "sign up",
    ).message,
    "Password should contain a digit",
  );
  assert.equal(
    toAuthError(new Error("boom"), "sign in").message,
    "Could not sign in just now. Try again in a moment.",
  );
});

Deno.test("createSessionModel() signs up with the organization name and the callback URL", async () => {
  const calls: unknown[] = [];
  const auth = {
    signUp: (input: unknown) => {
      calls.push(input);
      return Promise.resolve({ data: { user: { id: "u" }, session: null }, error: null });
    },
    signInWithPassword: () =>
      Promise.resolve({
        data: { user: null, session: null },
        error: { code: "invalid_credentials", status: 400 },
      }),
  } as unknown as AuthApi;
  const session = createSessionModel(auth, { origin: "https://app.test" });
  const result = await session.signUp({
    email: " a@b.test ",
    password: "pw",
    organizationName: " Acme ",
  });
  assert.deepEqual(result, { needsConfirmation: true });
  assert.deepEqual(calls[0], {
    email: "a@b.test",
    password: "pw",
    options: {
      data: { organization_name: "Acme" },
      emailRedirectTo: "https://app.test/auth/callback",
    },
  });
  await assert.rejects(session.signIn("a@b.test", "nope"), (error: unknown) => {
    assert.ok(error instanceof UserFacingError);
    assert.equal(error.message, "Incorrect email or password.");
    return true;
  });
});
