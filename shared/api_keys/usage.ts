import type { Cache } from "../cache/mod.ts";

/** Day counters are kept a little over a month. */
const COUNTER_TTL_SECONDS = 35 * 24 * 3600;

function counterKey(keyId: string, day: string): string {
  return `apikey:calls:${keyId}:${day}`;
}

function utcDay(at: Date): string {
  return at.toISOString().slice(0, 10);
}

/**
 * Counts one call made with a key, in a per-key, per-UTC-day counter (one Redis
 * INCR; shared by every process when the cache is on Redis).
 *
 * @param cache the shared cache
 * @param keyId the key
 * @param at when the call was made
 */
export async function countApiKeyCall(cache: Cache, keyId: string, at = new Date()): Promise<void> {
  await cache.incr(counterKey(keyId, utcDay(at)), { ttlSeconds: COUNTER_TTL_SECONDS });
}

/**
 * Calls made with each key on the given UTC day (0 when none).
 *
 * @param cache the shared cache
 * @param keyIds the keys
 * @param at a moment of the day
 */
export async function apiKeyCallsOn(
  cache: Cache,
  keyIds: readonly string[],
  at = new Date(),
): Promise<Map<string, number>> {
  const day = utcDay(at);
  const counts = await Promise.all(
    keyIds.map((id) => cache.get<number>(counterKey(id, day)).catch(() => null)),
  );
  return new Map(keyIds.map((id, i) => [id, Number(counts[i] ?? 0)]));
}
