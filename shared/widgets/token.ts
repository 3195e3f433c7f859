/**
 * Embed tokens: `ciq_embed_<id>_<secret>`, the embed's UUID as 32 hex digits
 * (finds the row) and 32 random bytes in base64url. Only the SHA-256 of the
 * whole token is stored (256 random bits: a fast hash is as safe as a slow one).
 *
 * @module
 */

import { hashApiKey } from "../api_keys/format.ts";

/** What every embed token starts with. */
export const EMBED_TOKEN_START = "ciq_embed_";

/** Matches one whole embed token. */
export const EMBED_TOKEN_PATTERN = /^ciq_embed_([0-9a-f]{32})_([A-Za-z0-9_-]{43})$/;

/** A new token: shown once to its creator, never stored. */
export interface GeneratedEmbedToken {
  id: string;
  token: string;
  prefix: string;
  hash: string;
}

/** Generates a token with a fresh id. */
export async function generateEmbedToken(): Promise<GeneratedEmbedToken> {
  const id = crypto.randomUUID();
  const prefix = `${EMBED_TOKEN_START}${id.replaceAll("-", "")}`;
  const bytes = crypto.getRandomValues(new Uint8Array(32));
  const secret = btoa(String.fromCharCode(...bytes)).replaceAll("+", "-").replaceAll("/", "_")
    .replace(/=+$/, "");
  const token = `${prefix}_${secret}`;
  return { id, token, prefix, hash: await hashEmbedToken(token) };
}

/**
 * The embed id a token names, or null when it is not shaped like a token.
 *
 * @param token what the caller sent
 */
export function parseEmbedToken(token: string): string | null {
  const hex = EMBED_TOKEN_PATTERN.exec(token)?.[1];
  if (!hex) return null;
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${
    hex.slice(20)
  }`;
}

/**
 * Hex SHA-256 of a whole token.
 *
 * @param token the token
 */
export function hashEmbedToken(token: string): Promise<string> {
  return hashApiKey(token);
}
