import {
  errors as joseErrors,
  exportJWK,
  generateKeyPair,
  importJWK,
  type JSONWebKeySet,
  type JWK,
  type JWTPayload,
  jwtVerify,
  SignJWT,
} from "jose";
import type postgres from "postgres";
import type { Sql } from "../../shared/db/mod.ts";
import { AuthError } from "./_errors.ts";

type JSONValue = postgres.JSONValue;
const TEN_YEARS_SECONDS = 10 * 365 * 24 * 3600;

/** The claims GoTrue puts in an access token (supabase/auth, `internal/api/token.go` AccessTokenClaims). */
export interface AccessTokenClaims extends JWTPayload {
  iss: string;
  sub: string;
  aud: string;
  exp: number;
  iat: number;
  email: string;
  phone: string;
  app_metadata: Record<string, unknown>;
  user_metadata: Record<string, unknown>;
  role: string;
  aal: string;
  amr: { method: string; timestamp: number }[];
  session_id: string;
  is_anonymous: boolean;
}

/** The current signing key and what is derived from it. */
export interface SigningKeys {
  readonly kid: string;
  readonly anonKey: string;
  readonly serviceRoleKey: string;
  /** The public keys, as `/.well-known/jwks.json` lists them. */
  jwks(): JSONWebKeySet;
  /** Signs claims with ES256 and the current `kid`. */
  sign(claims: AccessTokenClaims): Promise<string>;
  /**
   * Verifies a bearer token's signature and expiry at `nowMs`.
   *
   * @throws {AuthError} 403 `bad_jwt`, worded as GoTrue's golang-jwt errors
   */
  verify(token: string, nowMs: number): Promise<JWTPayload>;
}

interface KeyRow {
  kid: string;
  private_jwk: JWK;
  public_jwk: JWK;
  anon_key: string;
  service_role_key: string;
}

/**
 * Loads the newest signing key from `auth_dev.signing_keys`, creating an ES256
 * key (and the legacy-style anon and service-role API keys) on first use, so
 * tokens stay valid across restarts of the dev server.
 *
 * @param sql the login-role pool
 * @param nowMs the current time, for the API keys' `iat`
 */
export async function loadSigningKeys(sql: Sql, nowMs: number): Promise<SigningKeys> {
  // The advisory lock keeps two dev servers starting at once from minting two keys.
  const row = await sql.begin(async (tx) => {
    await tx`select pg_advisory_xact_lock(hashtext('complianceiq.auth_dev.signing_keys'))`;
    const existing = await newestKey(tx);
    if (existing) return existing;
    const created = await createKeyRow(nowMs);
    await tx`
      insert into auth_dev.signing_keys
        (kid, private_jwk, public_jwk, anon_key, service_role_key, created_at)
      values (${created.kid}, ${tx.json(created.private_jwk as JSONValue)},
              ${tx.json(created.public_jwk as JSONValue)}, ${created.anon_key},
              ${created.service_role_key}, ${new Date(nowMs)})`;
    return created;
  });
  const privateKey = await importJWK(row.private_jwk, "ES256");
  const publicKey = await importJWK(row.public_jwk, "ES256");
  const kid = row.kid;
  const publicJwk = row.public_jwk;

  return {
    kid,
    anonKey: row.anon_key,
    serviceRoleKey: row.service_role_key,
    jwks: () => ({ keys: [{ ...publicJwk }] }),
    sign: (claims) =>
      new SignJWT(claims).setProtectedHeader({ alg: "ES256", kid, typ: "JWT" }).sign(privateKey),
    async verify(token, nowMs) {
      const parts = token.split(".");
      if (parts.length !== 3) {
        throw badJwt("token is malformed: token contains an invalid number of segments");
      }
      let header: { kid?: unknown; alg?: unknown };
      try {
        header = JSON.parse(new TextDecoder().decode(base64UrlDecode(parts[0]!)));
      } catch {
        throw badJwt("token is malformed: could not JSON decode header");
      }
      if (header.kid !== kid) {
        throw badJwt(
          `token is unverifiable: error while executing keyfunc: unrecognized JWT kid ${
            header.kid ?? "<nil>"
          } for algorithm ${header.alg ?? "<nil>"}`,
        );
      }
      try {
        const { payload } = await jwtVerify(token, publicKey, {
          algorithms: ["ES256"],
          currentDate: new Date(nowMs),
        });
        return payload;
      } catch (error) {
        if (error instanceof joseErrors.JWTExpired) {
          throw badJwt("token has invalid claims: token is expired", error);
        }
        if (error instanceof joseErrors.JWSSignatureVerificationFailed) {
          throw badJwt("token signature is invalid: crypto/ecdsa: verification error", error);
        }
        if (error instanceof joseErrors.JWTClaimValidationFailed) {
          throw badJwt(`token has invalid claims: ${error.message}`, error);
        }
        throw badJwt("token is malformed: could not base64 decode or parse the token", error);
      }
    },
  };
}

function badJwt(detail: string, cause?: unknown): AuthError {
  return new AuthError(
    403,
    "bad_jwt",
    `invalid JWT: unable to parse or verify signature, ${detail}`,
    { cause },
  );
}

async function newestKey(sql: postgres.ISql): Promise<KeyRow | undefined> {
  const [row] = await sql<KeyRow[]>`
    select kid, private_jwk, public_jwk, anon_key, service_role_key
    from auth_dev.signing_keys order by created_at desc, kid limit 1`;
  return row;
}

async function createKeyRow(nowMs: number): Promise<KeyRow> {
  const { privateKey, publicKey } = await generateKeyPair("ES256", { extractable: true });
  const kid = crypto.randomUUID();
  const private_jwk: JWK = { ...(await exportJWK(privateKey)), kid, alg: "ES256" };
  const public_jwk: JWK = {
    ...(await exportJWK(publicKey)),
    kid,
    alg: "ES256",
    use: "sig",
    key_ops: ["verify"],
  };
  const iat = Math.floor(nowMs / 1000);
  // Shaped like Supabase's legacy API keys; signed with the same key as user
  // tokens, since this server has no legacy HS256 secret.
  const apiKey = (role: string) =>
    new SignJWT({ iss: "supabase", ref: "local", role })
      .setProtectedHeader({ alg: "ES256", kid, typ: "JWT" })
      .setIssuedAt(iat)
      .setExpirationTime(iat + TEN_YEARS_SECONDS)
      .sign(privateKey);
  return {
    kid,
    private_jwk,
    public_jwk,
    anon_key: await apiKey("anon"),
    service_role_key: await apiKey("service_role"),
  };
}

function base64UrlDecode(text: string): Uint8Array {
  const padded = text.replaceAll("-", "+").replaceAll("_", "/").padEnd(
    Math.ceil(text.length / 4) * 4,
    "=",
  );
  return Uint8Array.from(atob(padded), (ch) => ch.charCodeAt(0));
}
