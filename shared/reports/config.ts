/**
 * Configuration of reports, read from the environment:
 *
 * - `REPORTS_STORAGE`: `postgres` (default; self-hosted) or `supabase` (Supabase
 *   Storage, with `SUPABASE_URL` and `SUPABASE_SERVICE_ROLE_KEY`).
 * - `REPORTS_BUCKET`: the Storage bucket (default `reports`).
 * - `REPORTS_RETENTION_DAYS`: days a generated file is kept (default 30).
 * - `REPORTS_LINK_MINUTES`: lifetime of a member's download link (default 15).
 * - `REPORTS_SHARE_MAX_DAYS`: longest lifetime of a share link (default 30).
 *
 * @module
 */

import { z } from "zod";

const schema = z.object({
  REPORTS_STORAGE: z.enum(["postgres", "supabase"]).default("postgres"),
  REPORTS_BUCKET: z.string().regex(/^[a-z0-9][a-z0-9_-]{2,62}$/).default("reports"),
  REPORTS_RETENTION_DAYS: z.coerce.number().int().min(1).max(3650).default(30),
  REPORTS_LINK_MINUTES: z.coerce.number().int().min(1).max(1440).default(15),
  REPORTS_SHARE_MAX_DAYS: z.coerce.number().int().min(1).max(365).default(30),
  SUPABASE_URL: z.url().optional(),
  SUPABASE_SERVICE_ROLE_KEY: z.string().min(20).optional(),
});

/** Reports' configuration. */
export type ReportsConfig = z.output<typeof schema>;

/**
 * Reads the reports configuration.
 *
 * @param env the variables (the process environment by default)
 * @returns the configuration with defaults
 * @throws {Error} naming the invalid variable; when Supabase storage lacks its URL or key
 */
export function loadReportsConfig(
  env: Record<string, string | undefined> = Deno.env.toObject(),
): ReportsConfig {
  const cleaned = Object.fromEntries(
    Object.entries(env).filter(([, v]) => v !== undefined && v !== ""),
  );
  const parsed = schema.safeParse(cleaned);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`);
    throw new Error(`Cannot start: invalid reports configuration (${problems.join("; ")})`);
  }
  const config = parsed.data;
  if (
    config.REPORTS_STORAGE === "supabase" &&
    !(config.SUPABASE_URL && config.SUPABASE_SERVICE_ROLE_KEY)
  ) {
    throw new Error(
      "Cannot start: REPORTS_STORAGE=supabase needs SUPABASE_URL and SUPABASE_SERVICE_ROLE_KEY",
    );
  }
  return config;
}
