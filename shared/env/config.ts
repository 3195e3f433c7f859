import { z } from "zod";

const optionalUrl = z.url().optional();
const flag = z.enum(["true", "false", "1", "0"]).transform((v) => v === "true" || v === "1");

const schema = z.object({
  /** Postgres URL. Absent in the embedded mode, where the dev stack supplies PGlite. */
  DATABASE_URL: z.string().regex(/^postgres(ql)?:\/\//, "must be a postgres:// URL").optional(),
  /** Supabase provides this in hosted functions; used when DATABASE_URL is absent. */
  SUPABASE_DB_URL: z.string().regex(/^postgres(ql)?:\/\//, "must be a postgres:// URL")
    .optional(),
  DB_POOL_MAX: z.coerce.number().int().min(1).max(200).default(10),
  /** Off behind Supabase's transaction pooler, which forbids prepared statements. */
  DB_PREPARE: flag.default(true),
  SUPABASE_URL: optionalUrl,
  /** Legacy HS256 secret; when set, tokens are verified with it instead of JWKS. */
  SUPABASE_JWT_SECRET: z.string().min(32, "must be at least 32 characters").optional(),
  /** JWKS JSON, as Supabase injects into edge functions; saves a network fetch. */
  SUPABASE_JWKS: z.string().optional(),
  SUPABASE_ANON_KEY: z.string().optional(),
  /** Expected `iss` of access tokens; defaults to `${SUPABASE_URL}/auth/v1`. */
  SUPABASE_JWT_ISSUER: z.string().optional(),
  /** Public base URL of this deployment (QStash callbacks, links in emails). */
  PUBLIC_URL: optionalUrl,
  /** Origins allowed by CORS, comma separated; `*` for any. */
  CORS_ORIGINS: z.string().default("*"),
  /** Largest request body accepted, in bytes. */
  MAX_BODY_BYTES: z.coerce.number().int().min(1024).max(50 * 1024 * 1024).default(1024 * 1024),
  LOG_LEVEL: z.enum(["debug", "info", "warn", "error", "silent"]).default("info"),
});

/** Validated configuration, read once at start-up. */
export type Config = z.infer<typeof schema>;

/** Raised when the environment is missing or has an invalid variable. */
export class ConfigError extends Error {
  override name = "ConfigError";
}

/**
 * Reads and validates configuration, failing fast with the offending variable's name.
 *
 * @param env variables to read; the process environment by default
 * @throws {ConfigError} naming each invalid variable
 */
export function loadConfig(env: Record<string, string | undefined> = Deno.env.toObject()): Config {
  const cleaned = Object.fromEntries(
    Object.entries(env).filter(([, value]) => value !== undefined && value !== ""),
  );
  const parsed = schema.safeParse(cleaned);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) =>
      `${issue.path.join(".")}: ${issue.message}`
    );
    throw new ConfigError(`Cannot start: invalid environment (${problems.join("; ")})`);
  }
  return parsed.data;
}

/** The database URL the functions should use, or a clear error when none is set. */
export function databaseUrl(config: Config): string {
  const url = config.DATABASE_URL ?? config.SUPABASE_DB_URL;
  if (!url) {
    throw new ConfigError(
      "Cannot start: DATABASE_URL is not set (nor SUPABASE_DB_URL); run `deno task dev` for the embedded database",
    );
  }
  return url;
}
