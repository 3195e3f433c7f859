/**
 * Configuration of reports, read from the environment:
 *
 * - `REPORTS_STORAGE`: `postgres` (default; self-hosted) or `supabase` (Supabase
 *   Storage, with `SUPABASE_URL` and `SUPABASE_SERVICE_ROLE_KEY`).
 * - `REPORTS_BUCKET`: the Storage bucket (default `reports`).
 * - `REPORTS_RETENTION_DAYS`: days a generated file is kept (default 30).
 * - `REPORTS_LINK_MINUTES`: lifetime of a member's download link (default 15).
 * - `REPORTS_SHARE_MAX_DAYS`: longest lifetime of a share link (default 30).
 * - `REPORTS_PDF_MAX_FINDINGS`: findings listed in a PDF's findings section
 *   (default 2000); the workbook and the CSV always list every finding.
 * - Report emails go out through the product's mailer (`MAIL_PROVIDER`,
 *   `MAIL_FROM`; see `shared/mail`). `REPORTS_EMAIL_PROVIDER` and
 *   `REPORTS_EMAIL_FROM`, which configured a separate sender, are refused.
 * - `REPORTS_EMAIL_ATTACH_MAX_BYTES`: a scheduled report up to this size is
 *   attached to the email, a larger one is sent as a link (default 5 MiB; 0: always a link).
 * - `REPORTS_EMAIL_LINK_DAYS`: lifetime of the link in a report email or
 *   webhook (default 7, never past the file's retention).
 * - `PUBLIC_URL`: where links in emails and webhooks point.
 * - `ALLOW_PRIVATE_INSTANCE_URLS`: dev mode; webhooks may then target http and
 *   private addresses, like instance URLs.
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
  REPORTS_PDF_MAX_FINDINGS: z.coerce.number().int().min(10).max(1_000_000).default(2000),
  REPORTS_EMAIL_ATTACH_MAX_BYTES: z.coerce.number().int().min(0).max(30 * 1024 * 1024)
    .default(5 * 1024 * 1024),
  REPORTS_EMAIL_LINK_DAYS: z.coerce.number().int().min(1).max(365).default(7),
  PUBLIC_URL: z.url().optional(),
  ALLOW_PRIVATE_INSTANCE_URLS: z.enum(["true", "false", "1", "0"]).default("false")
    .transform((v) => v === "true" || v === "1"),
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
  const retired = ["REPORTS_EMAIL_PROVIDER", "REPORTS_EMAIL_FROM"].filter((k) => k in cleaned);
  if (retired.length > 0) {
    throw new Error(
      `Cannot start: ${
        retired.join(" and ")
      } no longer exist: report emails go through the product's mailer (set MAIL_PROVIDER and MAIL_FROM)`,
    );
  }
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
