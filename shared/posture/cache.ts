/**
 * Versioned caching of an organization's aggregates (dashboard, insights).
 *
 * Every organization has a version counter in the shared {@linkcode Cache}
 * (`posture:v:<org>`). A cached aggregate's key embeds the version it was
 * computed under, so invalidating is one `incr` — no scan, no delete: readers
 * move to the new version at once and the old entries expire by themselves.
 *
 * Correct under concurrent invalidation because of the order of operations:
 * a writer bumps the version **after** its transaction commits, and a reader
 * reads the version **before** it reads the database. A reader that computed
 * from data older than a change therefore stores it under a version that was
 * already superseded when the change became visible, and nobody reads it
 * again.
 *
 * A version that does not exist yet (a new organization, or a Redis that
 * evicted it) starts at a random large number rather than 0, so entries left
 * under a lost counter are never mistaken for current ones.
 *
 * @module
 */

import type { Cache } from "../cache/mod.ts";
import { observeCacheLookup } from "../metrics/mod.ts";

/** How long a cached aggregate lives at most (a safety net; versions do the invalidation). */
export const POSTURE_CACHE_TTL_SECONDS = 600;

/** What changed, for the log: only the organization's version moves. */
export type PostureChange =
  | "run_started"
  | "job_finished"
  | "sync_started"
  | "suppression"
  | "triage"
  | "instance_added"
  | "instance_removed";

function versionKey(orgId: string): string {
  return `posture:v:${orgId}`;
}

/**
 * The organization's current aggregate version, creating it when absent.
 *
 * @param cache the shared cache
 * @param orgId the organization
 */
export async function postureVersion(cache: Cache, orgId: string): Promise<number> {
  const key = versionKey(orgId);
  const current = await cache.get<number>(key);
  if (typeof current === "number") return current;
  // Not Date.now() alone: two processes starting a counter in the same ms must differ.
  const fresh = Date.now() * 1000 + Math.floor(Math.random() * 1000);
  await cache.set(key, fresh);
  return fresh;
}

/** Background work whose end changes the aggregates: analysis runs and syncs. */
export const POSTURE_JOB_KINDS: ReadonlySet<string> = new Set(["analysis.run", "servicenow.sync"]);

/**
 * Invalidates every cached aggregate of an organization. Call it after the
 * change has committed. Never throws: when the cache cannot be reached the
 * entries go stale for at most {@linkcode POSTURE_CACHE_TTL_SECONDS}, and
 * `null` says so (the caller logs it).
 *
 * @param cache the shared cache
 * @param orgId the organization whose data changed
 * @param _change what changed (for the reader of the call site)
 * @returns the new version, or null when the cache failed
 */
export async function invalidatePosture(
  cache: Cache,
  orgId: string,
  _change: PostureChange,
): Promise<number | null> {
  try {
    return await cache.incr(versionKey(orgId));
  } catch {
    return null;
  }
}

/**
 * Returns the cached value of `what` for the organization's current version,
 * or computes it with `load` and caches it. The version is read before `load`
 * runs (see the module notes). A cache that fails is bypassed, never fatal.
 *
 * @param cache the shared cache
 * @param name the metric label, e.g. `dashboard`
 * @param orgId the organization
 * @param what identifies the aggregate and its filters (stable across calls)
 * @param load computes the value from the database
 */
export async function cachedPosture<T>(
  cache: Cache,
  name: string,
  orgId: string,
  what: string,
  load: () => Promise<T>,
): Promise<{ value: T; hit: boolean }> {
  let key: string | null = null;
  try {
    const version = await postureVersion(cache, orgId);
    key = `posture:${orgId}:${version}:${name}:${what}`;
    const cached = await cache.get<T>(key);
    if (cached !== null) {
      observeCacheLookup(name, true);
      return { value: cached, hit: true };
    }
  } catch {
    key = null;
  }
  observeCacheLookup(name, false);
  const value = await load();
  if (key) await cache.set(key, value, { ttlSeconds: POSTURE_CACHE_TTL_SECONDS }).catch(() => {});
  return { value, hit: false };
}
