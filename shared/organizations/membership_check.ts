/**
 * A short-lived memory of who is a member of which organization, for hot read
 * paths whose answer is already cached (the dashboard and insights): a cache hit
 * then costs no database round trip at all.
 *
 * The bound is the one sign-out already has (`SESSION_CHECK_TTL_MS`): a role is
 * reused for at most `ttlMs` after it was read, so a removed member (or a
 * lowered role) is refused at most `ttlMs` later. "Not a member" is remembered
 * for the same time only, so someone just added is let in within `ttlMs`.
 * Anything that reads the database still runs under RLS, which never uses this
 * memory.
 *
 * @module
 */

import type { Database, TenantClaims } from "../db/mod.ts";
import type { Action } from "../permissions/mod.ts";
import { minimumRole } from "../permissions/mod.ts";
import type { OrgRole } from "./schemas.ts";
import { assertRole } from "./store.ts";

/** Options of {@linkcode createMembershipCheck}. */
export interface MembershipCheckOptions {
  /** How long a role read from the database is reused, in ms; 0 reads every time. */
  ttlMs: number;
  /** Roles remembered at most (oldest forgotten first); default 50 000. */
  maxEntries?: number;
  /** Clock in milliseconds, for tests. */
  now?: () => number;
}

/** Checks a caller's permission in an organization with a brief memory of roles. */
export interface MembershipCheck {
  /**
   * The caller's role when the permission matrix lets it perform `action`:
   * 404 for non-members, 403 below the action's least role.
   */
  require(db: Database, claims: TenantClaims, orgId: string, action: Action): Promise<OrgRole>;
}

/**
 * A membership check that remembers each (user, organization) role for
 * `ttlMs`; concurrent requests for the same pair share one query (one pipelined
 * round trip under RLS).
 *
 * @param options how long a role is reused
 */
export function createMembershipCheck(options: MembershipCheckOptions): MembershipCheck {
  const now = options.now ?? Date.now;
  const maxEntries = options.maxEntries ?? 50_000;
  const known = new Map<string, { role: OrgRole | null; until: number }>();
  const inFlight = new Map<string, Promise<OrgRole | null>>();

  const lookup = async (db: Database, claims: TenantClaims, orgId: string) => {
    const [row] = await db.readAsTenant(claims, (tx) =>
      // A member's role, or an API key's role in its own organization.
      tx<{ role: OrgRole | null }[]>`select private.caller_role(${orgId}::uuid) as role`);
    return row?.role ?? null;
  };

  return {
    async require(db, claims, orgId, action) {
      const min = minimumRole(action);
      // Worker claims and anything without a subject are never remembered.
      if (typeof claims.sub !== "string" || options.ttlMs <= 0) {
        return assertRole(await lookup(db, claims, orgId), min);
      }
      const key = `${claims.sub}|${orgId}`;
      const hit = known.get(key);
      if (hit && hit.until > now()) return assertRole(hit.role, min);
      let pending = inFlight.get(key);
      if (!pending) {
        pending = lookup(db, claims, orgId).then((role) => {
          known.delete(key);
          if (known.size >= maxEntries) known.delete(known.keys().next().value!);
          known.set(key, { role, until: now() + options.ttlMs });
          return role;
        }).finally(() => inFlight.delete(key));
        inFlight.set(key, pending);
      }
      return assertRole(await pending, min);
    },
  };
}
