import type { ApiClient } from "../../lib/api_client.ts";
import { type ResponseOf, typedClient } from "../../lib/typed_client.ts";

/** One page of audit entries. */
export type AuditPage = ResponseOf<"GET /audit/entries">;
/** One audit entry in the list. */
export type AuditEntry = AuditPage["data"][number];
/** An entry with its diff. */
export type AuditEntryDetail = ResponseOf<"GET /audit/entries/:id">["data"];
/** The chain's verification. */
export type AuditVerification = ResponseOf<"GET /audit/verify">["data"];

/** The Audit page's filters, as the form holds them (empty = not filtered). */
export interface AuditFilters {
  actor: string;
  action: string;
  target_table: string;
  category: "" | "change" | "security";
  from: string;
  to: string;
}

export const NO_FILTERS: AuditFilters = {
  actor: "",
  action: "",
  target_table: "",
  category: "",
  from: "",
  to: "",
};

/**
 * The filters as API query parameters: blanks dropped, dates (`YYYY-MM-DD`)
 * as UTC day bounds, `to` inclusive of its day.
 *
 * @param orgId the organization
 * @param f the form's filters
 */
// deno-lint-ignore explicit-module-boundary-types -- the query type follows the route declaration
export function filterQuery(orgId: string, f: AuditFilters) {
  const day = (d: string, plus: number) =>
    new Date(Date.parse(`${d}T00:00:00Z`) + plus * 86_400_000).toISOString();
  return {
    org_id: orgId,
    actor: f.actor.trim() || undefined,
    action: f.action.trim() || undefined,
    target_table: f.target_table.trim() || undefined,
    category: f.category || undefined,
    from: f.from ? day(f.from, 0) : undefined,
    to: f.to ? day(f.to, 1) : undefined,
  };
}

/**
 * The audit function's calls the page makes.
 *
 * @param api the app's API client
 */
// deno-lint-ignore explicit-module-boundary-types -- the return type follows the route declarations
export function createAuditApi(api: ApiClient) {
  const call = typedClient(api);
  return {
    list: (orgId: string, f: AuditFilters, cursor?: string, signal?: AbortSignal) =>
      call("GET /audit/entries", {
        query: { ...filterQuery(orgId, f), limit: 50, cursor },
        signal,
      }),
    entry: async (orgId: string, id: string) =>
      (await call("GET /audit/entries/:id", { params: { id }, query: { org_id: orgId } })).data,
    verify: async (orgId: string) =>
      (await call("GET /audit/verify", { query: { org_id: orgId } })).data,
  };
}
