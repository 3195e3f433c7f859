/**
 * Production HTTP client for the ServiceNow Table API and Aggregate API
 * (docs/servicenow/api.md). No database code: callers stream record batches wherever
 * they need them.
 *
 * Behaviour:
 * - Auth: Basic, or OAuth (`client_credentials` by default, `password` where the
 *   instance allows it) with a cached token refreshed before expiry and re-fetched
 *   once on a 401.
 * - Paging: keyset on sys_id (`<query>^sys_id>LAST^ORDERBYsys_id`) with
 *   `sysparm_no_count=true`, so inserts and deletes during a sync cannot shift pages.
 *   Pages may be short or empty because the limit applies before ACLs; an empty page
 *   triggers a count probe and, when hidden rows remain, offset skipping within the
 *   keyset. Link headers are not relied on.
 * - Resilience: client-side rate limit per instance (default 10 req/s), bounded
 *   concurrency (default 4), per-request timeout, retries with full-jitter
 *   exponential backoff honouring `Retry-After` for 429, 5xx, network errors,
 *   timeouts and truncated JSON; a 200 that is not JSON (hibernation page) fails.
 * - Requests always use `sysparm_exclude_reference_link=true` and
 *   `sysparm_display_value=false`, so every record value is a string.
 *
 * @module
 */

import { Buffer } from "node:buffer";
import {
  type AndGroup,
  type EncodedQuery,
  formatEncodedQuery,
  formatGlideDateTime,
  parseEncodedQuery,
  parseGlideDateTime,
  QueryParseError,
} from "../query/mod.ts";
import { ServiceNowError, type UnavailableReason } from "./errors.ts";
import { defaultSleep, RateLimiter, Semaphore, type Sleep } from "./limits.ts";
import { observeOutgoing } from "../../metrics/mod.ts";

/** How the client authenticates. */
export type ServiceNowAuth =
  | { readonly kind: "basic"; readonly username: string; readonly password: string }
  | {
    readonly kind: "oauth";
    readonly clientId: string;
    readonly clientSecret: string;
    /** Default `client_credentials`; `password` needs username and password. */
    readonly grant?: "client_credentials" | "password";
    readonly username?: string;
    readonly password?: string;
  };

/** Something the client did, for logs and metrics (never contains credentials). */
export type ClientEvent =
  | {
    type: "request";
    method: string;
    path: string;
    status: number | null;
    attempt: number;
    durationMs: number;
  }
  | { type: "retry"; path: string; attempt: number; delayMs: number; reason: string }
  | { type: "token"; grant: string; ok: boolean; status: number | null };

/** Options of {@link createServiceNowClient}. */
export interface ServiceNowClientOptions {
  /** Instance base URL, e.g. `https://acme.service-now.com` or `http://127.0.0.1:8090/acme`. */
  baseUrl: string;
  auth: ServiceNowAuth;
  /** Client-side rate limit (default 10 requests/s). */
  requestsPerSecond?: number;
  /** Maximum parallel requests (default 4). */
  concurrency?: number;
  /** Per-request timeout (default 60 000 ms, the platform's REST transaction quota). */
  timeoutMs?: number;
  /** Attempts per request including the first (default 5). */
  maxAttempts?: number;
  /** Backoff base (default 500 ms) and cap (default 30 000 ms). */
  baseDelayMs?: number;
  maxDelayMs?: number;
  /** Longest Retry-After honoured before failing with `rate_limited` (default 300 000 ms). */
  maxRetryAfterMs?: number;
  /** Records per page (default 1000). */
  pageSize?: number;
  /** Refresh OAuth tokens this long before they expire (default 60 000 ms). */
  tokenRefreshSkewMs?: number;
  fetch?: typeof fetch;
  sleep?: Sleep;
  /** Random source for jitter. */
  random?: () => number;
  /** Wall clock for token expiry and rate limiting. */
  now?: () => number;
  onEvent?: (event: ClientEvent) => void;
}

/** A record as returned with raw values: every value a string. */
export type ServiceNowRecord = Record<string, string>;

/** One page of records. */
export interface RecordBatch {
  table: string;
  records: ServiceNowRecord[];
  /** sys_id of the last record: pass as `startAfter` to resume. */
  cursor: string;
  /** 1-based page number within this iteration. */
  page: number;
  /** Highest sys_updated_on in the batch (when requested), for incremental watermarks. */
  maxUpdatedOn: string | null;
}

