import { cacheFromConfig } from "../cache/mod.ts";
import { createSessionCheck, createTokenVerifier, type TokenVerifier } from "../auth/mod.ts";
import { connectDatabase, type Database } from "../db/mod.ts";
import { type Config, ConfigError, databaseUrl, loadConfig } from "../env/mod.ts";
import type { Services } from "../http/mod.ts";
import { createLogger } from "../log/mod.ts";
import { mailerFromConfig } from "../mail/mod.ts";
import { createTaskClientFromConfig } from "../tasks/mod.ts";

/**
 * Builds the services a function needs from the environment, once per process:
 * the hosted and local-services modes both come through here.
 *
 * @param config validated configuration; read from the environment when absent
 */
export function createServicesFromEnv(config: Config = loadConfig()): Services {
  const log = createLogger({ level: config.LOG_LEVEL });
  const db = connectDatabase(databaseUrl(config), {
    max: config.DB_POOL_MAX,
    prepare: config.DB_PREPARE,
  });
  return {
    config,
    db,
    log,
    auth: verifierFromConfig(config, db),
    tasks: createTaskClientFromConfig(config, { db, log }),
    cache: cacheFromConfig(config, log),
    mailer: mailerFromConfig(config),
  };
}

/**
 * The token verifier the configuration asks for: HS256 secret, inline JWKS, or
 * the JWKS published by Supabase Auth at SUPABASE_URL. With a database, a token
 * is also refused once its session has ended in `auth.sessions` (sign-out,
 * global sign-out, refresh-token reuse), at most SESSION_CHECK_TTL_MS later.
 *
 * @param config validated configuration
 * @param db where `auth.sessions` lives; without it tokens are good until they expire
 * @throws {ConfigError} when no key source is configured
 */
export function verifierFromConfig(config: Config, db?: Pick<Database, "sql">): TokenVerifier {
  const issuer = config.SUPABASE_JWT_ISSUER ??
    (config.SUPABASE_URL ? `${config.SUPABASE_URL.replace(/\/$/, "")}/auth/v1` : undefined);
  const sessions = db
    ? createSessionCheck(db.sql, { ttlMs: config.SESSION_CHECK_TTL_MS })
    : undefined;
  if (config.SUPABASE_JWT_SECRET) {
    return createTokenVerifier({ jwtSecret: config.SUPABASE_JWT_SECRET, issuer, sessions });
  }
  if (config.SUPABASE_JWKS) {
    let jwks;
    try {
      jwks = JSON.parse(config.SUPABASE_JWKS);
    } catch {
      throw new ConfigError("Cannot start: SUPABASE_JWKS is not valid JSON");
    }
    return createTokenVerifier({ jwks, issuer, sessions });
  }
  if (config.SUPABASE_URL) {
    return createTokenVerifier({
      jwksUrl: new URL(`${config.SUPABASE_URL.replace(/\/$/, "")}/auth/v1/.well-known/jwks.json`),
      issuer,
      sessions,
    });
  }
  throw new ConfigError(
    "Cannot start: set SUPABASE_URL, SUPABASE_JWKS or SUPABASE_JWT_SECRET to verify access tokens",
  );
}
