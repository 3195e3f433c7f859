import { z } from "zod";
import type { Cache } from "../cache/mod.ts";
import { type Database, type TenantClaims, type Tx } from "../db/mod.ts";
import { HttpError } from "../http/errors.ts";
import { readNewestFirstPage, requirePermission } from "../organizations/mod.ts";
import { generateApiKey } from "./format.ts";
import { apiKeyCallsOn } from "./usage.ts";

/** Roles a key can have: it reads, or reads and starts work; never administers. */
export const API_KEY_ROLES = ["viewer", "analyst"] as const;

/** The body of `POST /organizations/:orgId/api-keys`. */
export const createApiKeySchema = z.object({
  name: z.string().trim().min(1).max(100),
  role: z.enum(API_KEY_ROLES),
  /** When the key stops working; null or absent: never (until revoked). */
  expires_at: z.iso.datetime({ offset: true }).nullable().optional(),
}).strict();

/** What an admin asks for when creating a key. */
export type CreateApiKeyInput = z.infer<typeof createApiKeySchema>;

/** A key as its organization's admins see it (never the secret or its hash). */
export interface ApiKey {
  id: string;
  org_id: string;
  name: string;
  role: (typeof API_KEY_ROLES)[number];
  /** The public part, `ciq_live_<id>`. */
  prefix: string;
  status: "active" | "expired" | "revoked";
  created_by: { id: string; email: string | null } | null;
  created_at: string;
  expires_at: string | null;
  revoked_at: string | null;
  last_used_at: string | null;
  last_used_address: string | null;
  /** Calls made with the key today (UTC). */
  calls_today: number;
}

interface ApiKeyRow {
  id: string;
  org_id: string;
  name: string;
  role: ApiKey["role"];
  prefix: string;
  created_by: string | null;
  created_by_email: string | null;
  created_at: Date;
  expires_at: Date | null;
  revoked_at: Date | null;
  last_used_at: Date | null;
  last_used_address: string | null;
}

const NOT_FOUND = "API key not found";

const KEY_COLUMNS = (tx: Tx) =>
  tx`k.id, k.org_id, k.name, k.role, k.prefix, k.created_by,
     (select p.email from public.profiles p where p.id = k.created_by) as created_by_email,
     k.created_at, k.expires_at, k.revoked_at, k.last_used_at, k.last_used_address`;

function selectKeys(tx: Tx, orgId: string, keyId: string | null) {
  return tx<ApiKeyRow[]>`
    select ${KEY_COLUMNS(tx)}
    from public.api_keys k
    where k.org_id = ${orgId} and (${keyId}::uuid is null or k.id = ${keyId}::uuid)
    order by k.revoked_at is not null, k.created_at desc, k.id`;
}

function toApiKey(row: ApiKeyRow, calls: number, now = Date.now()): ApiKey {
  const iso = (d: Date | null) => d?.toISOString() ?? null;
  const status = row.revoked_at
    ? "revoked"
    : row.expires_at && row.expires_at.getTime() <= now
    ? "expired"
    : "active";
  return {
    id: row.id,
    org_id: row.org_id,
    name: row.name,
    role: row.role,
    prefix: row.prefix,
    status,
    created_by: row.created_by ? { id: row.created_by, email: row.created_by_email } : null,
    created_at: row.created_at.toISOString(),
    expires_at: iso(row.expires_at),
    revoked_at: iso(row.revoked_at),
    last_used_at: iso(row.last_used_at),
    last_used_address: row.last_used_address,
    calls_today: calls,
  };
}

/**
 * The organization's keys, live ones first, newest first (admins).
 *
 * @param services the database and the cache holding the call counters
 * @param claims the caller
 * @param orgId the organization
 */
export async function listApiKeys(
  services: { db: Database; cache: Cache },
  claims: TenantClaims,
  orgId: string,
  page: { limit: number; cursor?: string },
): Promise<{ data: ApiKey[]; next_cursor: string | null }> {
  // Newest first off the (org_id, created_at desc) index, revoked ones included.
  const { rows: pageRows, next_cursor } = await readNewestFirstPage(
    services.db,
    claims,
    { orgId },
    "api_keys.read",
    page,
    "k",
    (tx, k) =>
      tx<(ApiKeyRow & { cursor_key: string })[]>`
        select ${KEY_COLUMNS(tx)}, ${k.cursorKey}
        from public.api_keys k
        where k.org_id = ${orgId} ${k.after}
        ${k.orderByLimit}`,
  );
  const calls = await apiKeyCallsOn(services.cache, pageRows.map((r) => r.id));
  return { data: pageRows.map((row) => toApiKey(row, calls.get(row.id) ?? 0)), next_cursor };
}

/**
 * Creates a key (admins). The answer carries the whole key: the only time it is
 * ever shown; only its hash is kept.
 *
 * @param db the database
 * @param claims the caller (a user: keys do not make keys)
 * @param orgId the organization
 * @param input name, role and optional expiry
 */
export async function createApiKey(
  db: Database,
  claims: TenantClaims,
  orgId: string,
  input: CreateApiKeyInput,
): Promise<{ key: string; api_key: ApiKey }> {
  const expiresAt = input.expires_at ? new Date(input.expires_at) : null;
  if (expiresAt && expiresAt.getTime() <= Date.now()) {
    throw new HttpError(400, "The expiry must be in the future", {
      code: "invalid_expiry",
      details: [{ path: "expires_at", message: "must be in the future" }],
    });
  }
  const generated = await generateApiKey();
  const row = await db.asTenant(claims, async (tx) => {
    await requirePermission(tx, orgId, "api_keys.manage");
    // The plan's key limit counts live keys; the lock keeps two creations apart.
    await tx`select private.lock_org_for_limits(${orgId})`;
    const [live] = await tx<{ n: number }[]>`
      select count(*)::int as n from public.api_keys
      where org_id = ${orgId} and revoked_at is null
        and (expires_at is null or expires_at > now())`;
    await tx`select private.check_plan_limit(${orgId}, 'api_keys', ${live?.n ?? 0})`;
    await tx`
      insert into public.api_keys (id, org_id, name, role, prefix, secret_hash, created_by, expires_at)
      values (${generated.id}, ${orgId}, ${input.name}, ${input.role}, ${generated.prefix},
              ${generated.hash}, ${claims.sub}, ${expiresAt})`;
    const [created] = await selectKeys(tx, orgId, generated.id);
    return created!;
  });
  return { key: generated.key, api_key: toApiKey(row, 0) };
}

/**
 * Revokes a key (admins): it is refused from its next request on. Revoking a
 * revoked key changes nothing and answers the key as it is.
 *
 * @param services the database and the cache holding the call counters
 * @param claims the caller
 * @param orgId the organization
 * @param keyId the key
 */
export async function revokeApiKey(
  services: { db: Database; cache: Cache },
  claims: TenantClaims,
  orgId: string,
  keyId: string,
): Promise<ApiKey> {
  const row = await services.db.asTenant(claims, async (tx) => {
    await requirePermission(tx, orgId, "api_keys.manage");
    await tx`
      update public.api_keys set revoked_at = now(), revoked_by = ${claims.sub}
      where org_id = ${orgId} and id = ${keyId} and revoked_at is null`;
    const [found] = await selectKeys(tx, orgId, keyId);
    if (!found) throw new HttpError(404, NOT_FOUND);
    return found;
  });
  const calls = await apiKeyCallsOn(services.cache, [row.id]);
  return toApiKey(row, calls.get(row.id) ?? 0);
}