/** Options of {@link ServiceNowClient.iterateRecords}. */
export interface IterateRecordsOptions {
  /** Fields to fetch (sys_id and sys_updated_on are always added); default all. */
  fields?: readonly string[];
  /** Extra encoded query; its ORDERBY terms are replaced by ORDERBYsys_id. */
  query?: string;
  /**
   * Incremental sync: only records with `sys_updated_on >= updatedSince − overlap`.
   * Use the previous run's highest `maxUpdatedOn`; the overlap should exceed the
   * longest run, since a record updated mid-run behind the cursor is caught next run.
   */
  updatedSince?: string | Date;
  /** Overlap window for `updatedSince` (default 300 s). */
  overlapSeconds?: number;
  /** Resume after this sys_id. */
  startAfter?: string;
  pageSize?: number;
  signal?: AbortSignal;
}

/** Readability of one table for the integration user. */
export type TableAccess = "readable" | "not_readable" | "not_found" | "error";

/** Result of {@link ServiceNowClient.ping}. */
export interface HealthReport {
  /** The instance answered with the Table API. */
  reachable: boolean;
  /** Credentials were accepted. */
  authenticated: boolean;
  /** `glide.buildtag`, or null when sys_properties is not readable. */
  buildTag: string | null;
  tables: Record<string, TableAccess>;
  /** The failure that made the instance unreachable or unauthenticated. */
  error: { kind: string; message: string } | null;
}

/** A grouped count from the Aggregate API. */
export interface GroupCount {
  values: Record<string, string>;
  count: number;
}

/** The client. */
export interface ServiceNowClient {
  readonly baseUrl: string;
  /**
   * Streams a table's records in batches (keyset on sys_id).
   *
   * @param table table name
   * @param options fields, query, incremental window, resume cursor
   */
  iterateRecords(table: string, options?: IterateRecordsOptions): AsyncGenerator<RecordBatch>;
  /**
   * Streams only sys_ids, for delete detection.
   *
   * @param table table name
   * @param options extra query, resume cursor (`startAfter`), page size (default 5000), signal
   */
  iterateKeys(
    table: string,
    options?: { query?: string; startAfter?: string; pageSize?: number; signal?: AbortSignal },
  ): AsyncGenerator<string[]>;
  /** One record, or null when missing or hidden by an ACL. */
  getRecord(
    table: string,
    sysId: string,
    options?: { fields?: readonly string[]; signal?: AbortSignal },
  ): Promise<ServiceNowRecord | null>;
  /** Count via the Aggregate API. */
  aggregateCount(
    table: string,
    options?: { query?: string; signal?: AbortSignal },
  ): Promise<number>;
  /** Grouped counts via the Aggregate API. */
  aggregateGroupCounts(
    table: string,
    groupBy: readonly string[],
    options?: { query?: string; signal?: AbortSignal },
  ): Promise<GroupCount[]>;
  /** Health probe: authentication, build tag, per-table readability. Does not throw for auth/availability. */
  ping(options?: { tables?: readonly string[]; signal?: AbortSignal }): Promise<HealthReport>;
}

const TABLE_NAME = /^[a-z0-9_]+$/;
const SYS_ID = /^[0-9a-f]{32}$/;

interface Token {
  access: string;
  expiresAt: number;
  refresh: string | null;
}

interface RequestSpec {
  method: "GET" | "POST";
  path: string;
  params?: Record<string, string>;
  table?: string | null;
  action: string;
  signal?: AbortSignal;
}

interface JsonResponse {
  status: number;
  headers: Headers;
  body: unknown;
}

function retryAfterMs(headers: Headers, now: number): number | null {
  const v = headers.get("retry-after");
  if (!v) return null;
  if (/^\d+(\.\d+)?$/.test(v.trim())) return Math.round(Number(v) * 1000);
  const at = Date.parse(v);
  return Number.isNaN(at) ? null : Math.max(0, at - now);
}

function errorMessageOf(body: unknown): string | null {
  const e = (body as { error?: { message?: unknown } } | null)?.error;
  return typeof e?.message === "string" ? e.message : null;
}

