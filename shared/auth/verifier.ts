import {
  createLocalJWKSet,
  createRemoteJWKSet,
  errors as joseErrors,
  type JSONWebKeySet,
  type JWTPayload,
  jwtVerify,
  type JWTVerifyGetKey,
} from "jose";
import type { JwtClaims } from "../db/mod.ts";
import { HttpError } from "../http/errors.ts";
import type { SessionCheck } from "./sessions.ts";

/** Verifies Supabase access tokens. */
export interface TokenVerifier {
  /**
   * Returns the claims of a valid user access token.
   *
   * @throws {HttpError} 401 when the token is missing, malformed, expired or forged
   */
  verify(token: string): Promise<JwtClaims>;
}

/** Where the verification keys come from; the first one set wins. */
export interface TokenVerifierOptions {
  /** Legacy HS256 secret (`SUPABASE_JWT_SECRET`). */
  jwtSecret?: string;
  /** A JWKS document (`SUPABASE_JWKS`, or a test key set). */
  jwks?: JSONWebKeySet;
  /** Where to fetch the JWKS; cached by jose with a cooldown. */
  jwksUrl?: URL;
  /** Expected `iss`; not checked when absent. */
  issuer?: string;
  /** Expected `aud`; `authenticated` by default, as Supabase issues it. */
  audience?: string;
  /** Verified tokens remembered until they expire; default 10 000, 0 to disable. */
  cacheSize?: number;
  /**
   * Also demand that the token's `session_id` is still live (not signed out or
   * revoked); without it a token is good until it expires.
   */
  sessions?: SessionCheck;
  /** Clock in milliseconds, for tests. */
  now?: () => number;
}

/**
 * Creates a verifier for Supabase access tokens (ES256/RS256 via JWKS, or HS256).
 *
 * @param options key source, issuer and audience
 * @throws {Error} when no key source is configured
 */
export function createTokenVerifier(options: TokenVerifierOptions): TokenVerifier {
  let key: Uint8Array | JWTVerifyGetKey;
  let algorithms: string[];
  if (options.jwtSecret) {
    key = new TextEncoder().encode(options.jwtSecret);
    algorithms = ["HS256"];
  } else if (options.jwks) {
    key = createLocalJWKSet(options.jwks);
    algorithms = ["ES256", "RS256", "EdDSA"];
  } else if (options.jwksUrl) {
    key = createRemoteJWKSet(options.jwksUrl, {
      cacheMaxAge: 10 * 60_000,
      cooldownDuration: 30_000,
    });
    algorithms = ["ES256", "RS256", "EdDSA"];
  } else {
    throw new Error(
      "Cannot verify tokens: set SUPABASE_JWT_SECRET, SUPABASE_JWKS or SUPABASE_URL",
    );
  }
  const audience = options.audience ?? "authenticated";
  const now = options.now ?? Date.now;
  // A client sends the same token for up to an hour; checking its signature once
  // is enough (ES256 verification costs ~0.5 ms of CPU). Keyed by the whole token,
  // so a cached entry can only ever match the exact bytes that were verified.
  const cacheSize = options.cacheSize ?? 10_000;
  const verified = new Map<string, { claims: JwtClaims; expiresAt: number }>();

  const sessions = options.sessions;
  const liveSession = async (claims: JwtClaims) => {
    if (!sessions) return claims;
    const sessionId = claims.session_id;
    if (typeof sessionId !== "string" || !await sessions.isLive(sessionId, claims.sub)) {
      throw new HttpError(401, "Your session has ended (signed out or revoked): sign in again", {
        code: "session_revoked",
      });
    }
    return claims;
  };

  return {
    async verify(token) {
      const hit = verified.get(token);
      if (hit) {
        if (hit.expiresAt > now()) return await liveSession(hit.claims);
        verified.delete(token);
      }
      let payload: JWTPayload;
      try {
        ({ payload } = await jwtVerify(token, key as JWTVerifyGetKey, {
          algorithms,
          audience,
          issuer: options.issuer,
          currentDate: new Date(now()),
        }));
      } catch (error) {
        if (error instanceof joseErrors.JWTExpired) {
          throw new HttpError(401, "Your session has expired: sign in again", {
            code: "token_expired",
          });
        }
        throw new HttpError(401, "The access token is invalid", {
          code: "invalid_token",
          cause: error,
        });
      }
      if (payload.role !== "authenticated" || typeof payload.sub !== "string") {
        throw new HttpError(401, "This endpoint needs a signed-in user", {
          code: "invalid_token",
        });
      }
      const claims = claimsFromPayload(payload);
      if (cacheSize > 0 && typeof payload.exp === "number") {
        if (verified.size >= cacheSize) verified.delete(verified.keys().next().value!);
        verified.set(token, { claims, expiresAt: payload.exp * 1000 });
      }
      return await liveSession(claims);
    },
  };
}

/**
 * Copies a verified payload into database claims, dropping `ciq_*` keys, which
 * only server code may set (they mark background workers).
 */
function claimsFromPayload(payload: JWTPayload): JwtClaims {
  const claims: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(payload)) {
    if (!key.startsWith("ciq_")) claims[key] = value;
  }
  return claims as JwtClaims;
}
