import type { MiddlewareHandler } from "hono";
import { getConnInfo } from "hono/deno";
import { HttpError } from "./errors.ts";

/** Options for {@linkcode rateLimit}. */
export interface RateLimitOptions {
  /** Requests allowed per caller per window; 0 turns limiting off. */
  limit: number;
  /** Window length in milliseconds; default one minute. */
  windowMs?: number;
  /** Clock in milliseconds, for tests. */
  now?: () => number;
}

/**
 * Fixed-window request limit per caller, in this process: a caller is its bearer
 * token (so one user's tabs share a budget), else its address. Requests signed by
 * QStash are left to the signature check. Over the limit: 429 with `Retry-After`.
 *
 * @param options the limit and window
 */
export function rateLimit(options: RateLimitOptions): MiddlewareHandler {
  const windowMs = options.windowMs ?? 60_000;
  const now = options.now ?? Date.now;
  const windows = new Map<string, { count: number; resetAt: number }>();
  return async (c, next) => {
    if (options.limit <= 0 || c.req.header("upstash-signature")) return await next();
    const key = c.req.header("authorization") ?? `ip:${clientAddress(c)}`;
    const at = now();
    let window = windows.get(key);
    if (!window || window.resetAt <= at) {
      if (windows.size > 50_000) {
        for (const [k, w] of windows) if (w.resetAt <= at) windows.delete(k);
      }
      window = { count: 0, resetAt: at + windowMs };
      windows.set(key, window);
    }
    window.count++;
    if (window.count > options.limit) {
      const retryAfter = Math.max(1, Math.ceil((window.resetAt - at) / 1000));
      throw new HttpError(429, `Too many requests: try again in ${retryAfter} s`, {
        details: { limit: options.limit, window_seconds: windowMs / 1000, retry_after: retryAfter },
        headers: { "Retry-After": String(retryAfter) },
      });
    }
    await next();
  };
}

function clientAddress(c: Parameters<MiddlewareHandler>[0]): string {
  const forwarded = c.req.header("x-forwarded-for")?.split(",")[0]?.trim();
  if (forwarded) return forwarded;
  try {
    const info = getConnInfo(c);
    return info.remote.address ?? "unknown";
  } catch {
    return "unknown";
  }
}
