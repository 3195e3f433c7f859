import type { Sql } from "../db/mod.ts";
import { HttpError } from "../http/errors.ts";
import { hashApiKey, parseApiKey } from "./format.ts";

/** A key that verified: the principal a request runs as. */
export interface ApiKeyPrincipal {
  keyId: string;
  orgId: string;
  role: "viewer" | "analyst";
}

/** Checks API keys against the database. */
export interface ApiKeyVerifier {
  /**
   * The principal of a live key; records its last use (at most once a minute).
   *
   * @param key the whole key the caller sent
   * @param address the caller's address, for "last used from"
   * @throws {HttpError} 401 for an unknown, malformed, revoked or expired key
   */
  verify(key: string, address: string): Promise<ApiKeyPrincipal>;
}

/**
 * Verifies keys with one primary-key lookup per call and no cache, so a revoked
 * or expired key is refused on its next request in every process. (User
 * sessions are cached for SESSION_CHECK_TTL_MS; keys need not be: the lookup is
 * as cheap as that session check.)
 *
 * @param sql the pool, as the server's login role (the lookup is a security-definer function)
 */
export function createApiKeyVerifier(sql: Sql): ApiKeyVerifier {
  return {
    async verify(key, address) {
      const parsed = parseApiKey(key);
      if (!parsed) throw invalid();
      const hash = await hashApiKey(key);
      const [row] = await sql<
        {
          org_id: string;
          role: "viewer" | "analyst";
          expires_at: Date | null;
          revoked_at: Date | null;
        }[]
      >`select org_id, role, expires_at, revoked_at
        from private.authenticate_api_key(${parsed.id}::uuid, ${hash}, ${address})`;
      if (!row) throw invalid();
      if (row.revoked_at) {
        throw new HttpError(401, "This API key has been revoked", { code: "api_key_revoked" });
      }
      if (row.expires_at && row.expires_at.getTime() <= Date.now()) {
        throw new HttpError(401, "This API key has expired", { code: "api_key_expired" });
      }
      return { keyId: parsed.id, orgId: row.org_id, role: row.role };
    },
  };
}

function invalid(): HttpError {
  return new HttpError(401, "The API key is not valid", { code: "invalid_api_key" });
}
