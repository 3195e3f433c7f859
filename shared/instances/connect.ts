import {
  createServiceNowClient,
  type ServiceNowAuth,
  type ServiceNowClient,
  type ServiceNowClientOptions,
  type TableAccess,
} from "../servicenow/client/mod.ts";
import type { InstanceCredentials } from "./credentials.ts";
import type { InstanceRuntime } from "./runtime.ts";
import type { InstanceStatus } from "./store.ts";
import { assertPublicInstanceUrl } from "./url.ts";

/**
 * The client's form of stored credentials.
 *
 * @param credentials decrypted credentials
 */
export function clientAuth(credentials: InstanceCredentials): ServiceNowAuth {
  switch (credentials.type) {
    case "basic":
      return { kind: "basic", username: credentials.username, password: credentials.password };
    case "oauth_client_credentials":
      return {
        kind: "oauth",
        grant: "client_credentials",
        clientId: credentials.client_id,
        clientSecret: credentials.client_secret,
      };
    case "oauth_password":
      return {
        kind: "oauth",
        grant: "password",
        clientId: credentials.client_id,
        clientSecret: credentials.client_secret,
        username: credentials.username,
        password: credentials.password,
      };
  }
}

/**
 * Opens a Table API client on an instance after the SSRF check (outside dev
 * mode the host must resolve to public addresses only, checked again at every
 * connection).
 *
 * @param runtime keyring, fetch, resolver and tuning
 * @param target the normalized URL and decrypted credentials
 * @param tuning per-use client options (a health check retries less than a sync)
 * @throws {InstanceUrlError} when the URL points at a private address
 */
export async function openInstanceClient(
  runtime: InstanceRuntime,
  target: { url: string; credentials: InstanceCredentials },
  tuning: InstanceRuntime["client"] & Pick<ServiceNowClientOptions, "onEvent"> = {},
): Promise<ServiceNowClient> {
  await assertPublicInstanceUrl(target.url, {
    allowPrivate: runtime.allowPrivate,
    resolve: runtime.resolve,
  });
  return createServiceNowClient({
    baseUrl: target.url,
    auth: clientAuth(target.credentials),
    pageSize: runtime.config.SYNC_PAGE_SIZE,
    ...(runtime.fetch ? { fetch: runtime.fetch } : {}),
    ...runtime.client,
    ...tuning,
  });
}

/** What a connection test found; stored in `instances.last_health`. */
export interface HealthReport {
  status: Exclude<InstanceStatus, "pending">;
  reachable: boolean;
  authenticated: boolean;
  /** Round trip of the first request, in ms. */
  latency_ms: number | null;
  /** `glide.buildtag`, when sys_properties is readable. */
  build_tag: string | null;
  /** Each table the sync reads, and whether the integration user can read it. */
  tables: { table: string; access: TableAccess }[];
  error: { code: string; message: string } | null;
  checked_at: string;
}

/**
 * Tests a connection: reachable, credentials accepted, latency, build tag and
 * whether each table the sync needs is readable. Never throws for an
 * unreachable instance or bad credentials: those are results.
 *
 * @param runtime keyring, fetch, resolver and the sync plan
 * @param target the normalized URL and decrypted credentials
 * @param signal aborts the test
 * @throws {InstanceUrlError} when the URL points at a private address
 */
export async function checkInstanceHealth(
  runtime: InstanceRuntime,
  target: { url: string; credentials: InstanceCredentials },
  signal?: AbortSignal,
): Promise<HealthReport> {
  let latency: number | null = null;
  const client = await openInstanceClient(runtime, target, {
    maxAttempts: 2,
    timeoutMs: 15_000,
    maxRetryAfterMs: 5_000,
    onEvent: (event) => {
      // The round trip of the first answered API request.
      if (latency === null && event.type === "request" && event.status !== null) {
        latency = Math.round(event.durationMs);
      }
    },
  });
  const tables = runtime.plan().map((t) => t.table);
  const report = await client.ping({ tables, signal });
  const access = tables.map((table) => ({ table, access: report.tables[table] ?? "error" }));
  let status: HealthReport["status"];
  if (!report.reachable) status = "unreachable";
  else if (!report.authenticated) status = "auth_failed";
  // A table missing from the instance (plugin not installed) is listed but is
  // not a connection problem; a denied or failing one is.
  else if (access.some((t) => t.access === "not_readable" || t.access === "error")) {
    status = "degraded";
  } else status = "healthy";
  return {
    status,
    reachable: report.reachable,
    authenticated: report.authenticated,
    latency_ms: report.reachable ? latency : null,
    build_tag: report.buildTag,
    tables: report.authenticated ? access : [],
    error: report.error ? { code: report.error.kind, message: report.error.message } : null,
    checked_at: new Date().toISOString(),
  };
}
