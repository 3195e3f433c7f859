import type { Sql } from "../db/mod.ts";

/** Says whether a signed-in session is still live (not signed out, not revoked). */
export interface SessionCheck {
  /** True while `sessionId` belongs to `userId` and has not ended. */
  isLive(sessionId: string, userId: string): Promise<boolean>;
}

/** Options of {@linkcode createSessionCheck}. */
export interface SessionCheckOptions {
  /**
   * How long a live answer is reused, in milliseconds: the most a signed-out
   * token keeps working. 0 asks the database on every request.
   */
  ttlMs: number;
  /** Sessions remembered at most (oldest forgotten first); default 50 000. */
  maxEntries?: number;
  /** Clock in milliseconds, for tests. */
  now?: () => number;
}

/**
 * Checks sessions against `auth.sessions`, where Supabase Auth (hosted, or the
 * local stand-in) keeps them. A session has ended when its row is gone (sign-out,
 * local or global, deletes it), its `not_after` has passed, or every refresh
 * token it ever had is revoked (GoTrue's answer to a reused refresh token; a
 * session that keeps its refresh state elsewhere has no rows there and is judged
 * by its row alone).
 *
 * Live answers are reused for `ttlMs`, and concurrent requests for the same
 * session share one query, so the hot path costs a map lookup. An ended session
 * never comes back, so that answer is kept for good.
 *
 * @param sql the pool, as the server's login role (which can read `auth`)
 * @param options how long a live answer is reused
 */
export function createSessionCheck(sql: Sql, options: SessionCheckOptions): SessionCheck {
  const now = options.now ?? Date.now;
  const maxEntries = options.maxEntries ?? 50_000;
  const known = new Map<string, { live: boolean; until: number }>();
  const inFlight = new Map<string, Promise<boolean>>();

  const lookup = async (sessionId: string, userId: string): Promise<boolean> => {
    const [row] = await sql<{ live: boolean }[]>`
      select exists (
        select 1 from auth.sessions s
        where s.id = ${sessionId}::uuid and s.user_id = ${userId}::uuid
          and (s.not_after is null or s.not_after > now())
          and (exists (select 1 from auth.refresh_tokens r
                       where r.session_id = s.id and r.revoked = false)
               or not exists (select 1 from auth.refresh_tokens r where r.session_id = s.id))
      ) as live`;
    return row?.live === true;
  };

  return {
    async isLive(sessionId, userId) {
      if (!UUID.test(sessionId) || !UUID.test(userId)) return false;
      const key = `${sessionId}|${userId}`;
      const hit = known.get(key);
      if (hit && (!hit.live || hit.until > now())) return hit.live;
      let pending = inFlight.get(key);
      if (!pending) {
        pending = lookup(sessionId, userId).finally(() => inFlight.delete(key));
        inFlight.set(key, pending);
      }
      const live = await pending;
      if (options.ttlMs > 0 || !live) {
        known.delete(key);
        if (known.size >= maxEntries) known.delete(known.keys().next().value!);
        known.set(key, { live, until: now() + options.ttlMs });
      }
      return live;
    },
  };
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
