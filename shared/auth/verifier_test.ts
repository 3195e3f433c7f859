import assert from "node:assert/strict";
import { exportJWK, generateKeyPair, SignJWT } from "jose";
import { HttpError } from "../http/errors.ts";
import { createTokenVerifier } from "./mod.ts";

const { privateKey, publicKey } = await generateKeyPair("ES256", { extractable: true });
const jwks = { keys: [{ ...(await exportJWK(publicKey)), kid: "k1", alg: "ES256" }] };

function token(claims: Record<string, unknown>, exp: number, key = privateKey) {
  return new SignJWT({ role: "authenticated", ...claims })
    .setProtectedHeader({ alg: "ES256", kid: "k1" })
    .setSubject("7d9f0c9e-8a55-4f61-9c1f-1c6f0e4c0a11")
    .setAudience("authenticated")
    .setExpirationTime(exp)
    .sign(key);
}

Deno.test("createTokenVerifier() returns the claims of a valid token", async () => {
  const verifier = createTokenVerifier({ jwks });
  const claims = await verifier.verify(await token({ email: "a@b.c" }, Date.now() / 1000 + 60));
  assert.equal(claims.sub, "7d9f0c9e-8a55-4f61-9c1f-1c6f0e4c0a11");
  assert.equal(claims.email, "a@b.c");
});

Deno.test("createTokenVerifier() strips ciq_ claims that only server code may set", async () => {
  const verifier = createTokenVerifier({ jwks });
  const claims = await verifier.verify(
    await token({ ciq_actor: "worker", ciq_org_id: "x" }, Date.now() / 1000 + 60),
  );
  assert.equal(claims.ciq_actor, undefined);
  assert.equal(claims.ciq_org_id, undefined);
});

Deno.test("createTokenVerifier() refuses a cached token once it expires", async () => {
  let now = Date.now();
  const verifier = createTokenVerifier({ jwks, now: () => now });
  const jwt = await token({}, Math.floor(now / 1000) + 30);
  await verifier.verify(jwt);
  await verifier.verify(jwt);
  now += 31_000;
  await assert.rejects(
    () => verifier.verify(jwt),
    (e: unknown) => e instanceof HttpError && e.status === 401 && e.code === "token_expired",
  );
});

Deno.test("createTokenVerifier() refuses anon tokens and foreign signatures", async () => {
  const verifier = createTokenVerifier({ jwks });
  const anon = await token({ role: "anon" }, Date.now() / 1000 + 60);
  await assert.rejects(
    () => verifier.verify(anon),
    (e: unknown) => e instanceof HttpError && e.status === 401,
  );
  const other = await generateKeyPair("ES256");
  const forged = await token({}, Date.now() / 1000 + 60, other.privateKey);
  await assert.rejects(
    () => verifier.verify(forged),
    (e: unknown) => e instanceof HttpError && e.code === "invalid_token",
  );
});

Deno.test("createTokenVerifier() verifies HS256 tokens with the legacy secret", async () => {
  const secret = "super-secret-jwt-token-with-at-least-32-characters-long";
  const verifier = createTokenVerifier({ jwtSecret: secret });
  const jwt = await new SignJWT({ role: "authenticated" })
    .setProtectedHeader({ alg: "HS256" })
    .setSubject("7d9f0c9e-8a55-4f61-9c1f-1c6f0e4c0a11")
    .setAudience("authenticated")
    .setExpirationTime("1h")
    .sign(new TextEncoder().encode(secret));
  assert.equal((await verifier.verify(jwt)).sub, "7d9f0c9e-8a55-4f61-9c1f-1c6f0e4c0a11");
});
