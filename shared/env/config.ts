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
  /**
   * SMTP provider for the emails the product sends itself (invitations), e.g.
   * `smtps://user:pass@smtp.example.com:465`. Unset when hosted: sending refuses
   * with 503 (the dev stack delivers to its mailbox instead).
   */
  SMTP_URL: z.string().regex(/^smtps?:\/\//, "must be an smtp:// or smtps:// URL").optional(),
  /** From header of those emails. */
  MAIL_FROM: z.string().min(3).default("ComplianceIQ <no-reply@complianceiq.local>"),
  /**
   * How the product's emails (invitations, alerts) leave: `smtp` (SMTP_URL, through
   * nodemailer), `sendgrid` (SendGrid's v3 mail/send API, SENDGRID_API_KEY) or `none`.
   * Default: `smtp` when SMTP_URL is set, else `none`.
   */
  MAIL_PROVIDER: z.enum(["smtp", "sendgrid", "none"]).optional(),
  /** SendGrid API key, with MAIL_PROVIDER=sendgrid (the reports' email uses it too). */
  SENDGRID_API_KEY: z.string().min(10).optional(),
  /**
   * SMS of alert channels: `twilio` (TWILIO_ACCOUNT_SID, TWILIO_AUTH_TOKEN and
   * TWILIO_FROM) or `none` (SMS channels fail with a clear error; the dev stack
   * uses its SMS outbox).
   */
  SMS_PROVIDER: z.enum(["twilio", "none"]).default("none"),
  TWILIO_ACCOUNT_SID: z.string().regex(/^AC[0-9a-fA-F]{32}$/, "must be AC + 32 hex digits")
    .optional(),
  TWILIO_AUTH_TOKEN: z.string().min(16).optional(),
  /** Sender: an E.164 number or a Messaging Service SID (`MG…`). */
  TWILIO_FROM: z.string().regex(/^(\+[1-9]\d{6,14}|MG[0-9a-fA-F]{32})$/, "must be +E.164 or MG…")
    .optional(),
  /** Origins allowed by CORS, comma separated; `*` for any. */
  CORS_ORIGINS: z.string().default("*"),
  /** Largest request body accepted, in bytes. */
  MAX_BODY_BYTES: z.coerce.number().int().min(1024).max(50 * 1024 * 1024).default(1024 * 1024),
  /**
   * Requests per caller per minute, counted across processes through Redis when it is
   * configured: per signed-in user, and per connection address for anonymous calls
   * (and calls whose credentials did not verify). 0 = off.
   */
  RATE_LIMIT_PER_MINUTE: z.coerce.number().int().min(0).max(1_000_000).default(1200),
  /**
   * Proxies whose `X-Forwarded-For` is believed, comma-separated addresses or CIDR
   * ranges (e.g. `10.0.0.0/8,::1`). Empty: the connection's own address is the caller's.
   */
  TRUSTED_PROXIES: z.string().default(""),
  /** Upstash Redis REST URL (cache and rate limits); without it both stay in-process. */
  UPSTASH_REDIS_REST_URL: optionalUrl,
  /** Upstash Redis REST token; required with UPSTASH_REDIS_REST_URL. */
  UPSTASH_REDIS_REST_TOKEN: z.string().optional(),
  /**
   * How long a signed-in session is known to be live before the token verifier asks
   * `auth.sessions` again, in milliseconds: the most a signed-out token keeps working.
   * 0 checks on every request.
   */
  SESSION_CHECK_TTL_MS: z.coerce.number().int().min(0).max(60_000).default(2_000),
  /**
   * The scrape credential of every function's `/metrics` (sent as a bearer
   * token). Unset: `/metrics` refuses everyone. The dev stack generates one.
   */
  METRICS_TOKEN: z.string().min(16, "must be at least 16 characters").optional(),
  /**
   * Tests and development: check every response of a declared route against
   * its declared schema, answering 500 `response_mismatch` when it differs.
   */
  CHECK_RESPONSES: flag.default(false),
  /** Stripe secret key (`sk_…`). Unset: billing calls refuse (503) unless STRIPE_API_BASE points at the dev stand-in. */
  STRIPE_SECRET_KEY: z.string().min(8).optional(),
  /** Signing secret of the Stripe webhook endpoint (`whsec_…`); webhooks refuse everything without it. */
  STRIPE_WEBHOOK_SECRET: z.string().min(8).optional(),
  /**
   * Secret of Supabase Auth's "password verification attempt" hook (`v1,whsec_…`,
   * as the dashboard shows it); `POST /audit/hooks/password-verification` refuses
   * everything without it (docs/audit.md).
   */
  AUTH_HOOK_SECRET: z.string().regex(/^(v1,)?whsec_[A-Za-z0-9+/=]{8,}$/, "must be v1,whsec_…")
    .optional(),
  /** Failed password attempts within AUTH_LOCK_WINDOW_MINUTES that lock an account. */
  AUTH_LOCK_AFTER_FAILURES: z.coerce.number().int().min(1).max(100).default(5),
  /** The window failed attempts are counted in, and how long a lock lasts (minutes). */
  AUTH_LOCK_WINDOW_MINUTES: z.coerce.number().int().min(1).max(1440).default(15),
  /** Another Stripe API base URL: the dev billing stand-in, or a mock. Default Stripe's own. */
  STRIPE_API_BASE: optionalUrl,
  LOG_LEVEL: z.enum(["debug", "info", "warn", "error", "silent"]).default("info"),
  /** QStash REST base URL; the dev stack points it at its local stand-in. */
  QSTASH_URL: z.url().default("https://qstash.upstash.io"),
  /** QStash token for publishing and schedules; background work is off without it. */
  QSTASH_TOKEN: z.string().optional(),
  /** Key QStash signs deliveries with now (the Receiver tries it first). */
  QSTASH_CURRENT_SIGNING_KEY: z.string().optional(),
  /** Key QStash will sign with after the next rotation. */
  QSTASH_NEXT_SIGNING_KEY: z.string().optional(),
  /**
   * URL QStash delivers task messages to; defaults to
   * `${PUBLIC_URL}/functions/v1/tasks/qstash`. Signatures are checked against it.
   */
  TASKS_CALLBACK_URL: optionalUrl,
  /** Wall-clock budget of one task delivery before it saves a cursor and continues. */
  TASKS_TIME_BUDGET_MS: z.coerce.number().int().min(0).max(300_000).default(25_000),
  /** How long a delivery holds a job without renewing it; a crashed one frees it after this. */
  TASKS_LEASE_MS: z.coerce.number().int().min(200).max(600_000).default(15_000),
  /** Retries QStash makes after a failed delivery, unless a task kind says otherwise. */
  TASKS_DEFAULT_RETRIES: z.coerce.number().int().min(0).max(20).default(3),
  /** A queued or running job untouched for this long is checked by the reaper. */
  TASKS_STALE_AFTER_MS: z.coerce.number().int().min(1_000).default(120_000),
  /** How often the job event stream (SSE) looks for changes. */
  TASKS_SSE_POLL_MS: z.coerce.number().int().min(50).max(60_000).default(1_000),
  /**
   * Keyring for ServiceNow credentials at rest: comma-separated `<kid>:<base64 32-byte key>`
   * pairs. Old keys stay listed until `deno task credentials:rotate` has re-encrypted everything.
   */
  CREDENTIALS_KEYS: z.string().regex(
    /^[A-Za-z0-9_-]{1,32}:[A-Za-z0-9+/=_-]{40,64}(,[A-Za-z0-9_-]{1,32}:[A-Za-z0-9+/=_-]{40,64})*$/,
    "must be comma-separated <kid>:<base64 32-byte key> pairs",
  ).optional(),
  /** Id of the key new credentials are encrypted with; required when several keys are listed. */
  CREDENTIALS_KEY_ID: z.string().regex(/^[A-Za-z0-9_-]{1,32}$/).optional(),
  /**
   * Dev mode only: allow instance URLs on private or loopback addresses and plain http
   * (the local ServiceNow simulator). Never set in production.
   */
  ALLOW_PRIVATE_INSTANCE_URLS: flag.default(false),
  /** Records per Table API page when syncing. */
  SYNC_PAGE_SIZE: z.coerce.number().int().min(10).max(10_000).default(2000),
  /** Re-read records changed this many seconds before the last sync's high-water mark. */
  SYNC_OVERLAP_SECONDS: z.coerce.number().int().min(0).max(86_400).default(300),
  /** Scan every table's keys for deletions at least this often (hours). */
  SYNC_KEY_SCAN_HOURS: z.coerce.number().min(0).max(24 * 30).default(24),
  /** Days of transaction and system logs (syslog_transaction, syslog, sysevent) kept; 0 = all. */
  SYNC_LOG_WINDOW_DAYS: z.coerce.number().int().min(0).max(3650).default(90),
  /** Days of audit history (sys_audit, sys_audit_delete) kept; 0 = all. */
  SYNC_AUDIT_WINDOW_DAYS: z.coerce.number().int().min(0).max(3650).default(400),
  /** Scheduled syncs running at once across every organization (the dispatcher's cap). */
  SYNC_MAX_CONCURRENT: z.coerce.number().int().min(1).max(10_000).default(40),
  /** Scheduled syncs running at once in one organization. */
  SYNC_MAX_PER_ORG: z.coerce.number().int().min(1).max(1_000).default(4),
  /** Scheduled syncs start up to this many seconds after their cron time (a fixed offset per instance). */
  SYNC_SPREAD_SECONDS: z.coerce.number().int().min(0).max(6 * 3600).default(900),
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
  const missing = providerProblems(parsed.data);
  if (missing.length > 0) {
    throw new ConfigError(`Cannot start: invalid environment (${missing.join("; ")})`);
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

/** A provider chosen without the credentials it needs. */
function providerProblems(config: Config): string[] {
  const problems: string[] = [];
  if (config.MAIL_PROVIDER === "smtp" && !config.SMTP_URL) {
    problems.push("MAIL_PROVIDER: smtp needs SMTP_URL");
  }
  if (config.MAIL_PROVIDER === "sendgrid" && !config.SENDGRID_API_KEY) {
    problems.push("MAIL_PROVIDER: sendgrid needs SENDGRID_API_KEY");
  }
  if (
    config.SMS_PROVIDER === "twilio" &&
    !(config.TWILIO_ACCOUNT_SID && config.TWILIO_AUTH_TOKEN && config.TWILIO_FROM)
  ) {
    problems.push(
      "SMS_PROVIDER: twilio needs TWILIO_ACCOUNT_SID, TWILIO_AUTH_TOKEN and TWILIO_FROM",
    );
  }
  return problems;
}
