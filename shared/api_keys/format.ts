/**
 * The API key format: `ciq_live_<id>_<secret>`, where `<id>` is the key's UUID
 * as 32 lowercase hex digits (public: it finds the row) and `<secret>` is 32
 * random bytes in base64url (43 characters). The fixed `ciq_live_` start and the
 * fixed lengths let secret scanners match leaked keys with one regular
 * expression ({@linkcode API_KEY_PATTERN}).
 *
 * Only the SHA-256 of the whole key is stored. A slow password hash defends
 * guessable secrets; this one has 256 random bits, so no hash rate makes
 * guessing feasible, and a fast hash keeps each request's check cheap.
 *
 * @module
 */

/** What every key starts with. */
export const API_KEY_START = "ciq_live_";

/** Matches one whole API key (anchored); scanners can drop the anchors. */
export const API_KEY_PATTERN = /^ciq_live_([0-9a-f]{32})_([A-Za-z0-9_-]{43})$/;

/** A newly generated key: the secret is returned to its creator once and never stored. */
export interface GeneratedApiKey {
  id: string;
  /** The whole key, `ciq_live_<id>_<secret>`. */
  key: string;
  /** The public part shown in lists, `ciq_live_<id>`. */
  prefix: string;
  /** Hex SHA-256 of the whole key: what is stored. */
  hash: string;
}

/** Generates a key with a fresh id and 256 random bits of secret. */
export async function generateApiKey(): Promise<GeneratedApiKey> {
  const id = crypto.randomUUID();
  const prefix = `${API_KEY_START}${id.replaceAll("-", "")}`;
  const secret = base64Url(crypto.getRandomValues(new Uint8Array(32)));
  const key = `${prefix}_${secret}`;
  return { id, key, prefix, hash: await hashApiKey(key) };
}

/**
 * The id a key names, or null when the text is not shaped like a key.
 *
 * @param key what the caller sent
 */
export function parseApiKey(key: string): { id: string } | null {
  const match = API_KEY_PATTERN.exec(key);
  if (!match) return null;
  const hex = match[1]!;
  return {
    id: `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${
      hex.slice(20)
    }`,
  };
}

/**
 * Hex SHA-256 of a whole key.
 *
 * @param key the key
 */
export async function hashApiKey(key: string): Promise<string> {
  const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(key));
  return Array.from(new Uint8Array(digest), (b) => b.toString(16).padStart(2, "0")).join("");
}

/**
 * Whether a bearer credential is meant as an API key (rather than a user's token).
 *
 * @param credential the bearer credential
 */
export function looksLikeApiKey(credential: string): boolean {
  return credential.startsWith("ciq_");
}

function base64Url(bytes: Uint8Array): string {
  return btoa(String.fromCharCode(...bytes)).replaceAll("+", "-").replaceAll("/", "_")
    .replace(/=+$/, "");
}
