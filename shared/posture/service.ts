/**
 * The cached entry points the dashboard and insights functions call: the
 * caller's permission is checked on every request (a cache hit included, from
 * a memory of roles bounded by `SESSION_CHECK_TTL_MS`), the aggregate comes
 * from the cache for the organization's current version — as the response
 * body, serialised once — or is computed and stored.
 *
 * @module
 */

import type { Cache } from "../cache/mod.ts";
import { type Database, type TenantClaims, workerClaims } from "../db/mod.ts";
import { createMembershipCheck, type MembershipCheck } from "../organizations/mod.ts";
import type { Action } from "../permissions/mod.ts";
import { cachedPosture } from "./cache.ts";
import { getDashboard, readDashboard } from "./dashboard.ts";
import { getRecommendations, getTrends, readTrends } from "./insights.ts";
import type { DashboardQuery, TrendsQuery } from "./schemas.ts";

/** What the cached aggregates need. */
export interface PostureServices {
  db: Database;
  cache: Cache;
  /** `SESSION_CHECK_TTL_MS` also bounds how long a membership is reused (default 2 s). */
  config?: { SESSION_CHECK_TTL_MS: number };
}

/**
 * A cached aggregate as the response body (`{"data": …}`, serialised once when
 * it was computed, so a hit is served without parsing and re-serialising it)
 * and whether it came from the cache.
 */
export interface CachedBody {
  body: string;
  hit: boolean;
}

/** Membership checks per database pool and TTL (one memory per process, pool and bound). */
const membershipChecks = new WeakMap<Database, Map<number, MembershipCheck>>();

function membershipCheck(services: PostureServices): MembershipCheck {
  const ttlMs = services.config?.SESSION_CHECK_TTL_MS ?? 2_000;
  let byTtl = membershipChecks.get(services.db);
  if (!byTtl) membershipChecks.set(services.db, byTtl = new Map());
  let check = byTtl.get(ttlMs);
  if (!check) byTtl.set(ttlMs, check = createMembershipCheck({ ttlMs }));
  return check;
}

async function cached(
  services: PostureServices,
  claims: TenantClaims,
  name: string,
  action: Action,
  orgId: string,
  what: string,
  load: () => Promise<unknown>,
): Promise<CachedBody> {
  // The permission check runs alongside the cache lookup, from a memory of
  // roles at most SESSION_CHECK_TTL_MS old; a miss computes under RLS and
  // checks again in its own transaction.
  const [, result] = await Promise.all([
    membershipCheck(services).require(services.db, claims, orgId, action),
    cachedPosture(services.cache, name, orgId, what, async () => {
      return JSON.stringify({ data: await load() });
    }),
  ]);
  return { body: result.value, hit: result.hit };
}

/**
 * The dashboard, cached per organization and filter.
 *
 * @param services database and cache
 * @param claims the caller
 * @param query organization and filters
 */
export function loadDashboard(
  services: PostureServices,
  claims: TenantClaims,
  query: DashboardQuery,
): Promise<CachedBody> {
  return cached(
    services,
    claims,
    "dashboard",
    "dashboard.read",
    query.org_id,
    dashboardKey(query),
    () => getDashboard(services.db, claims, query),
  );
}

/**
 * Trends, cached per organization and filter. The range is counted in days
 * from now, so a cached answer is at most the cache's TTL old.
 *
 * @param services database and cache
 * @param claims the caller
 * @param query organization, filters and range
 */
export function loadTrends(
  services: PostureServices,
  claims: TenantClaims,
  query: TrendsQuery,
): Promise<CachedBody> {
  return cached(
    services,
    claims,
    "trends",
    "insights.read",
    query.org_id,
    trendsKey(query),
    () => getTrends(services.db, claims, query),
  );
}

/**
 * Recommendations, cached per organization.
 *
 * @param services database and cache
 * @param claims the caller
 * @param orgId the organization
 * @param expiringDays how far ahead to look for expiring suppressions
 */
export function loadRecommendations(
  services: PostureServices,
  claims: TenantClaims,
  orgId: string,
  expiringDays: number,
): Promise<CachedBody> {
  return cached(
    services,
    claims,
    "recommendations",
    "insights.read",
    orgId,
    String(expiringDays),
    () => getRecommendations(services.db, claims, orgId, expiringDays),
  );
}

function dashboardKey(query: DashboardQuery): string {
  return JSON.stringify([query.instance_ids?.toSorted() ?? null, query.framework ?? null]);
}

function trendsKey(query: TrendsQuery): string {
  return JSON.stringify([
    query.instance_ids?.toSorted() ?? null,
    query.framework ?? null,
    query.area ?? null,
    query.days,
  ]);
}

/**
 * The dashboard for a caller that is no member but was authorized by other
 * means (a verified widget embed): computed as background work for the
 * organization, under its policies, and cached under the same keys as
 * {@linkcode loadDashboard} so members and embeds share entries.
 *
 * @param services database and cache
 * @param query organization and filters
 */
export async function loadAuthorizedDashboard(
  services: PostureServices,
  query: DashboardQuery,
): Promise<CachedBody> {
  const result = await cachedPosture(
    services.cache,
    "dashboard",
    query.org_id,
    dashboardKey(query),
    async () =>
      JSON.stringify({
        data: await services.db.asTenant(workerClaims(query.org_id), (tx) =>
          readDashboard(tx, query)),
      }),
  );
  return { body: result.value, hit: result.hit };
}

/**
 * Trends for a caller authorized by other means (see
 * {@linkcode loadAuthorizedDashboard}), cached under the keys of {@linkcode loadTrends}.
 *
 * @param services database and cache
 * @param query organization, filters and range
 */
export async function loadAuthorizedTrends(
  services: PostureServices,
  query: TrendsQuery,
): Promise<CachedBody> {
  const result = await cachedPosture(
    services.cache,
    "trends",
    query.org_id,
    trendsKey(query),
    async () =>
      JSON.stringify({
        data: await services.db.asTenant(workerClaims(query.org_id), (tx) => readTrends(tx, query)),
      }),
  );
  return { body: result.value, hit: result.hit };
}
