/**
 * The cached entry points the dashboard and insights functions call: the
 * caller's permission is checked on every request (a cache hit included),
 * the aggregate comes from the cache for the organization's current version
 * or is computed and stored.
 *
 * @module
 */

import type { Cache } from "../cache/mod.ts";
import type { Database, TenantClaims } from "../db/mod.ts";
import { requirePermission } from "../organizations/mod.ts";
import type { Action } from "../permissions/mod.ts";
import { cachedPosture } from "./cache.ts";
import { getDashboard } from "./dashboard.ts";
import { getRecommendations, getTrends } from "./insights.ts";
import type { Dashboard, DashboardQuery, Recommendations, Trends, TrendsQuery } from "./schemas.ts";

/** What the cached aggregates need. */
export interface PostureServices {
  db: Database;
  cache: Cache;
}

/** A cached aggregate and whether it came from the cache. */
export interface Cached<T> {
  data: T;
  hit: boolean;
}

async function requireAction(
  db: Database,
  claims: TenantClaims,
  orgId: string,
  action: Action,
): Promise<void> {
  await db.asTenant(claims, (tx) => requirePermission(tx, orgId, action));
}

async function cached<T>(
  services: PostureServices,
  claims: TenantClaims,
  name: string,
  action: Action,
  orgId: string,
  what: string,
  load: () => Promise<T>,
): Promise<Cached<T>> {
  // The permission check runs alongside the cache lookup; a miss computes
  // under RLS and checks again.
  const [, result] = await Promise.all([
    requireAction(services.db, claims, orgId, action),
    cachedPosture(services.cache, name, orgId, what, load),
  ]);
  return { data: result.value, hit: result.hit };
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
): Promise<Cached<Dashboard>> {
  const what = JSON.stringify([query.instance_ids?.toSorted() ?? null, query.framework ?? null]);
  return cached(
    services,
    claims,
    "dashboard",
    "dashboard.read",
    query.org_id,
    what,
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
): Promise<Cached<Trends>> {
  const what = JSON.stringify([
    query.instance_ids?.toSorted() ?? null,
    query.framework ?? null,
    query.area ?? null,
    query.days,
  ]);
  return cached(
    services,
    claims,
    "trends",
    "insights.read",
    query.org_id,
    what,
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
): Promise<Cached<Recommendations>> {
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
