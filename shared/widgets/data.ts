import type { Cache } from "../cache/mod.ts";
import type { Database, TenantClaims } from "../db/mod.ts";
import {
  type CachedBody,
  type Dashboard,
  loadAuthorizedDashboard,
  loadAuthorizedTrends,
  loadDashboard,
  loadTrends,
  type Trends,
} from "../posture/mod.ts";
import { templateOf } from "./config.ts";
import type { WidgetScope, WidgetSource } from "./templates.ts";

/** What reading a widget's data needs. */
export interface WidgetServices {
  db: Database;
  cache: Cache;
  config?: { SESSION_CHECK_TTL_MS: number };
}

/** A widget's data as served: the template, the configuration read and what it shows. */
export interface WidgetData {
  template: string;
  title: string;
  generated_at: string;
  data: unknown;
}

/**
 * Reads a widget's data from the cached posture aggregates. With `claims`
 * the caller's membership is checked (the aggregate's own permission);
 * without, the caller was authorized otherwise (a verified embed).
 *
 * @param services database and cache
 * @param claims the member asking, or null for a verified embed
 * @param templateId the template
 * @param config the version's configuration
 * @param scope the organization and an optional instance filter
 * @returns the data and whether the aggregate came from the cache
 */
export async function readWidgetData(
  services: WidgetServices,
  claims: TenantClaims | null,
  templateId: string,
  config: Record<string, unknown>,
  scope: WidgetScope,
): Promise<{ value: WidgetData; hit: boolean }> {
  const template = templateOf(templateId);
  // Stored configurations were validated when saved; parsing again fills
  // defaults a later template version added.
  const parsed = template.config.parse(config);
  const source = template.source(parsed, scope);
  const cached = await load(services, claims, source);
  const aggregate = (JSON.parse(cached.body) as { data: Dashboard | Trends }).data;
  const generatedAt = "generated_at" in aggregate ? aggregate.generated_at : aggregate.to;
  return {
    value: {
      template: template.id,
      title: template.title,
      generated_at: generatedAt,
      data: template.read(parsed, aggregate),
    },
    hit: cached.hit,
  };
}

function load(
  services: WidgetServices,
  claims: TenantClaims | null,
  source: WidgetSource,
): Promise<CachedBody> {
  if (source.aggregate === "dashboard") {
    return claims
      ? loadDashboard(services, claims, source.query)
      : loadAuthorizedDashboard(services, source.query);
  }
  return claims
    ? loadTrends(services, claims, source.query)
    : loadAuthorizedTrends(services, source.query);
}
