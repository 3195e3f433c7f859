/**
 * Fault-injection and behaviour knobs of one simulated instance, settable in code
 * and over `/_sim/instances/<name>/knobs`.
 *
 * @module
 */

import { z } from "zod";

/** Rate-limit rule (one fixed window per user). */
export interface RateLimitKnob {
  /** Requests allowed per window (reported as X-RateLimit-Limit). */
  limit: number;
  /** Window length in seconds (3600 on a real instance). */
  windowSeconds: number;
}

/** Every knob. */
export interface Knobs {
  /** Extra latency added to every API response, in ms. */
  latencyMs: number;
  /** Probability (0–1) that an API request answers 500. */
  errorRate: number;
  /** The next `count` API requests answer `status` (500/502/503). */
  burst: { status: number; count: number } | null;
  /** The next N JSON API responses are cut in half (status 200, invalid JSON). */
  truncateNext: number;
  /** Every `everyNth` Table API list request is delayed by `delayMs`. */
  slowPage: { everyNth: number; delayMs: number } | null;
  /** Answer every request with 200 text/html "Instance Hibernating" page. */
  hibernating: boolean;
  /** Rate-limit rule applying to all users, or null for none (no rate headers). */
  rateLimit: RateLimitKnob | null;
  /** Requests whose injected delay exceeds this are cancelled with a 500 (60 s on a real instance). */
  transactionTimeoutMs: number;
  /** Maximum honoured sysparm_limit (null = none documented). */
  maxLimit: number | null;
  /** Default sysparm_limit (10000 per current docs). */
  defaultLimit: number;
  /** Send a Link header (first/last) when everything fits on one page (unconfirmed; default true). */
  linkHeaderOnSinglePage: boolean;
  /** Tables answering 403 regardless of roles. */
  denyTables: string[];
  /** "table.field" entries omitted from records regardless of roles. */
  hideFields: string[];
  /** Syntactically invalid sysparm_query: "reject" → 400, "ignore" → treated like an invalid term. */
  queryParseErrors: "reject" | "ignore";
  /** Force glide.invalid_query.returns_no_rows (null = read the instance's sys_properties). */
  invalidQueryReturnsNoRows: boolean | null;
  /** Force the OAuth password grant off/on (null = read glide.oauth.inbound.ropc.grant_type.disabled). */
  ropcDisabled: boolean | null;
  /** Access-token lifetime in seconds (default 1800). */
  accessTokenTtlSeconds: number;
  /** Refresh-token lifetime in seconds (default 100 days). */
  refreshTokenTtlSeconds: number;
  /** Compare string values case-insensitively in queries. */
  caseInsensitiveQueries: boolean;
}

/** Defaults: a healthy instance following the current docs. */
export function defaultKnobs(): Knobs {
  return {
    latencyMs: 0,
    errorRate: 0,
    burst: null,
    truncateNext: 0,
    slowPage: null,
    hibernating: false,
    rateLimit: null,
    transactionTimeoutMs: 60_000,
    maxLimit: null,
    defaultLimit: 10_000,
    linkHeaderOnSinglePage: true,
    denyTables: [],
    hideFields: [],
    queryParseErrors: "reject",
    invalidQueryReturnsNoRows: null,
    ropcDisabled: null,
    accessTokenTtlSeconds: 1800,
    refreshTokenTtlSeconds: 8_640_000,
    caseInsensitiveQueries: false,
  };
}

/** Validates a partial knob update (admin endpoint and code). */
export const knobsPatchSchema: z.ZodType<Partial<Knobs>> = z.object({
  latencyMs: z.number().int().min(0).max(600_000),
  errorRate: z.number().min(0).max(1),
  burst: z.object({ status: z.number().int().min(500).max(599), count: z.number().int().min(0) })
    .nullable(),
  truncateNext: z.number().int().min(0),
  slowPage: z.object({ everyNth: z.number().int().min(1), delayMs: z.number().int().min(0) })
    .nullable(),
  hibernating: z.boolean(),
  rateLimit: z.object({ limit: z.number().int().min(1), windowSeconds: z.number().int().min(1) })
    .nullable(),
  transactionTimeoutMs: z.number().int().min(1),
  maxLimit: z.number().int().min(1).nullable(),
  defaultLimit: z.number().int().min(1),
  linkHeaderOnSinglePage: z.boolean(),
  denyTables: z.array(z.string()),
  hideFields: z.array(z.string()),
  queryParseErrors: z.enum(["reject", "ignore"]),
  invalidQueryReturnsNoRows: z.boolean().nullable(),
  ropcDisabled: z.boolean().nullable(),
  accessTokenTtlSeconds: z.number().int().min(1),
  refreshTokenTtlSeconds: z.number().int().min(1),
  caseInsensitiveQueries: z.boolean(),
}).partial().strict();
