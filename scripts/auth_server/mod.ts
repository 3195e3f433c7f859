/**
 * Local Supabase Auth (GoTrue) stand-in for the dev stack: used when no
 * SUPABASE_URL is configured, spoken to by the real `@supabase/supabase-js`.
 *
 * @module
 */
export { createAuthServer } from "./server.ts";
export type { AuthServer, AuthServerOptions } from "./server.ts";
export type { MailAttachment, Mailbox, MailMessage, MailType } from "./_mailer.ts";
export { DEFAULT_RATE_LIMITS } from "./_rate_limit.ts";
export type { RateLimit, RateLimitedAction } from "./_rate_limit.ts";