function toRecord(raw: unknown): ServiceNowRecord {
  const out: ServiceNowRecord = {};
  if (!raw || typeof raw !== "object" || Array.isArray(raw)) {
    throw new ServiceNowError(
      "bad_response",
      "Cannot read records: a result item is not an object",
    );
  }
  for (const [k, v] of Object.entries(raw)) {
    if (typeof v === "string") out[k] = v;
    else if (v && typeof v === "object" && "value" in v) {
      out[k] = String((v as { value: unknown }).value ?? "");
    } else out[k] = v === null || v === undefined ? "" : String(v);
  }
  return out;
}

/**
 * Creates a client for one instance. One client per instance shares one rate limiter
 * and one concurrency gate across all its calls.
 *
 * @param options base URL, credentials and tuning
 * @returns the client
 * @throws {ServiceNowError} `bad_request` for an unusable base URL
 * @example
 * ```ts
 * const client = createServiceNowClient({
 *   baseUrl: "https://acme.service-now.com",
 *   auth: { kind: "oauth", clientId, clientSecret },
 * });
 * for await (const batch of client.iterateRecords("sys_user", { fields: ["user_name", "active"] })) {
 *   await store(batch.records);
 * }
 * ```
 */
export function createServiceNowClient(options: ServiceNowClientOptions): ServiceNowClient {
  let url: URL;
  try {
    url = new URL(options.baseUrl);
  } catch {
    throw new ServiceNowError(
      "bad_request",
      "Cannot create ServiceNow client: base URL is not a URL",
    );
  }
  if (url.protocol !== "https:" && url.protocol !== "http:") {
    throw new ServiceNowError(
      "bad_request",
      "Cannot create ServiceNow client: base URL must be http(s)",
    );
  }
  if (url.username || url.password) {
    throw new ServiceNowError(
      "bad_request",
      "Cannot create ServiceNow client: base URL must not contain credentials",
    );
  }
  const baseUrl = `${url.origin}${url.pathname.replace(/\/+$/, "")}`;
  const doFetch = options.fetch ?? fetch;
  const sleep = options.sleep ?? defaultSleep;
  const random = options.random ?? Math.random;
  const now = options.now ?? (() => Date.now());
  const emit = options.onEvent ?? (() => {});
  const timeoutMs = options.timeoutMs ?? 60_000;
  const maxAttempts = Math.max(1, options.maxAttempts ?? 5);
  const baseDelay = options.baseDelayMs ?? 500;
  const maxDelay = options.maxDelayMs ?? 30_000;
  const maxRetryAfter = options.maxRetryAfterMs ?? 300_000;
  const defaultPageSize = options.pageSize ?? 1000;
  const skew = options.tokenRefreshSkewMs ?? 60_000;
  const limiter = new RateLimiter({ requestsPerSecond: options.requestsPerSecond ?? 10, sleep });
  const gate = new Semaphore(options.concurrency ?? 4);
  const auth = options.auth;
  // UTF-8 (RFC 7617): btoa alone throws on any character beyond Latin-1.
  const basicHeader = auth.kind === "basic"
    ? "Basic " + Buffer.from(`${auth.username}:${auth.password}`, "utf8").toString("base64")
    : null;
  let token: Token | null = null;
  let tokenInflight: Promise<Token> | null = null;

  const aborted = (signal?: AbortSignal) => {
    if (signal?.aborted) {
      throw new ServiceNowError("aborted", "Cannot finish request: aborted by caller", {
        cause: signal.reason,
      });
    }
  };

  /** One HTTP exchange with timeout; network problems become `unavailable`. */
  async function exchange(
    method: string,
    target: string,
    init: { headers: Record<string, string>; body?: string },
    signal: AbortSignal | undefined,
    action: string,
    table: string | null,
  ): Promise<Response> {
    const timeout = AbortSignal.timeout(timeoutMs);
    const combined = signal ? AbortSignal.any([signal, timeout]) : timeout;
    let res: Response;
    try {
      // Redirects are not followed: the instance URL passed the public-address check, the
      // place it points to did not (a redirect to a metadata or internal address is SSRF).
      res = await doFetch(target, {
        method,
        headers: init.headers,
        body: init.body,
        signal: combined,
        redirect: "manual",
      });
      observeOutgoing("servicenow", res.status);
    } catch (e) {
      observeOutgoing("servicenow", null);
      if (signal?.aborted) {
        throw new ServiceNowError("aborted", `${action}: aborted by caller`, { table, cause: e });
      }
      const timedOut = timeout.aborted;
      throw new ServiceNowError(
        "unavailable",
        `${action}: ${timedOut ? `no response within ${timeoutMs} ms` : "network error"}`,
        {
          table,
          reason: timedOut ? "timeout" : "network",
          cause: e instanceof Error ? new Error(e.message) : undefined,
        },
      );
    }
    if (res.status >= 300 && res.status < 400) {
      await res.body?.cancel();
      throw new ServiceNowError(
        "bad_response",
        `${action}: the instance redirects to ${redirectTarget(res, target)}; ` +
          "use the instance's own URL (redirects are not followed)",
        { table, status: res.status },
      );
    }
    return res;
  }

  async function fetchToken(signal?: AbortSignal): Promise<Token> {
    if (auth.kind !== "oauth") throw new Error("unreachable");
    const grant = auth.grant ?? "client_credentials";
    const form = new URLSearchParams({
      client_id: auth.clientId,
      client_secret: auth.clientSecret,
    });
    const useRefresh = token?.refresh && grant === "password";
    if (useRefresh) {
      form.set("grant_type", "refresh_token");
      form.set("refresh_token", token!.refresh!);
    } else if (grant === "password") {
      if (!auth.username || auth.password === undefined) {
        throw new ServiceNowError(
          "bad_request",
          "Cannot authenticate to ServiceNow: the password grant needs a username and password",
        );
      }
      form.set("grant_type", "password");
      form.set("username", auth.username);
      form.set("password", auth.password);
    } else {
      form.set("grant_type", "client_credentials");
    }
    const action = "Cannot authenticate to ServiceNow";
    for (let attempt = 1;; attempt++) {
      aborted(signal);
      await limiter.acquire(signal);
      const release = await gate.acquire(signal);
      let res: Response;
      const started = now();
      try {
        res = await exchange(
          "POST",
          `${baseUrl}/oauth_token.do`,
          {
            headers: {
              "content-type": "application/x-www-form-urlencoded",
              accept: "application/json",
            },
            body: form.toString(),
          },
          signal,
          action,
          null,
        );
      } catch (e) {
        release();
        if (e instanceof ServiceNowError && e.kind === "unavailable" && attempt < maxAttempts) {
          await backoff(attempt, null, "/oauth_token.do", e.reason ?? "network", signal);
          continue;
        }
        throw e;
      }
      release();
      emit({
        type: "request",
        method: "POST",
        path: "/oauth_token.do",
        status: res.status,
        attempt,
        durationMs: now() - started,
      });
      const text = await res.text();
      if (res.status === 429 || res.status >= 500) {
        if (attempt < maxAttempts) {
          await backoff(
            attempt,
            retryAfterMs(res.headers, now()),
            "/oauth_token.do",
            `status ${res.status}`,
            signal,
          );
          continue;
        }
        throw new ServiceNowError(
          res.status === 429 ? "rate_limited" : "unavailable",
          `${action}: token endpoint returned ${res.status}`,
          {
            status: res.status,
            reason: res.status === 429 ? null : "server_error",
          },
        );
      }
      let body: Record<string, unknown> | null = null;
      try {
        body = JSON.parse(text);
      } catch {
        body = null;
      }
      const ok = res.ok && typeof body?.access_token === "string";
      emit({ type: "token", grant: form.get("grant_type")!, ok, status: res.status });
      if (!ok) {
        if (useRefresh) {
          // Refresh token rejected or expired: fall back to the full grant once.
          token = null;
          return await fetchToken(signal);
        }
        if (res.ok && !body) {
          const hibernating = !(res.headers.get("content-type") ?? "").includes("json");
          throw new ServiceNowError(
            hibernating ? "unavailable" : "bad_response",
            `${action}: token endpoint did not answer JSON${
              hibernating ? " (instance hibernating?)" : ""
            }`,
            {
              status: res.status,
              reason: hibernating ? "hibernating" : null,
            },
          );
        }
        const code = typeof body?.error === "string" ? ` (${body.error})` : "";
        throw new ServiceNowError(
          "auth_failed",
          `${action}: token endpoint returned ${res.status}${code}`,
          { status: res.status },
        );
      }
      const expiresIn = Number(body!.expires_in ?? 1800);
      return {
        access: body!.access_token as string,
        expiresAt: now() + Math.max(1, Number.isFinite(expiresIn) ? expiresIn : 1800) * 1000,
        refresh: typeof body!.refresh_token === "string"
          ? body!.refresh_token
          : token?.refresh ?? null,
      };
    }
  }

  async function authorization(signal?: AbortSignal): Promise<string> {
    if (basicHeader) return basicHeader;
    if (token && token.expiresAt - skew > now()) return `Bearer ${token.access}`;
    if (!tokenInflight) {
      tokenInflight = fetchToken(signal).then((t) => (token = t)).finally(
        () => (tokenInflight = null),
      );
    }
    return `Bearer ${(await tokenInflight).access}`;
  }

  async function backoff(
    attempt: number,
    retryAfter: number | null,
    path: string,
    reason: string,
    signal?: AbortSignal,
  ): Promise<void> {
    const exp = Math.min(maxDelay, baseDelay * 2 ** (attempt - 1));
    const delay = retryAfter !== null
      ? retryAfter + Math.floor(random() * Math.min(1000, baseDelay))
      : Math.floor(random() * exp);
    emit({ type: "retry", path, attempt, delayMs: delay, reason });
    try {
      await sleep(delay, signal);
    } catch (e) {
      throw new ServiceNowError("aborted", "Cannot finish request: aborted by caller", {
        cause: e,
      });
    }
  }

  /** GET with auth, pacing, retries and classification; returns parsed JSON for 2xx. */
  async function request(spec: RequestSpec): Promise<JsonResponse> {
    const qs = spec.params ? `?${new URLSearchParams(spec.params).toString()}` : "";
    const path = spec.path + qs;
    const table = spec.table ?? null;
    let reauthed = false;
    for (let attempt = 1;; attempt++) {
      aborted(spec.signal);
      const authHeader = await authorization(spec.signal);
      await limiter.acquire(spec.signal);
      const release = await gate.acquire(spec.signal);
      const started = now();
      let res: Response;
      let text: string;
      try {
        res = await exchange(
          spec.method,
          baseUrl + path,
          {
            headers: { accept: "application/json", authorization: authHeader },
          },
          spec.signal,
          spec.action,
          table,
        );
        text = await res.text();
      } catch (e) {
        release();
        const err = e instanceof ServiceNowError
          ? e
          : new ServiceNowError("unavailable", `${spec.action}: response body could not be read`, {
            table,
            reason: "network",
          });
        if (err.kind === "unavailable" && attempt < maxAttempts) {
          await backoff(attempt, null, spec.path, err.reason ?? "network", spec.signal);
          continue;
        }
        throw err;
      }
      release();
      emit({
        type: "request",
        method: spec.method,
        path,
        status: res.status,
        attempt,
        durationMs: now() - started,
      });
      const isJson = (res.headers.get("content-type") ?? "").toLowerCase().includes("json");
      let body: unknown = undefined;
      let parsed = false;
      if (isJson) {
        try {
          body = JSON.parse(text);
          parsed = true;
        } catch {
          parsed = false;
        }
      }
      const status = res.status;
      if (status >= 200 && status < 300) {
        if (!isJson) {
          throw new ServiceNowError(
            "unavailable",
            `${spec.action}: instance answered ${status} with ${
              res.headers.get("content-type") ?? "no content type"
            } instead of JSON (hibernating?)`,
            { status, table, reason: "hibernating" },
          );
        }
        if (!parsed) {
          if (attempt < maxAttempts) {
            await backoff(attempt, null, spec.path, "invalid JSON body", spec.signal);
            continue;
          }
          throw new ServiceNowError(
            "bad_response",
            `${spec.action}: response body is not valid JSON`,
            { status, table },
          );
        }
        return { status, headers: res.headers, body };
      }
      if (status === 401) {
        if (auth.kind === "oauth" && !reauthed) {
          reauthed = true;
          token = token ? { ...token, expiresAt: 0 } : null;
          attempt--; // a re-authentication does not use up an attempt
          continue;
        }
        throw new ServiceNowError(
          "auth_failed",
          `${spec.action}: instance returned 401 (credentials rejected)`,
          { status, table },
        );
      }
      if (status === 403) {
        throw new ServiceNowError(
          "not_readable",
          `${spec.action}: instance returned 403 (not readable)`,
          { status, table },
        );
      }
      if (status === 404) {
        throw new ServiceNowError(
          "not_found",
          `${spec.action}: instance returned 404 (not found)`,
          { status, table },
        );
      }
      if (status === 400) {
        const msg = errorMessageOf(body) ?? "";
        if (msg.startsWith("Invalid table")) {
          throw new ServiceNowError("not_found", `${spec.action}: table does not exist (400)`, {
            status,
            table,
          });
        }
        throw new ServiceNowError(
          "bad_request",
          `${spec.action}: instance returned 400${msg ? ` (${msg})` : ""}`,
          { status, table },
        );
      }
      if (status === 429) {
        const wait = retryAfterMs(res.headers, now());
        if (attempt < maxAttempts && (wait === null || wait <= maxRetryAfter)) {
          await backoff(attempt, wait, spec.path, "rate limited (429)", spec.signal);
          continue;
        }
        throw new ServiceNowError(
          "rate_limited",
          `${spec.action}: instance returned 429 (rate limited)`,
          {
            status,
            table,
            retryAfterMs: wait,
          },
        );
      }
      if (status >= 500) {
        if (attempt < maxAttempts) {
          await backoff(
            attempt,
            retryAfterMs(res.headers, now()),
            spec.path,
            `status ${status}`,
            spec.signal,
          );
          continue;
        }
        throw new ServiceNowError("unavailable", `${spec.action}: instance returned ${status}`, {
          status,
          table,
          reason: "server_error" as UnavailableReason,
        });
      }
      throw new ServiceNowError(
        "bad_response",
        `${spec.action}: instance returned unexpected status ${status}`,
        { status, table },
      );
    }
  }

  function checkTable(table: string, action: string): void {
    if (!TABLE_NAME.test(table)) {
      throw new ServiceNowError("bad_request", `${action}: "${table}" is not a table name`, {
        table,
      });
    }
  }

  function parseQuery(query: string | undefined, action: string): EncodedQuery {
    try {
      return parseEncodedQuery(query ?? "");
    } catch (e) {
      if (e instanceof QueryParseError) {
        throw new ServiceNowError("bad_request", `${action}: ${e.message}`, { cause: e });
      }
      throw e;
    }
  }

  /** Adds AND-clusters to every group of a query (or makes one group). */
  function withClusters(q: EncodedQuery, clusters: AndGroup["clusters"]): EncodedQuery {
    if (clusters.length === 0) {
      return { groups: q.groups, orderBy: [{ field: ["sys_id"], direction: "asc" }] };
    }
    const groups = q.groups.length === 0
      ? [{ clusters }]
      : q.groups.map((g) => ({ clusters: [...g.clusters, ...clusters] }));
    return { groups, orderBy: [{ field: ["sys_id"], direction: "asc" }] };
  }

  function resultArray(body: unknown, action: string, table: string): unknown[] {
    const result = (body as { result?: unknown } | null)?.result;
    if (!Array.isArray(result)) {
      throw new ServiceNowError("bad_response", `${action}: response has no "result" array`, {
        table,
      });
    }
    return result;
  }

  async function* pages(
    table: string,
    fields: readonly string[] | null,
    base: EncodedQuery,
    pageSize: number,
    startAfter: string | undefined,
    signal: AbortSignal | undefined,
    action: string,
  ): AsyncGenerator<ServiceNowRecord[]> {
    let cursor = startAfter ?? "";
    let skip = 0;
    let total: number | null = null;
    for (;;) {
      const cond = cursor
        ? [{
          terms: [
            {
              kind: "condition",
              field: ["sys_id"],
              operator: ">",
              value: { kind: "literal", value: cursor },
            } as const,
          ],
        }]
        : [];
      const query = formatEncodedQuery(withClusters(base, cond));
      const params: Record<string, string> = {
        sysparm_query: query,
        sysparm_limit: String(pageSize),
        sysparm_exclude_reference_link: "true",
        sysparm_display_value: "false",
        sysparm_no_count: "true",
        sysparm_suppress_pagination_header: "true",
      };
      if (fields) params.sysparm_fields = fields.join(",");
      if (skip > 0) params.sysparm_offset = String(skip);
      const res = await request({
        method: "GET",
        path: `/api/now/table/${table}`,
        params,
        table,
        action,
        signal,
      });
      const rows = resultArray(res.body, action, table).map(toRecord);
      if (rows.length > 0) {
        const last = rows[rows.length - 1]!.sys_id;
        if (!last || last <= cursor) {
          throw new ServiceNowError(
            "bad_response",
            `${action}: records came back without increasing sys_id`,
            { table },
          );
        }
        yield rows;
        cursor = last;
        skip = 0;
        total = null;
        continue;
      }
      // Empty page: the end, or a window whose rows are all hidden by ACLs.
      if (total === null) {
        const probe = await request({
          method: "GET",
          path: `/api/now/table/${table}`,
          params: {
            ...params,
            sysparm_limit: "1",
            sysparm_fields: "sys_id",
            sysparm_no_count: "false",
            sysparm_offset: "0",
          },
          table,
          action,
          signal,
        });
        const header = probe.headers.get("x-total-count");
        total = header !== null && /^\d+$/.test(header) ? Number(header) : 0;
      }
      if (skip + pageSize >= total) return;
      skip += pageSize;
    }
  }

  const client: ServiceNowClient = {
    baseUrl,

    async *iterateRecords(table, opts = {}) {
      const action = `Cannot sync table "${table}"`;
      checkTable(table, action);
      const base = parseQuery(opts.query, action);
      const clusters: AndGroup["clusters"][number][] = [];
      if (opts.updatedSince !== undefined) {
        const since = typeof opts.updatedSince === "string"
          ? parseGlideDateTime(opts.updatedSince)
          : opts.updatedSince;
        if (!since || Number.isNaN(since.getTime())) {
          throw new ServiceNowError("bad_request", `${action}: updatedSince is not a datetime`, {
            table,
          });
        }
        const from = formatGlideDateTime(
          new Date(since.getTime() - (opts.overlapSeconds ?? 300) * 1000),
        );
        clusters.push({
          terms: [{
            kind: "condition",
            field: ["sys_updated_on"],
            operator: ">=",
            value: { kind: "literal", value: from },
          }],
        });
      }
      const query = { groups: withClusters(base, clusters).groups, orderBy: [] };
      const fields = opts.fields
        ? [...new Set(["sys_id", "sys_updated_on", ...opts.fields])]
        : null;
      let page = 0;
      for await (
        const records of pages(
          table,
          fields,
          query,
          opts.pageSize ?? defaultPageSize,
          opts.startAfter,
          opts.signal,
          action,
        )
      ) {
        let maxUpdatedOn: string | null = null;
        for (const r of records) {
          const u = r.sys_updated_on;
          if (u && (maxUpdatedOn === null || u > maxUpdatedOn)) maxUpdatedOn = u;
        }
        yield {
          table,
          records,
          cursor: records[records.length - 1]!.sys_id!,
          page: ++page,
          maxUpdatedOn,
        };
      }
    },

    async *iterateKeys(table, opts = {}) {
      const action = `Cannot list keys of table "${table}"`;
      checkTable(table, action);
      const base = parseQuery(opts.query, action);
      for await (
        const records of pages(
          table,
          ["sys_id"],
          { groups: base.groups, orderBy: [] },
          opts.pageSize ?? 5000,
          opts.startAfter,
          opts.signal,
          action,
        )
      ) {
        yield records.map((r) => r.sys_id!);
      }
    },

    async getRecord(table, sysId, opts = {}) {
      const action = `Cannot read record ${sysId} of table "${table}"`;
      checkTable(table, action);
      if (!SYS_ID.test(sysId)) {
        throw new ServiceNowError("bad_request", `${action}: not a sys_id`, { table });
      }
      const params: Record<string, string> = {
        sysparm_exclude_reference_link: "true",
        sysparm_display_value: "false",
      };
      if (opts.fields) params.sysparm_fields = opts.fields.join(",");
      try {
        const res = await request({
          method: "GET",
          path: `/api/now/table/${table}/${sysId}`,
          params,
          table,
          action,
          signal: opts.signal,
        });
        const result = (res.body as { result?: unknown } | null)?.result;
        return toRecord(Array.isArray(result) ? result[0] : result);
      } catch (e) {
        if (e instanceof ServiceNowError && e.kind === "not_found" && e.status === 404) return null;
        throw e;
      }
    },

    async aggregateCount(table, opts = {}) {
      const action = `Cannot count table "${table}"`;
      checkTable(table, action);
      const query = formatEncodedQuery(parseQuery(opts.query, action));
      const res = await request({
        method: "GET",
        path: `/api/now/stats/${table}`,
        params: { sysparm_count: "true", ...(query ? { sysparm_query: query } : {}) },
        table,
        action,
        signal: opts.signal,
      });
      const raw = (res.body as { result?: { stats?: { count?: unknown } } } | null)?.result;
      const count = Array.isArray(raw)
        ? (raw[0] as { stats?: { count?: unknown } })?.stats?.count
        : raw?.stats?.count;
      const n = Number(count);
      if (typeof count !== "string" || !Number.isInteger(n)) {
        throw new ServiceNowError("bad_response", `${action}: response has no count`, { table });
      }
      return n;
    },

    async aggregateGroupCounts(table, groupBy, opts = {}) {
      const action = `Cannot count table "${table}"`;
      checkTable(table, action);
      if (groupBy.length === 0 || groupBy.some((f) => !/^[a-z0-9_.]+$/.test(f))) {
        throw new ServiceNowError("bad_request", `${action}: group-by fields must be field names`, {
          table,
        });
      }
      const query = formatEncodedQuery(parseQuery(opts.query, action));
      const res = await request({
        method: "GET",
        path: `/api/now/stats/${table}`,
        params: {
          sysparm_count: "true",
          sysparm_group_by: groupBy.join(","),
          ...(query ? { sysparm_query: query } : {}),
        },
        table,
        action,
        signal: opts.signal,
      });
      const raw = (res.body as { result?: unknown } | null)?.result;
      if (!Array.isArray(raw)) {
        throw new ServiceNowError("bad_response", `${action}: grouped result is not an array`, {
          table,
        });
      }
      return raw.map((item) => {
        const it = item as {
          stats?: { count?: unknown };
          groupby_fields?: { field?: unknown; value?: unknown }[];
        };
        const values: Record<string, string> = {};
        for (const g of it.groupby_fields ?? []) values[String(g.field)] = String(g.value ?? "");
        return { values, count: Number(it.stats?.count ?? 0) };
      });
    },

    async ping(opts = {}) {
      const report: HealthReport = {
        reachable: false,
        authenticated: false,
        buildTag: null,
        tables: {},
        error: null,
      };
      try {
        const res = await request({
          method: "GET",
          path: "/api/now/table/sys_properties",
          params: {
            sysparm_query: "name=glide.buildtag",
            sysparm_fields: "value",
            sysparm_limit: "1",
            sysparm_no_count: "true",
            sysparm_exclude_reference_link: "true",
          },
          table: "sys_properties",
          action: "Cannot check instance health",
          signal: opts.signal,
        });
        report.reachable = true;
        report.authenticated = true;
        const first = (res.body as { result?: { value?: unknown }[] }).result?.[0];
        report.buildTag = typeof first?.value === "string" ? first.value : null;
        report.tables.sys_properties = "readable";
      } catch (e) {
        if (!(e instanceof ServiceNowError)) throw e;
        if (e.kind === "not_readable" || e.kind === "not_found") {
          report.reachable = true;
          report.authenticated = true;
          report.tables.sys_properties = e.kind;
        } else {
          report.reachable = e.kind === "auth_failed";
          report.error = { kind: e.kind, message: e.message };
          return report;
        }
      }
      for (const table of opts.tables ?? []) {
        if (table === "sys_properties" && report.tables.sys_properties) continue;
        try {
          checkTable(table, "Cannot check table");
          await request({
            method: "GET",
            path: `/api/now/table/${table}`,
            params: {
              sysparm_fields: "sys_id",
              sysparm_limit: "1",
              sysparm_no_count: "true",
              sysparm_exclude_reference_link: "true",
            },
            table,
            action: `Cannot check table "${table}"`,
            signal: opts.signal,
          });
          report.tables[table] = "readable";
        } catch (e) {
          if (!(e instanceof ServiceNowError)) throw e;
          report.tables[table] = e.kind === "not_readable"
            ? "not_readable"
            : e.kind === "not_found"
            ? "not_found"
            : "error";
        }
      }
      return report;
    },
  };
  return client;
}

/** Where a redirect points, as an origin (no path or query: they can carry tokens). */
function redirectTarget(res: Response, from: string): string {
  const location = res.headers.get("location");
  if (!location) return "another address";
  try {
    return new URL(location, from).origin;
  } catch {
    return "another address";
  }
}
